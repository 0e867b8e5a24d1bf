import type * as aws from "@pulumi/aws";
import * as assert from "assert";
import { AlarmTopic } from "../../components/alarms";
import { ALARM_DEFAULTS, type AlarmsConfig } from "../../components/alarm-settings";
import { DASHBOARD_QUERIES } from "../../components/dashboard";
import { ARCHIVE_PREFIX } from "../../components/log-archive";
import { platformNames } from "../../components/naming";
import { Observability, type ObservabilityArgs } from "../../components/observability";
import { API_5XX_MIN_REQUESTS } from "../../components/service-alarms";
import { type ResourceRecord } from "../../tools/common/resource-record";
import {
    ACCOUNT_ID,
    componentResources,
    inputsOf,
    json,
    principalOf,
    promiseOf,
    type ResourceTree,
    statementsOf,
    testContext,
} from "../support/mocks";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:atx-alarms-t";
const QUEUE_ARN = "arn:aws:batch:us-east-1:123456789012:job-queue/atx-job-queue-t";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";

function args(extra: Partial<ObservabilityArgs> = {}): ObservabilityArgs {
    return {
        context: testContext(),
        names: platformNames("-t"),
        kmsKeyArn: KEY_ARN,
        logRetentionDays: 30,
        alarmTopicArn: TOPIC_ARN,
        jobQueueName: "atx-job-queue-t",
        jobLogGroupName: "/aws/batch/atx-transform-t",
        repositoryName: "aws-transform-cli-t",
        accessLogBucketName: "atx-custom-logs-123456789012-t",
        ...extra,
    };
}

function withAlarm(key: keyof AlarmsConfig, settings: object): AlarmsConfig {
    return { ...ALARM_DEFAULTS, [key]: { ...ALARM_DEFAULTS[key], ...settings } };
}

/** The physical names of the alarms in a tree. */
const alarmNames = (tree: ResourceTree): (string | undefined)[] =>
    tree.ofType(ALARM).map((a) => inputsOf<aws.cloudwatch.MetricAlarmArgs>(a).name);

const alarmNamed = (tree: ResourceTree, alarmName: string) => {
    const found = tree.ofType(ALARM).filter((a) => inputsOf<aws.cloudwatch.MetricAlarmArgs>(a).name === alarmName);
    assert.strictEqual(found.length, 1, `alarm ${alarmName} among ${alarmNames(tree).join(", ")}`);
    return inputsOf<aws.cloudwatch.MetricAlarmArgs>(found[0]);
};

/** The target(s) of a rule, found by the rule's physical name. */
const targetsOf = (tree: ResourceTree, ruleName: string) =>
    tree
        .ofType(TARGET)
        .map((t) => inputsOf<aws.cloudwatch.EventTargetArgs>(t))
        .filter((t) => t.rule === ruleName);
const ruleNamed = (tree: ResourceTree, ruleName: string): ResourceRecord | undefined =>
    tree.ofType(RULE).find((r) => inputsOf<aws.cloudwatch.EventRuleArgs>(r).name === ruleName);

/** An EventBridge event pattern (or a nested part of one). */
type EventPattern = Readonly<Record<string, unknown>>;

/** The parsed event pattern of the rule of that physical name (fails when there is none). */
const patternOf = (tree: ResourceTree, ruleName: string): EventPattern => {
    const rule = ruleNamed(tree, ruleName);
    if (rule === undefined) throw new Error(`no rule named ${ruleName}`);
    return JSON.parse(inputsOf<aws.cloudwatch.EventRuleArgs>(rule).eventPattern ?? "null") as EventPattern;
};

const isObject = (value: unknown): value is EventPattern => typeof value === "object" && value !== null;

/**
 * EventBridge's matching for the pattern features used here: exact values, `numeric` comparisons,
 * `$or` and nested objects (a field missing from the event matches nothing).
 */
function matches(pattern: EventPattern, event: unknown): boolean {
    return Object.entries(pattern).every(([key, expected]) => {
        if (key === "$or") return (expected as EventPattern[]).some((alternative) => matches(alternative, event));
        const actual = isObject(event) ? event[key] : undefined;
        if (!Array.isArray(expected)) return isObject(actual) && matches(expected as EventPattern, actual);
        if (actual === undefined) return false;
        return (expected as unknown[]).some((rule) => {
            if (isObject(rule) && "numeric" in rule) {
                const [op, value] = rule.numeric as [string, number];
                return (
                    typeof actual === "number" && (op === ">" ? actual > value : op === ">=" ? actual >= value : false)
                );
            }
            return rule === actual;
        });
    });
}

