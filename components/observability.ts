/**
 * Operators' view of the platform: job state events kept and counted, alarms for failed, long-running
 * and erroring work, critical image findings, a dashboard, and job logs archived for the long term.
 * Every alarm and alert goes to the stack's one alarm topic (components/alarms.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ALARM_DEFAULTS, type AlarmsConfig } from "./alarm-settings";
import { type AlarmScope, AlarmSet } from "./alarm-set";
import { arns, type AwsContext } from "./aws-context";
import { dashboardBody } from "./dashboard";
import { JobEvents, jobMetric } from "./job-events";
import { JobLogArchive } from "./log-archive";
import { LongRunningJobWatch } from "./long-running-jobs";
import { type PlatformNames } from "./naming";
import { ServiceAlarms } from "./service-alarms";
import { ACCESS_LOG_PREFIX } from "./storage";
import { runbookLink } from "./runbooks";

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
    readonly jobEvents: JobEvents;
    /** ARNs of this component's alarms, built from their names (known at preview). */
    readonly alarmArns: pulumi.Output<string>[];
    readonly dashboard: aws.cloudwatch.Dashboard;
    readonly dashboardUrl: pulumi.Output<string>;
    readonly archive?: JobLogArchive;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:observability:Observability", name, {}, opts);
        const child = { parent: this };
        const { context, names } = args;
        const settings = args.alarms ?? ALARM_DEFAULTS;
        const scope: AlarmScope = { context, names, topicArn: args.alarmTopicArn };
        const jobQueueArn = arns.batch(context, pulumi.interpolate`job-queue/${args.jobQueueName}`);

        this.jobEvents = new JobEvents(
            name,
            {
                alarmScope: scope,
                kmsKeyArn: args.kmsKeyArn,
                logRetentionDays: args.logRetentionDays,
                jobQueueArn,
                failures: settings.jobFailures,
            },
            child,
        );
        const ownAlarms = new AlarmSet(name, scope, child);
        if (settings.longRunningJobs.enabled) this.watchLongRunningJobs(name, args, ownAlarms, jobQueueArn);
        if (settings.ecrScanFindings.enabled) this.alertOnImageFindings(name, args);
        const serviceAlarms = new ServiceAlarms(
            name,
            { alarmScope: scope, settings, api: args.api, functions: args.functions },
            child,
        );
        this.alarmArns = [...this.jobEvents.alarmArns, ...ownAlarms.arns, ...serviceAlarms.alarmArns];

        const dashboardName = names.scoped("platform");
        this.dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName,
                dashboardBody: dashboardBody({
                    region: context.region,
                    jobQueueArn,
                    jobEventLogGroupName: this.jobEvents.logGroupName,
                    jobLogGroupName: args.jobLogGroupName,
                    api: args.api,
                    functionNames: (args.functions ?? []).map((f) => f.functionName),
                    alarmArns: [...this.alarmArns, ...(args.dashboardAlarmArns ?? [])],
                }),
            },
            child,
        );
        this.dashboardUrl = pulumi.interpolate`https://${consoleHost(context.partition)}/cloudwatch/home?region=${context.region}#dashboards/dashboard/${dashboardName}`;

        if (args.archiveJobLogs ?? true) this.archive = this.archiveJobLogs(name, args);
        this.registerOutputs({
            dashboardUrl: this.dashboardUrl,
            jobEventLogGroupName: this.jobEvents.logGroupName,
            alarmArns: this.alarmArns,
        });
    }

    private watchLongRunningJobs(
        name: string,
        args: ObservabilityArgs,
        alarms: AlarmSet,
        jobQueueArn: pulumi.Output<string>,
    ): void {
        const { names } = args;
        const hours = args.longRunningJobHours ?? 6;
        if (args.jobTimeoutSeconds !== undefined && args.jobTimeoutSeconds <= hours * 3600) {
            void pulumi.log.warn(
                `jobs time out after ${args.jobTimeoutSeconds} s, before the long-running limit of ${hours} h: ` +
                    "they are stopped and reported as failures first; lower longRunningJobHours to be told earlier",
                this,
            );
        }
        new LongRunningJobWatch(
            `${name}-long-running`,
            {
                context: args.context,
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                stateMachineName: names.scoped("long-running-jobs"),
                ruleName: names.scoped("job-running"),
                roleName: names.scoped("long-running-jobs"),
                startRoleName: names.scoped("long-running-jobs-start"),
                jobQueueArn,
                afterHours: hours,
                alarmTopicArn: args.alarmTopicArn,
                kmsKeyArn: args.kmsKeyArn,
            },
            { parent: this },
        );
        alarms.add("long-running-jobs", {
            description: `Batch jobs of the platform queue still running after ${hours} h. ${runbookLink("longRunningJobs")}`,
            settings: (args.alarms ?? ALARM_DEFAULTS).longRunningJobs,
            metric: jobMetric("LongRunningJobs", jobQueueArn),
        });
    }

    /** Critical or high findings of the job image's scan on push go to the alarm topic. */
    private alertOnImageFindings(name: string, args: ObservabilityArgs): void {
        const scanRule = new aws.cloudwatch.EventRule(
            `${name}-image-scan`,
            {
                name: args.names.scoped("image-scan-findings"),
                description: `The job image's scan on push found CRITICAL or HIGH vulnerabilities. ${runbookLink("ecrScanFindings")}`,
                eventPattern: pulumi.jsonStringify({
                    source: ["aws.ecr"],
                    "detail-type": ["ECR Image Scan"],
                    account: [args.context.accountId],
                    detail: {
                        "scan-status": ["COMPLETE"],
                        "repository-name": [args.repositoryName],
                        "finding-severity-counts": {
                            $or: [{ CRITICAL: [{ numeric: [">", 0] }] }, { HIGH: [{ numeric: [">", 0] }] }],
                        },
                    },
                }),
            },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(
            `${name}-image-scan-target`,
            { rule: scanRule.name, arn: args.alarmTopicArn },
            { parent: this },
        );
    }

    private archiveJobLogs(name: string, args: ObservabilityArgs): JobLogArchive {
        const { names } = args;
        return new JobLogArchive(
            `${name}-archive`,
            {
                context: args.context,
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                sourceLogGroupName: args.jobLogGroupName,
                bucketName: names.bucket("archive", args.context.accountId),
                deliveryStreamName: names.scoped("job-log-archive"),
                errorLogGroupName: `/aws/kinesisfirehose/${names.scoped("job-log-archive")}`,
                firehoseRoleName: names.scoped("job-log-archive-delivery"),
                subscriptionRoleName: names.scoped("job-log-archive-subscription"),
                kmsKeyArn: args.kmsKeyArn,
                logRetentionDays: args.logRetentionDays,
                accessLogs: { targetBucket: args.accessLogBucketName, targetPrefix: `${ACCESS_LOG_PREFIX}archive/` },
            },
            { parent: this },
        );
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
