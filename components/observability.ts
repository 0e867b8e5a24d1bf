/**
 * Operators' view of the platform: job state events kept and counted, alarms for failed, long-running
 * and erroring work, critical image findings, a dashboard, and job logs archived for the long term.
 * Every alarm and alert goes to the stack's one alarm topic (components/alarms.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ALARM_DEFAULTS, alarmArn, AlarmsConfig, createMetricAlarm } from "./alarms";
import { runbookLink } from "./runbooks";
import { arns, AwsContext } from "./aws-context";
import { dashboardBody } from "./dashboard";
import { policyDocument } from "./iam-documents";
import { JobLogArchive } from "./log-archive";
import { createEncryptedLogGroup } from "./log-group";
import { JOB_METRICS_NAMESPACE, LongRunningJobWatch } from "./long-running-jobs";
import { PlatformNames } from "./naming";
import { ACCESS_LOG_PREFIX } from "./storage";

/** Job state change events counted into metrics (namespace ATX/Jobs, dimension JobQueue = the queue ARN). */
export const JOB_STATE_METRICS = {
    JobsSucceeded: "SUCCEEDED",
    JobsFailed: "FAILED",
    JobsStarted: "RUNNING",
    JobsQueued: "RUNNABLE",
} as const;

/** A 5XX rate needs enough requests to mean something; below this many per period it reads as 0 %. */
export const API_5XX_MIN_REQUESTS = 10;

export interface ObservabilityArgs {
    readonly context: AwsContext;
    /** Permissions boundary for every role created here. Default none. */
    readonly permissionsBoundaryArn?: string;
    readonly names: PlatformNames;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** The alarm topic (components/alarms.ts AlarmTopic) every alarm and alert notifies. */
    readonly alarmTopicArn: pulumi.Input<string>;
    /** Name of the Batch job queue: events of other queues are ignored. */
    readonly jobQueueName: pulumi.Input<string>;
    /** The jobs' log group: queried by the dashboard and archived. */
    readonly jobLogGroupName: pulumi.Input<string>;
    /** ECR repository of the job image: scan findings of other repositories are ignored. */
    readonly repositoryName: pulumi.Input<string>;
    /** Bucket receiving the archive bucket's server access logs. */
    readonly accessLogBucketName: pulumi.Input<string>;
    /** Per-alarm switches and thresholds. Default ALARM_DEFAULTS. */
    readonly alarms?: AlarmsConfig;
    /** A job still running after this many hours is reported. Default 6. */
    readonly longRunningJobHours?: number;
    /** The job definition's timeout, to warn when it makes the long-running alarm unreachable. */
    readonly jobTimeoutSeconds?: number;
    /** The REST API (API component) whose 5XX rate and 4XX volume are alarmed. Default none. */
    readonly api?: { readonly restApiName: pulumi.Input<string>; readonly stageName: pulumi.Input<string> };
    /**
     * Lambda functions whose errors and throttles are alarmed. `id` (default: the position) names
     * the alarms (`atx-lambda-errors-<id>`), so give a stable one. Default none.
     */
    readonly functions?: readonly { readonly functionName: pulumi.Input<string>; readonly id?: string }[];
    /** Further alarms to show on the dashboard (e.g. the audit alarms). Default none. */
    readonly dashboardAlarmArns?: readonly pulumi.Input<string>[];
    /** Archive the job logs to S3. Default true. */
    readonly archiveJobLogs?: boolean;
}

export class Observability extends pulumi.ComponentResource {
    readonly jobEventLogGroup: aws.cloudwatch.LogGroup;
    readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
    /** ARNs of this component's alarms, built from their names (known at preview). */
    readonly alarmArns: pulumi.Output<string>[] = [];
    readonly dashboard: aws.cloudwatch.Dashboard;
    readonly dashboardUrl: pulumi.Output<string>;
    readonly archive?: JobLogArchive;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:observability:Observability", name, {}, opts);
        const child = { parent: this };
        const { context, names } = args;
        const { accountId, region, partition } = context;
        const settings = args.alarms ?? ALARM_DEFAULTS;
        const topicArn = args.alarmTopicArn;
        const jobQueueArn = pulumi.interpolate`arn:${partition}:batch:${region}:${accountId}:job-queue/${args.jobQueueName}`;

