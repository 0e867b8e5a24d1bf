/**
 * Alarm settings shared by the observability and audit components, the alarm topic every alarm and
 * alert rule notifies, and one helper that creates a CloudWatch alarm the same way everywhere.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { arns, AwsContext } from "./aws-context";
import { policyDocument } from "./iam-documents";

/** The configurable CloudWatch alarms, by their key in the `alarms` stack config. */
export const METRIC_ALARMS = [
    "jobFailures",
    "longRunningJobs",
    "api5xxRate",
    "api4xxCount",
    "lambdaErrors",
    "lambdaThrottles",
    "unauthorizedApiCalls",
    "iamPolicyChanges",
    "s3BucketPolicyChanges",
    "rejectedEgress",
] as const;
export type MetricAlarmName = (typeof METRIC_ALARMS)[number];

/** One alarm: it fires when the statistic reaches `threshold` in `evaluationPeriods` consecutive periods. */
export interface AlarmSettings {
    readonly enabled: boolean;
    /** Count per period, or a percentage for `api5xxRate`. Greater than zero. */
    readonly threshold: number;
    /** A multiple of 60 seconds. */
    readonly periodSeconds: number;
    /** Consecutive periods; periodSeconds x evaluationPeriods is at most one day. */
    readonly evaluationPeriods: number;
}

export type AlarmsConfig = { readonly [K in MetricAlarmName]: AlarmSettings } & {
    /** The ECR scan alert is an EventBridge rule, not a metric: it can only be switched off. */
    readonly ecrScanFindings: { readonly enabled: boolean };
};

const every5Minutes = (threshold: number): AlarmSettings => ({
    enabled: true,
    threshold,
    periodSeconds: 300,
    evaluationPeriods: 1,
});

/** Defaults of the `alarms` config object (each key may be given partly; the rest comes from here). */
export const ALARM_DEFAULTS: AlarmsConfig = {
    jobFailures: every5Minutes(1),
    longRunningJobs: every5Minutes(1),
    api5xxRate: every5Minutes(5),
    api4xxCount: every5Minutes(50),
    lambdaErrors: every5Minutes(1),
    lambdaThrottles: every5Minutes(1),
    unauthorizedApiCalls: every5Minutes(5),
    iamPolicyChanges: every5Minutes(1),
    s3BucketPolicyChanges: every5Minutes(1),
    rejectedEgress: every5Minutes(1),
    ecrScanFindings: { enabled: true },
};

/** The longest time CloudWatch evaluates an alarm over (period x evaluation periods), in seconds. */
export const MAX_ALARM_WINDOW_SECONDS = 86400;

/** The ARN of an alarm the stack names, known at preview (the provider's `arn` output is not). */
export function alarmArn(context: AwsContext, alarmName: pulumi.Input<string>): pulumi.Output<string> {
    return arns.alarm(context, alarmName);
}

export interface MetricAlarmSpec {
    readonly alarmName: pulumi.Input<string>;
    readonly description: pulumi.Input<string>;
    readonly settings: AlarmSettings;
    readonly topicArn: pulumi.Input<string>;
    /** A single metric ... */
    readonly metric?: {
        readonly namespace: string;
        readonly metricName: string;
        readonly statistic: "Sum" | "Average" | "Maximum";
        readonly dimensions?: Record<string, pulumi.Input<string>>;
    };
    /** ... or metric math: the query with `returnData: true` is compared with the threshold. */
    readonly metricQueries?: aws.types.input.cloudwatch.MetricAlarmMetricQuery[];
}

/**
 * A CloudWatch alarm that notifies the topic when it fires and when it recovers. Every metric here
 * counts events, so missing data means nothing happened (not breaching).
 */
