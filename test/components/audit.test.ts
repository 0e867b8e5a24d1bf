import type * as aws from "@pulumi/aws";
import * as assert from "assert";
import { ALARM_DEFAULTS } from "../../components/alarm-settings";
import { Audit, AUDIT_FILTERS, type AuditArgs } from "../../components/audit";
import { platformNames } from "../../components/naming";
import { ACCOUNT_ID, componentResources, inputsOf, promiseOf, statementsOf, testContext } from "../support/mocks";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:atx-alarms-t";
const OUTPUT_ARN = "arn:aws:s3:::atx-custom-output-123456789012-t";
const SOURCE_ARN = "arn:aws:s3:::atx-custom-source-123456789012-t";
const TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/atx-audit-trail-t";
const TRAIL = "aws:cloudtrail/trail:Trail";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

function args(extra: Partial<AuditArgs> = {}): AuditArgs {
    return {
        context: testContext(),
        names: platformNames("-t"),
        kmsKeyArn: KEY_ARN,
        accessLogBucketName: "atx-custom-logs-123456789012-t",
        dataEventBucketArns: [OUTPUT_ARN, SOURCE_ARN],
        ...extra,
    };
}
const withCloudWatch = (extra: Partial<AuditArgs> = {}) =>
    args({ logsToCloudWatch: true, alarmTopicArn: TOPIC_ARN, logRetentionDays: 60, ...extra });

/** CloudWatch Logs filter-pattern semantics for the JSON patterns used here (=, !=, *, &&, ||, parentheses). */
function filterMatches(pattern: string, event: Record<string, string>): boolean {
    const expression = pattern
        .trim()
        .replace(/^\{|\}$/g, "")
        .replace(/\$\.(\w+)\s*(!=|=)\s*("[^"]*"|[\w.*-]+)/g, (_: string, field: string, op: string, raw: string) => {
            const value = raw.replace(/^"|"$/g, "");
            const regex = new RegExp(
                `^${value
                    .split("*")
                    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
                    .join(".*")}$`,
            );
            const equal = event[field] !== undefined && regex.test(event[field]);
            return String(op === "=" ? equal : !equal);
        });
    return evaluateBoolean(expression);
}

/** Evaluates what a pattern reduces to: `true`, `false`, `&&` (binding tighter), `||` and parentheses. */
function evaluateBoolean(expression: string): boolean {
    const tokens = expression.match(/true|false|&&|\|\||[()]/g) ?? [];
    if (tokens.join("") !== expression.replace(/\s+/g, "")) throw new Error(`cannot evaluate ${expression}`);
    let at = 0;
    const operand = (): boolean => {
        const token = tokens[at++];
        if (token === "true" || token === "false") return token === "true";
        if (token !== "(") throw new Error(`unexpected ${token} in ${expression}`);
        const value = disjunction();
        if (tokens[at++] !== ")") throw new Error(`unbalanced parentheses in ${expression}`);
        return value;
    };
    const conjunction = (): boolean => {
        let value = operand();
        while (tokens[at] === "&&") {
            at++;
            const right = operand();
            value = value && right;
        }
        return value;
    };
    const disjunction = (): boolean => {
        let value = conjunction();
        while (tokens[at] === "||") {
            at++;
            const right = conjunction();
            value = value || right;
        }
        return value;
    };
    const value = disjunction();
    if (at !== tokens.length) throw new Error(`trailing ${tokens.slice(at).join(" ")} in ${expression}`);
    return value;
}