        const addAlarm = (
            id: string,
            spec: Omit<Parameters<typeof createMetricAlarm>[1], "alarmName" | "topicArn">,
        ) => {
            const alarmName = names.scoped(id);
            this.alarms.push(createMetricAlarm(`${name}-${id}`, { ...spec, alarmName, topicArn }, child));
            this.alarmArns.push(alarmArn(context, alarmName));
        };
        const jobMetric = (metricName: string) => ({
            namespace: JOB_METRICS_NAMESPACE,
            metricName,
            statistic: "Sum" as const,
            dimensions: { JobQueue: jobQueueArn },
        });

        // Job state changes of this queue are kept in a log group: the record behind the counts, the
        // dashboard's "recent jobs" and "current status" queries, and what an investigation starts from.
        const jobEventLogGroupName = `/aws/events/${names.scoped("batch-jobs")}`;
        const jobEventLogGroupArn = arns.logGroup(context, jobEventLogGroupName);
        this.jobEventLogGroup = createEncryptedLogGroup(
            `${name}-job-events`,
            { logGroupName: jobEventLogGroupName, retentionDays: args.logRetentionDays, kmsKeyArn: args.kmsKeyArn },
            child,
        );
        const eventsToLogs = new aws.cloudwatch.LogResourcePolicy(
            `${name}-job-events-policy`,
            {
                policyName: names.scoped("job-events-to-logs"),
                policyDocument: policyDocument([
                    {
                        Sid: "EventBridgeWritesJobEvents",
                        Effect: "Allow",
                        Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                        Resource: pulumi.interpolate`${jobEventLogGroupArn}:*`,
                    },
                ]),
            },
            child,
        );
        const jobEventsRule = new aws.cloudwatch.EventRule(
            `${name}-job-events`,
            {
                name: names.scoped("job-state-changes"),
                description: "Every state change of the platform queue's jobs, kept in CloudWatch Logs",
                eventPattern: pulumi.jsonStringify({
                    source: ["aws.batch"],
                    "detail-type": ["Batch Job State Change"],
                    detail: { jobQueue: [jobQueueArn] },
                }),
            },
            child,
        );
        new aws.cloudwatch.EventTarget(
            `${name}-job-events-target`,
            { rule: jobEventsRule.name, arn: jobEventLogGroupArn },
            { parent: this, dependsOn: [this.jobEventLogGroup, eventsToLogs] },
        );
        // Counting failures: EventBridge cannot put a metric itself, and Batch publishes no job metrics.
        // A metric filter on the kept events is the reliable counter: no code, no polling, and every
        // count has its event next to it in the log group. Alarms and the dashboard read these metrics.
        for (const [metricName, status] of Object.entries(JOB_STATE_METRICS)) {
            new aws.cloudwatch.LogMetricFilter(
                `${name}-${metricName}`,
                {
                    name: metricName,
                    logGroupName: this.jobEventLogGroup.name,
                    pattern: `{ $.detail.status = "${status}" }`,
                    metricTransformation: {
                        namespace: JOB_METRICS_NAMESPACE,
                        name: metricName,
                        value: "1",
                        unit: "Count",
                        dimensions: { JobQueue: "$.detail.jobQueue" },
                    },
                },
                child,
            );
        }