export function createMetricAlarm(
    name: string,
    spec: MetricAlarmSpec,
    opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.MetricAlarm {
    const { settings } = spec;
    return new aws.cloudwatch.MetricAlarm(
        name,
        {
            name: spec.alarmName,
            alarmDescription: spec.description,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            threshold: settings.threshold,
            evaluationPeriods: settings.evaluationPeriods,
            treatMissingData: "notBreaching",
            alarmActions: [spec.topicArn],
            okActions: [spec.topicArn],
            ...(spec.metric !== undefined
                ? {
                      namespace: spec.metric.namespace,
                      metricName: spec.metric.metricName,
                      statistic: spec.metric.statistic,
                      dimensions: spec.metric.dimensions,
                      period: settings.periodSeconds,
                  }
                : { metricQueries: spec.metricQueries }),
        },
        opts,
    );
}

export interface AlarmTopicArgs {
    readonly context: AwsContext;
    /** Physical topic name, e.g. `atx-alarms`. */
    readonly topicName: string;
    /** The stack's key; its policy lets EventBridge and CloudWatch use it for this topic. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** E-mail addresses to subscribe (each must confirm the subscription). Default none. */
    readonly emails?: readonly string[];
    /** HTTPS endpoints to subscribe (they must confirm the subscription). Default none. */
    readonly httpsEndpoints?: readonly string[];
}

/**
 * The one SNS topic every alarm and alert rule of the stack notifies: KMS-encrypted, publishable only
 * by this account's EventBridge rules and CloudWatch alarms (and, through IAM, this account's roles,
 * such as the long-running-job watcher), over TLS.
 */
export class AlarmTopic extends pulumi.ComponentResource {
    readonly topic: aws.sns.Topic;
    /** Built from the name, so it is known at preview. */
    readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: AlarmTopicArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:observability:AlarmTopic", name, {}, opts);
        const child = { parent: this };
        const { accountId } = args.context;

        this.topic = new aws.sns.Topic(name, { name: args.topicName, kmsMasterKeyId: args.kmsKeyArn }, child);
        this.topicArn = arns.topic(args.context, this.topic.name);
        new aws.sns.TopicPolicy(
            `${name}-policy`,
            {
                arn: this.topic.arn,
                policy: policyDocument([
                    {
                        Sid: "EventBridgeRulesOfThisAccountPublish",
                        Effect: "Allow",
                        Principal: { Service: "events.amazonaws.com" },
                        Action: "sns:Publish",
                        Resource: this.topicArn,
                        Condition: {
                            StringEquals: { "aws:SourceAccount": accountId },
                            ArnLike: {
                                "aws:SourceArn": arns.eventRule(args.context, "*"),
                            },
                        },
                    },
                    {
                        Sid: "CloudWatchAlarmsOfThisAccountPublish",
                        Effect: "Allow",
                        Principal: { Service: "cloudwatch.amazonaws.com" },
                        Action: "sns:Publish",
                        Resource: this.topicArn,
                        Condition: {
                            StringEquals: { "aws:SourceAccount": accountId },
                            ArnLike: {
                                "aws:SourceArn": arns.alarm(args.context, "*"),
                            },
                        },
                    },
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "sns:Publish",
                        Resource: this.topicArn,
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ]),
            },
            child,
        );
        const subscriptions = [
            ...(args.emails ?? []).map((endpoint, i) => ({ protocol: "email", endpoint, position: i })),
            ...(args.httpsEndpoints ?? []).map((endpoint, i) => ({ protocol: "https", endpoint, position: i })),
        ];
        for (const { protocol, endpoint, position } of subscriptions) {
            // Named by the endpoint, so removing one address leaves the others (and their
            // confirmations) alone. The alias carries over a subscription deployed under its former
            // position name; if the list changed in the same update and the alias meets another
            // address, the endpoint differs and the provider replaces it, as the position name did.
            new aws.sns.TopicSubscription(
                subscriptionName(name, protocol, endpoint),
                { topic: this.topic.arn, protocol, endpoint },
                { ...child, aliases: [{ name: `${name}-${protocol}-${position}` }] },
            );
        }
        this.registerOutputs({ topicArn: this.topicArn });
    }
}

/** A subscription's resource name, from its protocol and endpoint (not its place in the list). */
export function subscriptionName(topicName: string, protocol: string, endpoint: string): string {
    const digest = crypto.createHash("sha256").update(endpoint).digest("hex").slice(0, 16);
    return `${topicName}-${protocol}-${digest}`;
}