/** A dashboard widget as the tests read it. */
interface DashboardWidget {
    readonly type: string;
    readonly properties: {
        readonly title?: string;
        readonly metrics?: readonly (readonly unknown[])[];
        readonly period?: number;
        readonly query?: string;
        readonly alarms?: readonly string[];
    };
}

/** The parts of the long-running-job watcher's state machine definition the tests read. */
interface WatcherDefinition {
    readonly States: {
        readonly WaitForLimit: { readonly Seconds: number };
        readonly DescribeJob: { readonly Resource: string };
        readonly StillRunning: { readonly Choices: readonly { readonly Next: string }[] };
        readonly CountLongRunningJob: {
            readonly Parameters: { readonly MetricData: readonly { readonly MetricName: string }[] };
        };
        readonly NotifyLongRunningJob: { readonly Parameters: { readonly TopicArn: string } };
    };
}

const batchEvent = (status: string, jobQueue = QUEUE_ARN) => ({
    source: "aws.batch",
    "detail-type": "Batch Job State Change",
    account: ACCOUNT_ID,
    detail: { jobName: "j", jobId: "1", jobQueue, status },
});
const scanEvent = (repository: string, counts: Record<string, number>, status = "COMPLETE") => ({
    source: "aws.ecr",
    "detail-type": "ECR Image Scan",
    account: ACCOUNT_ID,
    detail: { "scan-status": status, "repository-name": repository, "finding-severity-counts": counts },
});

describe("AlarmTopic", () => {
    it("is encrypted with the stack's key and publishable only by this account's EventBridge rules and alarms, over TLS", async () => {
        const tree = await componentResources(
            () =>
                new AlarmTopic("topic-policy", {
                    context: testContext(),
                    topicName: "atx-alarms-p",
                    kmsKeyArn: KEY_ARN,
                }),
        );
        const topic = inputsOf<aws.sns.TopicArgs>(tree.one("aws:sns/topic:Topic"));
        assert.deepStrictEqual([topic.name, topic.kmsMasterKeyId], ["atx-alarms-p", KEY_ARN]);
        const statements = statementsOf(tree.one("aws:sns/topicPolicy:TopicPolicy"), "policy");
        const allows = statements.filter((s) => s.Effect === "Allow");
        assert.deepStrictEqual(allows.map((s) => principalOf(s).Service).sort(), [
            "cloudwatch.amazonaws.com",
            "events.amazonaws.com",
        ]);
        for (const s of allows) {
            assert.strictEqual(s.Action, "sns:Publish");
            assert.strictEqual(s.Resource, "arn:aws:sns:us-east-1:123456789012:atx-alarms-p");
            assert.strictEqual(s.Condition?.StringEquals["aws:SourceAccount"], ACCOUNT_ID);
            assert.match(
                s.Condition?.ArnLike["aws:SourceArn"] as string,
                /^arn:aws:(events|cloudwatch):us-east-1:123456789012:(rule\/|alarm:)\*$/,
            );
        }
        const deny = statements.find((s) => s.Effect === "Deny");
        assert.deepStrictEqual(deny?.Condition, { Bool: { "aws:SecureTransport": "false" } });
        assert.strictEqual(tree.ofType("aws:sns/topicSubscription:TopicSubscription").length, 0);
    });

    it("subscribes the configured e-mail addresses and HTTPS endpoints", async () => {
        const tree = await componentResources(
            () =>
                new AlarmTopic("topic-subs", {
                    context: testContext(),
                    topicName: "atx-alarms-s",
                    kmsKeyArn: KEY_ARN,
                    emails: ["ops@example.com", "sec@example.com"],
                    httpsEndpoints: ["https://hooks.example.com/atx"],
                }),
        );
        const subscriptions = tree
            .ofType("aws:sns/topicSubscription:TopicSubscription")
            .map((s) => inputsOf<aws.sns.TopicSubscriptionArgs>(s))
            .map((s) => [s.protocol, s.endpoint]);
        assert.deepStrictEqual(subscriptions.sort(), [
            ["email", "ops@example.com"],
            ["email", "sec@example.com"],
            ["https", "https://hooks.example.com/atx"],
        ]);
    });

    it("names each subscription by its endpoint, so removing one leaves the others' names alone", async () => {
        const subscriptions = async (name: string, emails: string[]) =>
            (
                await componentResources(
                    () => new AlarmTopic(name, { context: testContext(), topicName: name, kmsKeyArn: KEY_ARN, emails }),
                )
            )
                .ofType("aws:sns/topicSubscription:TopicSubscription")
                .map((s) => ({
                    name: s.name.slice(name.length),
                    endpoint: inputsOf<aws.sns.TopicSubscriptionArgs>(s).endpoint,
                    aliases: s.aliases,
                }));
        const before = await subscriptions("topic-two", ["ops@example.com", "sec@example.com"]);
        const after = await subscriptions("topic-one", ["sec@example.com"]);
        assert.strictEqual(after[0].name, before.find((s) => s.endpoint === "sec@example.com")!.name);
        assert.notStrictEqual(before[0].name, before[1].name);
        assert.deepStrictEqual(before[1].aliases, [
            "urn:pulumi:test::atx-platform::atx:observability:AlarmTopic$aws:sns/topicSubscription:TopicSubscription::topic-two-email-1",
        ]);
    });
});