        if (settings.jobFailures.enabled) {
            // Immediate notice, one message per failed job (the event names the job and its reason) ...
            const failedRule = new aws.cloudwatch.EventRule(
                `${name}-job-failed`,
                {
                    name: names.scoped("job-failed"),
                    description: `A job of the platform queue FAILED. ${runbookLink("jobFailures")}`,
                    eventPattern: pulumi.jsonStringify({
                        source: ["aws.batch"],
                        "detail-type": ["Batch Job State Change"],
                        detail: { jobQueue: [jobQueueArn], status: ["FAILED"] },
                    }),
                },
                child,
            );
            new aws.cloudwatch.EventTarget(
                `${name}-job-failed-target`,
                { rule: failedRule.name, arn: topicArn },
                child,
            );
            // ... and the count, alarmed at the configured threshold.
            addAlarm("job-failures", {
                description: `Batch jobs of the platform queue failed (JobsFailed, from job state events). ${runbookLink("jobFailures")}`,
                settings: settings.jobFailures,
                metric: jobMetric("JobsFailed"),
            });
        }

        if (settings.longRunningJobs.enabled) {
            const hours = args.longRunningJobHours ?? 6;
            if (args.jobTimeoutSeconds !== undefined && args.jobTimeoutSeconds <= hours * 3600) {
                pulumi.log.warn(
                    `jobs time out after ${args.jobTimeoutSeconds} s, before the long-running limit of ${hours} h: ` +
                        "they are stopped and reported as failures first; lower longRunningJobHours to be told earlier",
                    this,
                );
            }
            new LongRunningJobWatch(
                `${name}-long-running`,
                {
                    context,
                    permissionsBoundaryArn: args.permissionsBoundaryArn,
                    stateMachineName: names.scoped("long-running-jobs"),
                    ruleName: names.scoped("job-running"),
                    roleName: names.scoped("long-running-jobs"),
                    startRoleName: names.scoped("long-running-jobs-start"),
                    jobQueueArn,
                    afterHours: hours,
                    alarmTopicArn: topicArn,
                    kmsKeyArn: args.kmsKeyArn,
                },
                child,
            );
            addAlarm("long-running-jobs", {
                description: `Batch jobs of the platform queue still running after ${hours} h. ${runbookLink("longRunningJobs")}`,
                settings: settings.longRunningJobs,
                metric: jobMetric("LongRunningJobs"),
            });
        }

        if (settings.ecrScanFindings.enabled) {
            const scanRule = new aws.cloudwatch.EventRule(
                `${name}-image-scan`,
                {
                    name: names.scoped("image-scan-findings"),
                    description: `The job image's scan on push found CRITICAL or HIGH vulnerabilities. ${runbookLink("ecrScanFindings")}`,
                    eventPattern: pulumi.jsonStringify({
                        source: ["aws.ecr"],
                        "detail-type": ["ECR Image Scan"],
                        account: [accountId],
                        detail: {
                            "scan-status": ["COMPLETE"],
                            "repository-name": [args.repositoryName],
                            "finding-severity-counts": {
                                $or: [{ CRITICAL: [{ numeric: [">", 0] }] }, { HIGH: [{ numeric: [">", 0] }] }],
                            },
                        },
                    }),
                },
                child,
            );
            new aws.cloudwatch.EventTarget(`${name}-image-scan-target`, { rule: scanRule.name, arn: topicArn }, child);
        }

