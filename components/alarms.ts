/**
 * The alarm topic every alarm and alert rule notifies, and one helper that creates a CloudWatch
 * alarm the same way everywhere (the settings' schema is in alarm-settings.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { arns, type AwsContext } from "./aws-context";
import { type AlarmSettings } from "./alarm-settings";
import { policyDocument } from "./iam-documents";

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