describe("Observability", () => {
    it("keeps every state change of this queue's jobs in an encrypted log group and counts them by status", async () => {
        const tree = await componentResources(() => new Observability("obs-events", args()));
        const groupRecord = tree.named("obs-events-job-events");
        assert.strictEqual(groupRecord.type, "aws:cloudwatch/logGroup:LogGroup");
        const group = inputsOf<aws.cloudwatch.LogGroupArgs>(groupRecord);
        assert.deepStrictEqual(
            [group.name, group.retentionInDays, group.kmsKeyId],
            ["/aws/events/atx-batch-jobs-t", 30, KEY_ARN],
        );
        const pattern = patternOf(tree, "atx-job-state-changes-t");
        assert.ok(matches(pattern, batchEvent("SUCCEEDED")) && matches(pattern, batchEvent("RUNNABLE")));
        assert.ok(
            !matches(pattern, batchEvent("FAILED", QUEUE_ARN.replace("-t", "-other"))),
            "another queue's events are not kept",
        );
        assert.deepStrictEqual(
            targetsOf(tree, "atx-job-state-changes-t").map((t) => t.arn),
            ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/atx-batch-jobs-t"],
        );
        const [resourcePolicy] = statementsOf(
            tree.one("aws:cloudwatch/logResourcePolicy:LogResourcePolicy"),
            "policyDocument",
        );
        assert.strictEqual(
            resourcePolicy.Resource,
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/atx-batch-jobs-t:*",
        );
        const metricFilters = tree
            .ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter")
            .map((f) => inputsOf<aws.cloudwatch.LogMetricFilterArgs>(f));
        const filters = metricFilters.map((f) => [f.metricTransformation.name, f.pattern]);
        assert.deepStrictEqual(filters.sort(), [
            ["JobsFailed", '{ $.detail.status = "FAILED" }'],
            ["JobsQueued", '{ $.detail.status = "RUNNABLE" }'],
            ["JobsStarted", '{ $.detail.status = "RUNNING" }'],
            ["JobsSucceeded", '{ $.detail.status = "SUCCEEDED" }'],
        ]);
        for (const f of metricFilters) {
            assert.deepStrictEqual(f.metricTransformation.dimensions, { JobQueue: "$.detail.jobQueue" });
        }
    });

    it("sends each FAILED job of this queue to the topic and alarms on the count", async () => {
        const tree = await componentResources(() => new Observability("obs-fail", args()));
        const pattern = patternOf(tree, "atx-job-failed-t");
        assert.ok(matches(pattern, batchEvent("FAILED")));
        assert.ok(!matches(pattern, batchEvent("SUCCEEDED")));
        assert.ok(
            !matches(pattern, batchEvent("FAILED", "arn:aws:batch:us-east-1:123456789012:job-queue/someone-elses")),
        );
        const targets = targetsOf(tree, "atx-job-failed-t");
        assert.deepStrictEqual(
            targets.map((t) => [t.arn, t.roleArn]),
            [[TOPIC_ARN, undefined]],
            "SNS targets use the topic policy, not a role",
        );
        const alarm = alarmNamed(tree, "atx-job-failures-t");
        assert.deepStrictEqual(
            [alarm.namespace, alarm.metricName, alarm.statistic, alarm.dimensions],
            ["ATX/Jobs", "JobsFailed", "Sum", { JobQueue: QUEUE_ARN }],
        );
        assert.deepStrictEqual(
            [alarm.threshold, alarm.period, alarm.evaluationPeriods, alarm.comparisonOperator],
            [1, 300, 1, "GreaterThanOrEqualToThreshold"],
        );
        assert.deepStrictEqual(
            [alarm.alarmActions, alarm.okActions, alarm.treatMissingData],
            [[TOPIC_ARN], [TOPIC_ARN], "notBreaching"],
        );
    });

    it("watches each job that starts running on this queue and reports it after the configured hours", async () => {
        const tree = await componentResources(() => new Observability("obs-long", args({ longRunningJobHours: 8 })));
        const pattern = patternOf(tree, "atx-job-running-t");
        assert.ok(matches(pattern, batchEvent("RUNNING")));
        assert.ok(!matches(pattern, batchEvent("RUNNING", "arn:aws:batch:us-east-1:123456789012:job-queue/other")));
        assert.ok(!matches(pattern, batchEvent("SUCCEEDED")));
        const machine = tree.one("aws:sfn/stateMachine:StateMachine");
        const definition = json(machine, "definition") as WatcherDefinition;
        assert.strictEqual(definition.States.WaitForLimit.Seconds, 8 * 3600);
        assert.strictEqual(definition.States.DescribeJob.Resource, "arn:aws:states:::aws-sdk:batch:describeJobs");
        assert.deepStrictEqual(
            definition.States.StillRunning.Choices.map((c) => c.Next),
            ["Done", "CountLongRunningJob"],
            "a job Batch no longer knows is not reported",
        );
        assert.strictEqual(
            definition.States.CountLongRunningJob.Parameters.MetricData[0].MetricName,
            "LongRunningJobs",
        );
        assert.strictEqual(definition.States.NotifyLongRunningJob.Parameters.TopicArn, TOPIC_ARN);
        const [target] = targetsOf(tree, "atx-job-running-t");
        assert.strictEqual(target.arn, machine.outputs.arn as string);
        const startPolicy = statementsOf(tree.named("obs-long-long-running-start-role-policy"), "policy");
        assert.deepStrictEqual(
            startPolicy.map((s) => [s.Action, s.Resource]),
            [["states:StartExecution", "arn:aws:states:us-east-1:123456789012:stateMachine:atx-long-running-jobs-t"]],
        );
        const watcherPolicy = statementsOf(tree.named("obs-long-long-running-role-policy"), "policy");
        const publish = watcherPolicy.find((s) => s.Action === "sns:Publish");
        assert.strictEqual(publish?.Resource, TOPIC_ARN);
        const putMetric = watcherPolicy.find((s) => s.Action === "cloudwatch:PutMetricData");
        assert.deepStrictEqual(putMetric?.Condition, { StringEquals: { "cloudwatch:namespace": "ATX/Jobs" } });
        const alarm = alarmNamed(tree, "atx-long-running-jobs-t");
        assert.deepStrictEqual(
            [alarm.metricName, alarm.dimensions, alarm.threshold, alarm.alarmActions],
            ["LongRunningJobs", { JobQueue: QUEUE_ARN }, 1, [TOPIC_ARN]],
        );
    });

    it("alerts the topic on CRITICAL or HIGH scan findings of this repository only", async () => {
        const tree = await componentResources(() => new Observability("obs-scan", args()));
        const pattern = patternOf(tree, "atx-image-scan-findings-t");
        assert.ok(matches(pattern, scanEvent("aws-transform-cli-t", { CRITICAL: 1 })));
        assert.ok(matches(pattern, scanEvent("aws-transform-cli-t", { HIGH: 3, LOW: 2 })));
        assert.ok(!matches(pattern, scanEvent("aws-transform-cli-t", { MEDIUM: 4, LOW: 1 })), "medium findings only");
        assert.ok(!matches(pattern, scanEvent("aws-transform-cli-t", { CRITICAL: 0 })));
        assert.ok(
            !matches(pattern, scanEvent("aws-transform-cli", { CRITICAL: 1 })),
            "prod's repository from the dev stack",
        );
        assert.ok(!matches(pattern, scanEvent("aws-transform-cli-t", { CRITICAL: 1 }, "FAILED")));
        assert.deepStrictEqual(
            targetsOf(tree, "atx-image-scan-findings-t").map((t) => t.arn),
            [TOPIC_ARN],
        );
    });

    it("alarms on the API's 5XX rate and 4XX volume, and on each function's errors and throttles, when given", async () => {
        const tree = await componentResources(
            () =>
                new Observability(
                    "obs-api",
                    args({
                        api: { restApiName: "atx-api-t", stageName: "prod" },
                        functions: [{ functionName: "atx-submit-t" }, { functionName: "atx-status-t" }],
                    }),
                ),
        );
        const rate = alarmNamed(tree, "atx-api-5xx-rate-t");
        assert.strictEqual(rate.threshold, 5);
        const queries = rate.metricQueries ?? [];
        const byId = Object.fromEntries(queries.map((q) => [q.id, q]));
        assert.deepStrictEqual(byId.errors.metric, {
            namespace: "AWS/ApiGateway",
            metricName: "5XXError",
            period: 300,
            stat: "Sum",
            dimensions: { ApiName: "atx-api-t", Stage: "prod" },
        });
        assert.strictEqual(byId.requests.metric?.metricName, "Count");
        assert.strictEqual(byId.rate.expression, `IF(requests >= ${API_5XX_MIN_REQUESTS}, 100 * errors / requests, 0)`);
        assert.deepStrictEqual(
            queries.filter((q) => q.returnData).map((q) => q.id),
            ["rate"],
        );
        assert.deepStrictEqual(rate.alarmActions, [TOPIC_ARN]);
        const volume = alarmNamed(tree, "atx-api-4xx-volume-t");
        assert.deepStrictEqual(
            [volume.namespace, volume.metricName, volume.statistic, volume.threshold],
            ["AWS/ApiGateway", "4XXError", "Sum", 50],
        );
        for (const [i, functionName] of ["atx-submit-t", "atx-status-t"].entries()) {
            const errors = alarmNamed(tree, `atx-lambda-errors-${i}-t`);
            assert.deepStrictEqual(
                [errors.namespace, errors.metricName, errors.dimensions, errors.threshold, errors.alarmActions],
                ["AWS/Lambda", "Errors", { FunctionName: functionName }, 1, [TOPIC_ARN]],
            );
            const throttles = alarmNamed(tree, `atx-lambda-throttles-${i}-t`);
            assert.deepStrictEqual(
                [throttles.metricName, throttles.dimensions],
                ["Throttles", { FunctionName: functionName }],
            );
        }
    });

    it("names each function's alarms by the id given", async () => {
        const tree = await componentResources(
            () => new Observability("obs-fnid", args({ functions: [{ functionName: "atx-api-jobs-t", id: "jobs" }] })),
        );
        assert.deepStrictEqual(alarmNamed(tree, "atx-lambda-errors-jobs-t").dimensions, {
            FunctionName: "atx-api-jobs-t",
        });
        assert.deepStrictEqual(alarmNamed(tree, "atx-lambda-throttles-jobs-t").dimensions, {
            FunctionName: "atx-api-jobs-t",
        });
    });

    it("has no API or Lambda alarms when none are given", async () => {
        const tree = await componentResources(() => new Observability("obs-noapi", args({ functions: [] })));
        assert.deepStrictEqual(alarmNames(tree).sort(), ["atx-job-failures-t", "atx-long-running-jobs-t"]);
    });

    it("follows the config: switched-off alarms and their rules disappear, thresholds and periods change", async () => {
        let alarms = withAlarm("jobFailures", { enabled: false });
        alarms = {
            ...alarms,
            longRunningJobs: { ...alarms.longRunningJobs, enabled: false },
            ecrScanFindings: { enabled: false },
        };
        alarms = {
            ...alarms,
            api4xxCount: { ...alarms.api4xxCount, enabled: false },
            lambdaThrottles: { ...alarms.lambdaThrottles, enabled: false },
        };
        alarms = {
            ...alarms,
            api5xxRate: { enabled: true, threshold: 12.5, periodSeconds: 600, evaluationPeriods: 3 },
        };
        const tree = await componentResources(
            () =>
                new Observability(
                    "obs-off",
                    args({ alarms, api: { restApiName: "a", stageName: "prod" }, functions: [{ functionName: "f" }] }),
                ),
        );
        assert.deepStrictEqual(alarmNames(tree).sort(), ["atx-api-5xx-rate-t", "atx-lambda-errors-0-t"]);
        assert.strictEqual(ruleNamed(tree, "atx-job-failed-t"), undefined);
        assert.strictEqual(ruleNamed(tree, "atx-image-scan-findings-t"), undefined);
        assert.strictEqual(tree.ofType("aws:sfn/stateMachine:StateMachine").length, 0);
        assert.ok(ruleNamed(tree, "atx-job-state-changes-t"), "job events are still kept and counted");
        const rate = alarmNamed(tree, "atx-api-5xx-rate-t");
        assert.deepStrictEqual(
            [rate.threshold, rate.evaluationPeriods, rate.metricQueries?.[0].metric?.period],
            [12.5, 3, 600],
        );

        const changed = await componentResources(
            () =>
                new Observability(
                    "obs-thr",
                    args({
                        alarms: withAlarm("jobFailures", { threshold: 4, periodSeconds: 3600, evaluationPeriods: 2 }),
                    }),
                ),
        );
        const failures = alarmNamed(changed, "atx-job-failures-t");
        assert.deepStrictEqual([failures.threshold, failures.period, failures.evaluationPeriods], [4, 3600, 2]);
    });

    it("builds a dashboard of job outcomes, recent jobs, API and Lambda metrics and every alarm's state", async () => {
        let observability: Observability | undefined;
        const extra = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:atx-audit-iam-policy-changes-t";
        const tree = await componentResources(
            () =>
                (observability = new Observability(
                    "obs-dash",
                    args({
                        api: { restApiName: "atx-api-t", stageName: "prod" },
                        functions: [{ functionName: "atx-submit-t" }],
                        dashboardAlarmArns: [extra],
                    }),
                )),
        );
        const dashboard = tree.one("aws:cloudwatch/dashboard:Dashboard");
        assert.strictEqual(dashboard.inputs.dashboardName, "atx-platform-t");
        const { widgets } = json(dashboard, "dashboardBody") as { readonly widgets: readonly DashboardWidget[] };
        const metricsOf = (title: RegExp) =>
            widgets.find((w) => title.test(w.properties.title ?? ""))?.properties.metrics;
        const completion = metricsOf(/completed vs failed/);
        assert.deepStrictEqual(
            completion?.map((m) => m.slice(0, 4)),
            [
                ["ATX/Jobs", "JobsSucceeded", "JobQueue", QUEUE_ARN],
                ["ATX/Jobs", "JobsFailed", "JobQueue", QUEUE_ARN],
            ],
        );
        assert.strictEqual(
            widgets.find((w) => /completed vs failed/.test(w.properties.title ?? ""))?.properties.period,
            3600,
        );
        const queries = widgets.filter((w) => w.type === "log").map((w) => w.properties.query);
        assert.ok(
            queries.includes(`SOURCE '/aws/events/atx-batch-jobs-t' | ${DASHBOARD_QUERIES.recentJobs}`),
            queries.join("\n"),
        );
        assert.ok(queries.includes(`SOURCE '/aws/events/atx-batch-jobs-t' | ${DASHBOARD_QUERIES.jobsByCurrentStatus}`));
        assert.ok(queries.includes(`SOURCE '/aws/batch/atx-transform-t' | ${DASHBOARD_QUERIES.lastMessagePerJob}`));
        assert.ok(metricsOf(/API requests/)?.some((m) => m[1] === "5XXError" && m.includes("atx-api-t")));
        assert.ok(metricsOf(/Lambda duration/)?.some((m) => m[1] === "Duration" && m[3] === "atx-submit-t"));
        const alarmWidget = widgets.find((w) => w.type === "alarm");
        const alarmArns = alarmNames(tree).map(
            (name) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${String(name)}`,
        );
        assert.deepStrictEqual([...(alarmWidget?.properties.alarms ?? [])].sort(), [...alarmArns, extra].sort());
        assert.strictEqual(
            await promiseOf(observability!.dashboardUrl),
            "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/atx-platform-t",
        );
    });

    it("archives the job logs through Firehose to a KMS-encrypted bucket that moves them to colder storage", async () => {
        const tree = await componentResources(() => new Observability("obs-arch", args()));
        const bucket = inputsOf<aws.s3.BucketArgs>(tree.one("aws:s3/bucket:Bucket"));
        assert.strictEqual(bucket.bucket, "atx-custom-archive-123456789012-t");
        const [sse] = inputsOf<aws.s3.BucketServerSideEncryptionConfigurationArgs>(
            tree.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
        ).rules;
        assert.deepStrictEqual(sse.applyServerSideEncryptionByDefault, {
            sseAlgorithm: "aws:kms",
            kmsMasterKeyId: KEY_ARN,
        });
        const logging = inputsOf<aws.s3.BucketLoggingArgs>(tree.one("aws:s3/bucketLogging:BucketLogging"));
        assert.deepStrictEqual(
            [logging.targetBucket, logging.targetPrefix],
            ["atx-custom-logs-123456789012-t", "s3-access/archive/"],
        );
        const { rules } = inputsOf<aws.s3.BucketLifecycleConfigurationArgs>(
            tree.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"),
        );
        const transitions = rules?.find((r) => r.transitions)?.transitions?.map((t) => t.storageClass);
        assert.deepStrictEqual(transitions, ["GLACIER_IR", "DEEP_ARCHIVE"]);

        const streamRecord = tree.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
        const stream = inputsOf<aws.kinesis.FirehoseDeliveryStreamArgs>(streamRecord);
        const s3 = stream.extendedS3Configuration!;
        assert.strictEqual(s3.bucketArn, "arn:aws:s3:::atx-custom-archive-123456789012-t");
        assert.strictEqual(s3.kmsKeyArn, KEY_ARN);
        assert.ok(s3.prefix?.startsWith(ARCHIVE_PREFIX));
        assert.deepStrictEqual(stream.serverSideEncryption, {
            enabled: true,
            keyType: "CUSTOMER_MANAGED_CMK",
            keyArn: KEY_ARN,
        });
        const subscription = inputsOf<aws.cloudwatch.LogSubscriptionFilterArgs>(
            tree.one("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"),
        );
        assert.deepStrictEqual(
            [subscription.logGroup, subscription.filterPattern, subscription.destinationArn],
            ["/aws/batch/atx-transform-t", "", streamRecord.outputs.arn as string],
        );

        const streamArn = "arn:aws:firehose:us-east-1:123456789012:deliverystream/atx-job-log-archive-t";
        const subscriptionPolicy = statementsOf(tree.named("obs-arch-archive-subscription-policy"), "policy");
        assert.deepStrictEqual(
            subscriptionPolicy.map((s) => [s.Action, s.Resource]),
            [[["firehose:PutRecord", "firehose:PutRecordBatch"], streamArn]],
        );
        const [trust] = statementsOf(tree.named("obs-arch-archive-subscription-role"), "assumeRolePolicy");
        assert.deepStrictEqual(trust.Principal, { Service: "logs.amazonaws.com" });
        const firehosePolicy = statementsOf(tree.named("obs-arch-archive-firehose-policy"), "policy");
        for (const s of firehosePolicy) {
            for (const resource of [s.Resource].flat()) {
                assert.ok(
                    resource !== undefined &&
                        (resource.includes("atx-custom-archive-123456789012-t") ||
                            resource === KEY_ARN ||
                            resource.includes(":log-group:/aws/kinesisfirehose/atx-job-log-archive-t:")),
                    `${s.Sid}: ${String(resource)}`,
                );
            }
        }
        const kms = firehosePolicy.find((s) => s.Sid === "EncryptArchiveObjects");
        assert.strictEqual(kms?.Condition?.StringEquals["kms:ViaService"], "s3.us-east-1.amazonaws.com");
    });

    it("can leave the archive out", async () => {
        const tree = await componentResources(() => new Observability("obs-noarch", args({ archiveJobLogs: false })));
        assert.strictEqual(tree.ofType("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").length, 0);
        assert.strictEqual(tree.ofType("aws:s3/bucket:Bucket").length, 0);
    });

    it("encrypts every log group it creates with the key and keeps it for the configured retention", async () => {
        const tree = await componentResources(() => new Observability("obs-logs", args({ logRetentionDays: 90 })));
        const groups = tree.ofType("aws:cloudwatch/logGroup:LogGroup");
        assert.strictEqual(groups.length, 2);
        for (const g of groups)
            assert.deepStrictEqual([g.inputs.retentionInDays, g.inputs.kmsKeyId], [90, KEY_ARN], g.name);
    });
});