        if (args.api !== undefined) {
            const apiMetric = (metricName: string, statistic: string) => ({
                namespace: "AWS/ApiGateway",
                metricName,
                period: settings.api5xxRate.periodSeconds,
                stat: statistic,
                dimensions: { ApiName: args.api!.restApiName, Stage: args.api!.stageName },
            });
            if (settings.api5xxRate.enabled) {
                addAlarm("api-5xx-rate", {
                    description: `API 5XX responses in percent of requests (when at least ${API_5XX_MIN_REQUESTS} requests in the period). ${runbookLink("api5xxRate")}`,
                    settings: settings.api5xxRate,
                    metricQueries: [
                        { id: "errors", metric: apiMetric("5XXError", "Sum"), returnData: false },
                        { id: "requests", metric: apiMetric("Count", "Sum"), returnData: false },
                        {
                            id: "rate",
                            label: "5XX rate (%)",
                            expression: `IF(requests >= ${API_5XX_MIN_REQUESTS}, 100 * errors / requests, 0)`,
                            returnData: true,
                        },
                    ],
                });
            }
            if (settings.api4xxCount.enabled) {
                addAlarm("api-4xx-volume", {
                    description: `Unusual volume of API 4XX responses (e.g. bursts of failed SigV4 authentication). ${runbookLink("api4xxCount")}`,
                    settings: settings.api4xxCount,
                    metric: {
                        namespace: "AWS/ApiGateway",
                        metricName: "4XXError",
                        statistic: "Sum",
                        dimensions: { ApiName: args.api.restApiName, Stage: args.api.stageName },
                    },
                });
            }
        }

        (args.functions ?? []).forEach((fn, i) => {
            const { functionName } = fn;
            const id = fn.id ?? String(i);
            const lambdaMetric = (metricName: string) => ({
                namespace: "AWS/Lambda",
                metricName,
                statistic: "Sum" as const,
                dimensions: { FunctionName: functionName },
            });
            if (settings.lambdaErrors.enabled) {
                addAlarm(`lambda-errors-${id}`, {
                    description: pulumi.interpolate`Errors of the Lambda function ${functionName}. ${runbookLink("lambdaErrors")}`,
                    settings: settings.lambdaErrors,
                    metric: lambdaMetric("Errors"),
                });
            }
            if (settings.lambdaThrottles.enabled) {
                addAlarm(`lambda-throttles-${id}`, {
                    description: pulumi.interpolate`Throttled invocations of the Lambda function ${functionName}. ${runbookLink("lambdaThrottles")}`,
                    settings: settings.lambdaThrottles,
                    metric: lambdaMetric("Throttles"),
                });
            }
        });

        const dashboardName = names.scoped("platform");
        this.dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName,
                dashboardBody: dashboardBody({
                    region,
                    jobQueueArn,
                    jobEventLogGroupName,
                    jobLogGroupName: args.jobLogGroupName,
                    api: args.api,
                    functionNames: (args.functions ?? []).map((f) => f.functionName),
                    alarmArns: [...this.alarmArns, ...(args.dashboardAlarmArns ?? [])],
                }),
            },
            child,
        );
        this.dashboardUrl = pulumi.interpolate`https://${consoleHost(partition)}/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName}`;

        if (args.archiveJobLogs ?? true) {
            this.archive = new JobLogArchive(
                `${name}-archive`,
                {
                    context,
                    permissionsBoundaryArn: args.permissionsBoundaryArn,
                    sourceLogGroupName: args.jobLogGroupName,
                    bucketName: names.bucket("archive", accountId),
                    deliveryStreamName: names.scoped("job-log-archive"),
                    errorLogGroupName: `/aws/kinesisfirehose/${names.scoped("job-log-archive")}`,
                    firehoseRoleName: names.scoped("job-log-archive-delivery"),
                    subscriptionRoleName: names.scoped("job-log-archive-subscription"),
                    kmsKeyArn: args.kmsKeyArn,
                    logRetentionDays: args.logRetentionDays,
                    accessLogs: {
                        targetBucket: args.accessLogBucketName,
                        targetPrefix: `${ACCESS_LOG_PREFIX}archive/`,
                    },
                },
                child,
            );
        }
        this.registerOutputs({ dashboardUrl: this.dashboardUrl, jobEventLogGroupName, alarmArns: this.alarmArns });
    }
}

/** The AWS console's host for a partition. */
function consoleHost(partition: pulumi.Output<string>): pulumi.Output<string> {
    return partition.apply((p) =>
        p === "aws-cn"
            ? "console.amazonaws.cn"
            : p === "aws-us-gov"
              ? "console.amazonaws-us-gov.com"
              : "console.aws.amazon.com",
    );
}
