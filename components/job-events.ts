/**
 * Job state events of the platform queue: kept in a KMS-encrypted log group, counted into the
 * ATX/Jobs metrics by metric filters, and each FAILED job sent to the alarm topic and alarmed.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { adoptedChildOptions } from "./adopted";
import { type AlarmSettings } from "./alarm-settings";
import { type AlarmScope, AlarmSet } from "./alarm-set";
import { arns } from "./aws-context";
import { policyDocument } from "./iam-documents";
import { createEncryptedLogGroup } from "./log-group";
import { JOB_METRICS_NAMESPACE } from "./long-running-jobs";
import { runbookLink } from "./runbooks";

/** Job state change events counted into metrics (namespace ATX/Jobs, dimension JobQueue = the queue ARN). */
export const JOB_STATE_METRICS = {
    JobsSucceeded: "SUCCEEDED",
    JobsFailed: "FAILED",
    JobsStarted: "RUNNING",
    JobsQueued: "RUNNABLE",
} as const;

/** A metric of the ATX/Jobs namespace for one queue, as alarms and the dashboard read it. */
export function jobMetric(metricName: string, jobQueueArn: pulumi.Input<string>) {
    return {
        namespace: JOB_METRICS_NAMESPACE,
        metricName,
        statistic: "Sum" as const,
        dimensions: { JobQueue: jobQueueArn },
    };
}

export interface JobEventsArgs {
    readonly alarmScope: AlarmScope;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** The queue whose jobs are followed; events of other queues are ignored. */
    readonly jobQueueArn: pulumi.Input<string>;
    /** Failure notices and the failure alarm; none when disabled. */
    readonly failures: AlarmSettings;
}

/** The component's name prefixes its resources' names, as when they were the Observability's own. */
export class JobEvents extends pulumi.ComponentResource {
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly logGroupName: string;
    readonly alarmArns: pulumi.Output<string>[];

    constructor(name: string, args: JobEventsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:observability:JobEvents", name, {}, opts);
        const child = adoptedChildOptions(this, opts);
        const { context, names, topicArn } = args.alarmScope;

        // Kept: the record behind the counts, the dashboard's job queries, where an investigation starts.
        this.logGroupName = `/aws/events/${names.scoped("batch-jobs")}`;
        const logGroupArn = arns.logGroup(context, this.logGroupName);
        this.logGroup = createEncryptedLogGroup(
            `${name}-job-events`,
            { logGroupName: this.logGroupName, retentionDays: args.logRetentionDays, kmsKeyArn: args.kmsKeyArn },
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
                        Resource: pulumi.interpolate`${logGroupArn}:*`,
                    },
                ]),
            },
            child,
        );
        const rule = jobStateRule(`${name}-job-events`, "job-state-changes", args, child, {
            description: "Every state change of the platform queue's jobs, kept in CloudWatch Logs",
        });
        new aws.cloudwatch.EventTarget(
            `${name}-job-events-target`,
            { rule: rule.name, arn: logGroupArn },
            { ...child, dependsOn: [this.logGroup, eventsToLogs] },
        );
        // EventBridge cannot put a metric and Batch publishes none: a metric filter on the kept
        // events is the counter (no code, no polling, each count next to its event).
        for (const [metricName, status] of Object.entries(JOB_STATE_METRICS)) {
            new aws.cloudwatch.LogMetricFilter(
                `${name}-${metricName}`,
                {
                    name: metricName,
                    logGroupName: this.logGroup.name,
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

        const alarms = new AlarmSet(name, args.alarmScope, child);
        if (args.failures.enabled) {
            // Immediate notice, one message per failed job (the event names the job and its reason) ...
            const failed = jobStateRule(`${name}-job-failed`, "job-failed", args, child, {
                description: `A job of the platform queue FAILED. ${runbookLink("jobFailures")}`,
                status: ["FAILED"],
            });
            new aws.cloudwatch.EventTarget(`${name}-job-failed-target`, { rule: failed.name, arn: topicArn }, child);
            // ... and the count, alarmed at the configured threshold.
            alarms.add("job-failures", {
                description: `Batch jobs of the platform queue failed (JobsFailed, from job state events). ${runbookLink("jobFailures")}`,
                settings: args.failures,
                metric: jobMetric("JobsFailed", args.jobQueueArn),
            });
        }
        this.alarmArns = alarms.arns;
        this.registerOutputs({ logGroupName: this.logGroupName, alarmArns: this.alarmArns });
    }
}

/** A rule on the queue's job state changes (optionally only some statuses). */
function jobStateRule(
    resourceName: string,
    id: string,
    args: JobEventsArgs,
    opts: pulumi.CustomResourceOptions,
    match: { readonly description: string; readonly status?: string[] },
): aws.cloudwatch.EventRule {
    const detail = { jobQueue: [args.jobQueueArn], ...(match.status ? { status: match.status } : {}) };
    return new aws.cloudwatch.EventRule(
        resourceName,
        {
            name: args.alarmScope.names.scoped(id),
            description: match.description,
            eventPattern: pulumi.jsonStringify({
                source: ["aws.batch"],
                "detail-type": ["Batch Job State Change"],
                detail,
            }),
        },
        opts,
    );
}