describe("Audit", () => {
    it("records every region's management events and the platform buckets' data events, validated and KMS-encrypted", async () => {
        let audit: Audit | undefined;
        const tree = await componentResources(() => (audit = new Audit("aud-trail", args())));
        const trail = tree.one(TRAIL);
        const t = trail.inputs;
        assert.deepStrictEqual(
            [
                t.name,
                t.isMultiRegionTrail,
                t.includeGlobalServiceEvents,
                t.enableLogFileValidation,
                t.enableLogging,
                t.kmsKeyId,
            ],
            ["atx-audit-trail-t", true, true, true, true, KEY_ARN],
        );
        assert.strictEqual(t.s3BucketName, "atx-custom-trail-123456789012-t");
        assert.deepStrictEqual(t.eventSelectors, [
            {
                readWriteType: "All",
                includeManagementEvents: true,
                dataResources: [{ type: "AWS::S3::Object", values: [`${OUTPUT_ARN}/`, `${SOURCE_ARN}/`] }],
            },
        ]);
        assert.strictEqual(await promiseOf(audit!.trailArn), TRAIL_ARN);
        const policy = tree.named("aud-trail-trail-bucket-policy");
        assert.ok(
            trail.dependencies.includes(policy.urn),
            "the trail is created after the bucket policy CloudTrail checks",
        );
        assert.strictEqual(t.cloudWatchLogsGroupArn, undefined);
        assert.strictEqual(tree.ofType("aws:cloudwatch/logGroup:LogGroup").length, 0);
        assert.strictEqual(tree.ofType(ALARM).length, 0);
    });

    it("delivers to its own KMS-encrypted, access-logged bucket whose policy lets only this trail in", async () => {
        const tree = await componentResources(() => new Audit("aud-bucket", args()));
        const sse = inputsOf<aws.s3.BucketServerSideEncryptionConfigurationArgs>(
            tree.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
        ).rules[0];
        assert.deepStrictEqual(sse.applyServerSideEncryptionByDefault, {
            sseAlgorithm: "aws:kms",
            kmsMasterKeyId: KEY_ARN,
        });
        const logging = tree.one("aws:s3/bucketLogging:BucketLogging").inputs;
        assert.deepStrictEqual(
            [logging.targetBucket, logging.targetPrefix],
            ["atx-custom-logs-123456789012-t", "s3-access/trail/"],
        );
        assert.strictEqual(
            inputsOf<aws.s3.BucketOwnershipControlsArgs>(
                tree.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls"),
            ).rule.objectOwnership,
            "BucketOwnerEnforced",
        );

        const statements = statementsOf(tree.one("aws:s3/bucketPolicy:BucketPolicy"), "policy");
        const allows = statements.filter((s) => s.Effect === "Allow");
        const bucket = "arn:aws:s3:::atx-custom-trail-123456789012-t";
        assert.deepStrictEqual(allows, [
            {
                Sid: "AWSCloudTrailAclCheck",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "s3:GetBucketAcl",
                Resource: bucket,
                Condition: { StringEquals: { "aws:SourceArn": TRAIL_ARN } },
            },
            {
                Sid: "AWSCloudTrailWrite",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${bucket}/AWSLogs/${ACCOUNT_ID}/*`,
                Condition: {
                    StringEquals: { "aws:SourceArn": TRAIL_ARN, "s3:x-amz-acl": "bucket-owner-full-control" },
                },
            },
        ]);
        assert.ok(
            statements.some((s) => s.Sid === "DenyInsecureTransport"),
            "the secure bucket's denials stay",
        );
    });

    it("optionally delivers to an encrypted log group through a role that can write only there", async () => {
        const tree = await componentResources(() => new Audit("aud-cwl", withCloudWatch()));
        const group = tree.one("aws:cloudwatch/logGroup:LogGroup").inputs;
        assert.deepStrictEqual(
            [group.name, group.retentionInDays, group.kmsKeyId],
            ["/aws/cloudtrail/atx-audit-trail-t", 60, KEY_ARN],
        );
        const trail = tree.one(TRAIL);
        assert.strictEqual(
            trail.inputs.cloudWatchLogsGroupArn,
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/atx-audit-trail-t:*",
        );
        const role = tree.one("aws:iam/role:Role");
        assert.strictEqual(trail.inputs.cloudWatchLogsRoleArn, role.outputs.arn);
        assert.deepStrictEqual(statementsOf(role, "assumeRolePolicy")[0].Principal, {
            Service: "cloudtrail.amazonaws.com",
        });
        const [statement] = statementsOf(tree.one("aws:iam/rolePolicy:RolePolicy"), "policy");
        assert.deepStrictEqual(statement.Action, ["logs:CreateLogStream", "logs:PutLogEvents"]);
        assert.strictEqual(
            statement.Resource,
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/atx-audit-trail-t:log-stream:123456789012_CloudTrail_us-east-1*",
        );
    });

    it("counts unauthorized calls, IAM policy changes and bucket policy changes, each alarmed to the topic", async () => {
        let audit: Audit | undefined;
        const tree = await componentResources(() => (audit = new Audit("aud-alarms", withCloudWatch())));
        const filters = tree
            .ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter")
            .map((f) => inputsOf<aws.cloudwatch.LogMetricFilterArgs>(f));
        assert.deepStrictEqual(filters.map((f) => f.metricTransformation.name).sort(), [
            "IamPolicyChanges",
            "S3BucketPolicyChanges",
            "UnauthorizedApiCalls",
        ]);
        for (const f of filters) {
            assert.strictEqual(f.logGroupName, "/aws/cloudtrail/atx-audit-trail-t");
            assert.strictEqual(f.metricTransformation.namespace, "ATX/Audit/atx-audit-trail-t");
            assert.ok(f.pattern.length <= 1024, `${f.name} pattern fits CloudWatch's 1024 characters`);
        }
        const expected: [string, string, number][] = [
            [
                "atx-audit-unauthorized-api-calls-t",
                "UnauthorizedApiCalls",
                ALARM_DEFAULTS.unauthorizedApiCalls.threshold,
            ],
            ["atx-audit-iam-policy-changes-t", "IamPolicyChanges", 1],
            ["atx-audit-s3-bucket-policy-changes-t", "S3BucketPolicyChanges", 1],
        ];
        for (const [alarmName, metricName, threshold] of expected) {
            const alarm = tree.ofType(ALARM).find((a) => a.inputs.name === alarmName)!.inputs;
            assert.deepStrictEqual(
                [
                    alarm.namespace,
                    alarm.metricName,
                    alarm.statistic,
                    alarm.threshold,
                    alarm.comparisonOperator,
                    alarm.alarmActions,
                ],
                [
                    "ATX/Audit/atx-audit-trail-t",
                    metricName,
                    "Sum",
                    threshold,
                    "GreaterThanOrEqualToThreshold",
                    [TOPIC_ARN],
                ],
            );
        }
        const arns = await Promise.all(audit!.alarmArns.map(promiseOf));
        assert.deepStrictEqual(
            arns,
            expected.map(([n]) => `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${n}`),
        );
    });

    it("matches the checklist's events with its filter patterns, and not everyday calls", () => {
        const match = (key: keyof typeof AUDIT_FILTERS, event: Record<string, string>) =>
            filterMatches(AUDIT_FILTERS[key].pattern, event);
        assert.ok(
            match("unauthorizedApiCalls", {
                errorCode: "AccessDenied",
                eventName: "GetObject",
                sourceIPAddress: "10.0.0.1",
            }),
        );
        assert.ok(
            match("unauthorizedApiCalls", {
                errorCode: "Client.UnauthorizedOperation",
                eventName: "RunInstances",
                sourceIPAddress: "1.2.3.4",
            }),
        );
        assert.ok(
            !match("unauthorizedApiCalls", {
                errorCode: "AccessDenied",
                eventName: "HeadBucket",
                sourceIPAddress: "1.2.3.4",
            }),
        );
        assert.ok(
            !match("unauthorizedApiCalls", {
                errorCode: "ThrottlingException",
                eventName: "GetObject",
                sourceIPAddress: "1.2.3.4",
            }),
        );
        assert.ok(!match("unauthorizedApiCalls", { eventName: "GetObject", sourceIPAddress: "1.2.3.4" }));
        for (const eventName of [
            "PutRolePolicy",
            "AttachRolePolicy",
            "CreatePolicyVersion",
            "DeleteUserPolicy",
            "PutRolePermissionsBoundary",
        ]) {
            assert.ok(match("iamPolicyChanges", { eventSource: "iam.amazonaws.com", eventName }), eventName);
        }
        assert.ok(!match("iamPolicyChanges", { eventSource: "iam.amazonaws.com", eventName: "GetRolePolicy" }));
        assert.ok(!match("iamPolicyChanges", { eventSource: "s3.amazonaws.com", eventName: "PutBucketPolicy" }));
        for (const eventName of [
            "PutBucketPolicy",
            "DeleteBucketPolicy",
            "PutBucketAcl",
            "PutBucketPublicAccessBlock",
        ]) {
            assert.ok(match("s3BucketPolicyChanges", { eventSource: "s3.amazonaws.com", eventName }), eventName);
        }
        assert.ok(!match("s3BucketPolicyChanges", { eventSource: "s3.amazonaws.com", eventName: "GetBucketPolicy" }));
        assert.ok(!match("s3BucketPolicyChanges", { eventSource: "s3.amazonaws.com", eventName: "PutObject" }));
    });

    it("follows the config: a switched-off alarm disappears (its count stays), thresholds change", async () => {
        const alarms = {
            ...ALARM_DEFAULTS,
            unauthorizedApiCalls: { ...ALARM_DEFAULTS.unauthorizedApiCalls, enabled: false },
            iamPolicyChanges: { enabled: true, threshold: 2, periodSeconds: 900, evaluationPeriods: 2 },
        };
        const tree = await componentResources(() => new Audit("aud-config", withCloudWatch({ alarms })));
        assert.strictEqual(tree.ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter").length, 3);
        assert.deepStrictEqual(
            tree
                .ofType(ALARM)
                .map((a) => inputsOf<aws.cloudwatch.MetricAlarmArgs>(a).name)
                .sort(),
            ["atx-audit-iam-policy-changes-t", "atx-audit-s3-bucket-policy-changes-t"],
        );
        const iam = tree.ofType(ALARM).find((a) => a.inputs.name === "atx-audit-iam-policy-changes-t")!.inputs;
        assert.deepStrictEqual([iam.threshold, iam.period, iam.evaluationPeriods], [2, 900, 2]);
    });

    it("refuses CloudWatch delivery without a topic to alarm", () => {
        assert.throws(
            () => new Audit("aud-notopic", args({ logsToCloudWatch: true })),
            /logsToCloudWatch needs alarmTopicArn/,
        );
    });
});
