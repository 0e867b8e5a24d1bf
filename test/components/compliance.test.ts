import type * as aws from "@pulumi/aws";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../../policy-pack/policies";
import { Compliance, type ComplianceArgs } from "../../components/compliance";
import { REMEDIATION_DOCUMENTS } from "../../components/compliance/remediation";
import {
    type BucketTarget,
    type ComplianceTargets,
    configRuleSpecs,
    PACK_RULE_COVERAGE,
    RECORDED_RESOURCE_TYPES,
} from "../../components/compliance/rules";
import { platformNames } from "../../components/naming";
import { ACCOUNT_ID, componentResources, inputsOf, json, statementsOf, testContext } from "../support/mocks";
import { PROJECT_DIR } from "../support/preview";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:atx-alarms-t";
const RULE = "aws:cfg/rule:Rule";
const REMEDIATION = "aws:cfg/remediationConfiguration:RemediationConfiguration";

const OUTPUT_BUCKET = "atx-custom-output-t";
const LOGS_BUCKET = "atx-custom-logs-t";

/** The `detail` branches of the NON_COMPLIANT evaluation pattern. */
interface EvaluationBranch {
    readonly newEvaluationResult: unknown;
    readonly configRuleName: string[];
    readonly resourceId?: string[];
}

interface NonCompliantPattern {
    readonly source: string[];
    readonly detail: { readonly $or: EvaluationBranch[] };
}

const output: BucketTarget = { role: "output", name: OUTPUT_BUCKET, kms: true, accessLogged: true };
const logs: BucketTarget = { role: "logs", name: LOGS_BUCKET, kms: false, accessLogged: false };
const targets: ComplianceTargets = {
    buckets: [output, logs],
    kmsKeyArn: KEY_ARN,
    repositoryName: "aws-transform-cli-t",
    securityGroupId: "sg-0123456789abcdef0",
    logRetentionDays: 30,
    logGroupNames: ["/aws/batch/atx-transform-t", "/aws/vpc/flow-logs/atx-jobs-t"],
};

describe("Config rules mirroring the policy pack", () => {
    const specs = configRuleSpecs(targets);
    const byId = (id: string) => {
        const spec = specs.find((s) => s.id === id);
        assert.ok(spec, `no rule ${id} among ${specs.map((s) => s.id).join(", ")}`);
        return spec;
    };

    it("scopes each bucket rule to its one bucket, so another team's buckets are never evaluated", () => {
        for (const spec of specs.filter((s) => s.identifier.startsWith("S3_"))) {
            assert.strictEqual(spec.scope?.resourceType, "AWS::S3::Bucket", spec.id);
            assert.ok([output.name, logs.name].includes(spec.scope?.resourceId as string), spec.id);
        }
        assert.strictEqual(byId("s3-versioning-enabled-output").scope?.resourceId, output.name);
        assert.strictEqual(byId("ecr-image-scanning").scope?.resourceId, "aws-transform-cli-t");
        assert.strictEqual(byId("sg-open-only-to-authorized-ports").scope?.resourceId, "sg-0123456789abcdef0");
    });

    it("expects SSE-KMS with the stack's key, except SSE-S3 and no access logging on the access-log bucket", () => {
        assert.deepStrictEqual(byId("s3-default-encryption-kms-output").inputParameters, { kmsKeyArns: KEY_ARN });
        assert.strictEqual(byId("s3-sse-enabled-logs").identifier, "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED");
        assert.ok(!specs.some((s) => s.id === "s3-default-encryption-kms-logs"));
        assert.ok(specs.some((s) => s.id === "s3-logging-enabled-output"));
        assert.ok(!specs.some((s) => s.id === "s3-logging-enabled-logs"));
    });

    it("checks the stack's log groups for its retention, and gives every rule a unique name", () => {
        assert.deepStrictEqual(byId("cw-loggroup-retention").inputParameters, {
            LogGroupNames: "/aws/batch/atx-transform-t,/aws/vpc/flow-logs/atx-jobs-t",
            MinRetentionTime: "30",
        });
        assert.strictEqual(new Set(specs.map((s) => s.id)).size, specs.length);
    });

    it("remediates exactly public access blocks, encryption and versioning, on every bucket", () => {
        const remediated = specs
            .filter((s) => s.remediation)
            .map((s) => `${s.remediation!.kind}:${s.remediation!.bucket.role}`);
        assert.deepStrictEqual(remediated.sort(), [
            "encryption:logs",
            "encryption:output",
            "publicAccessBlock:logs",
            "publicAccessBlock:output",
            "versioning:logs",
            "versioning:output",
        ]);
    });

    it("watches the API's table, topic and functions by type, and the recorder records those types", () => {
        const watched = specs
            .filter(
                (s) =>
                    s.identifier.startsWith("DYNAMODB_") ||
                    s.identifier.startsWith("SNS_") ||
                    s.identifier.startsWith("LAMBDA_"),
            )
            .map((s) => [s.identifier, s.scope?.resourceType, s.scope?.resourceId]);
        assert.deepStrictEqual(watched, [
            ["DYNAMODB_TABLE_ENCRYPTED_KMS", "AWS::DynamoDB::Table", undefined],
            ["DYNAMODB_PITR_ENABLED", "AWS::DynamoDB::Table", undefined],
            ["DYNAMODB_TABLE_DELETION_PROTECTION_ENABLED", "AWS::DynamoDB::Table", undefined],
            ["SNS_ENCRYPTED_KMS", "AWS::SNS::Topic", undefined],
            ["LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED", "AWS::Lambda::Function", undefined],
        ]);
        for (const type of ["AWS::DynamoDB::Table", "AWS::SNS::Topic", "AWS::Lambda::Function"]) {
            assert.ok((RECORDED_RESOURCE_TYPES as readonly string[]).includes(type), type);
        }
    });

    it("omits the security group rule when the stack has no group of its own", () => {
        assert.ok(!configRuleSpecs({ ...targets, securityGroupId: undefined }).some((s) => s.id.startsWith("sg-")));
    });

    it("says for every rule of the policy pack which Config rule watches it, or why none does", () => {
        assert.deepStrictEqual(Object.keys(PACK_RULE_COVERAGE).sort(), policies.map((p) => p.name).sort());
    });
});

describe("Compliance", () => {
    const args = (extra: Partial<ComplianceArgs> = {}): ComplianceArgs => ({
        context: testContext(),
        names: platformNames("-t"),
        targets,
        vpcId: "vpc-0123456789abcdef0",
        trailArn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/atx-audit-trail-t",
        alarmTopicArn: TOPIC_ARN,
        accessLogBucketName: LOGS_BUCKET,
        ...extra,
    });

    it("creates the recorder, its delivery channel and a secure delivery bucket, and rules wait for the recorder", async () => {
        const tree = await componentResources(() => new Compliance("cmp-recorder", args()));
        const recorder = inputsOf<aws.cfg.RecorderArgs>(tree.one("aws:cfg/recorder:Recorder"));
        assert.strictEqual(recorder.recordingGroup?.allSupported, false);
        assert.ok(recorder.recordingGroup.resourceTypes?.includes("AWS::S3::Bucket"));
        const channel = tree.one("aws:cfg/deliveryChannel:DeliveryChannel").inputs;
        assert.strictEqual(channel.s3BucketName, `atx-custom-config-${ACCOUNT_ID}-t`);
        assert.strictEqual(channel.s3KmsKeyArn, KEY_ARN);
        const status = tree.one("aws:cfg/recorderStatus:RecorderStatus");
        for (const rule of tree.ofType(RULE)) assert.ok(rule.dependencies.includes(status.urn), rule.name);
        // The delivery bucket is watched like the others.
        assert.ok(tree.ofType(RULE).some((r) => r.inputs.name === "atx-s3-versioning-enabled-config-t"));
    });

    it("creates no recorder where the account already records", async () => {
        const tree = await componentResources(() => new Compliance("cmp-central", args({ createRecorder: false })));
        assert.strictEqual(tree.ofType("aws:cfg/recorder:Recorder").length, 0);
        assert.strictEqual(tree.ofType("aws:cfg/deliveryChannel:DeliveryChannel").length, 0);
        assert.ok(tree.ofType(RULE).length > 10);
    });

    it("remediates through AWS's documents with a role limited to the stack's buckets, or only reports", async () => {
        const tree = await componentResources(() => new Compliance("cmp-fix", args({ createRecorder: false })));
        const remediations = tree.ofType(REMEDIATION).map((r) => inputsOf<aws.cfg.RemediationConfigurationArgs>(r));
        assert.strictEqual(remediations.length, 6);
        const documents = new Set(Object.values(REMEDIATION_DOCUMENTS).map((d) => d.document));
        for (const r of remediations) {
            assert.ok(documents.has(r.targetId), r.targetId);
            assert.strictEqual(r.automatic, true);
            assert.deepStrictEqual(
                r.parameters?.find((p) => p.name === "BucketName"),
                {
                    name: "BucketName",
                    resourceValue: "RESOURCE_ID",
                },
            );
        }
        const kmsFix = remediations.find(
            (r) =>
                r.configRuleName === "atx-s3-default-encryption-kms-output-t" &&
                r.targetId === "AWS-EnableS3BucketKeys",
        );
        assert.ok(kmsFix?.parameters?.some((p) => p.name === "KMSKeyId" && p.staticValue === KEY_ARN));
        const [statement] = statementsOf(tree.named("cmp-fix-remediation-role-policy"), "policy");
        assert.deepStrictEqual(statement.Resource, [`arn:aws:s3:::${OUTPUT_BUCKET}`, `arn:aws:s3:::${LOGS_BUCKET}`]);
        assert.ok(Array.isArray(statement.Action), "the remediation role lists its actions");
        assert.ok(statement.Action.every((a) => /^s3:(Get|Put)Bucket|^s3:(Get|Put)Encryption/.test(a)));

        const reportOnly = await componentResources(
            () => new Compliance("cmp-report", args({ createRecorder: false, remediate: false })),
        );
        assert.strictEqual(reportOnly.ofType(REMEDIATION).length, 0);
        assert.ok(!reportOnly.resources.some((r) => r.name === "cmp-report-remediation-role"));
    });

    it("sends NON_COMPLIANT evaluations of the stack's resources to the alarm topic", async () => {
        const tree = await componentResources(() => new Compliance("cmp-notify", args({ createRecorder: false })));
        const rule = tree.named("cmp-notify-non-compliant");
        assert.match(
            inputsOf<aws.cloudwatch.EventRuleArgs>(rule).description ?? "",
            /Runbook: docs\/runbooks\/configNonCompliant\.md/,
        );
        const pattern = json(rule, "eventPattern") as NonCompliantPattern;
        assert.deepStrictEqual(pattern.source, ["aws.config"]);
        const [scoped, accountWide] = pattern.detail.$or;
        for (const branch of [scoped, accountWide]) {
            assert.deepStrictEqual(branch.newEvaluationResult, { complianceType: ["NON_COMPLIANT"] });
        }
        assert.ok(scoped.configRuleName.includes("atx-s3-versioning-enabled-output-t"));
        assert.ok(scoped.configRuleName.includes("atx-iam-policy-no-admin-access-t"));
        assert.ok(scoped.configRuleName.includes("atx-dynamodb-pitr-enabled-t"));
        assert.ok(accountWide.configRuleName.includes("atx-vpc-flow-logs-enabled-t"));
        assert.ok(!accountWide.configRuleName.includes("atx-s3-versioning-enabled-output-t"));
        // Periodic rules evaluate the whole account: only the stack's own resources are forwarded.
        assert.deepStrictEqual(accountWide.resourceId, [
            ACCOUNT_ID,
            "vpc-0123456789abcdef0",
            "abc",
            ...targets.logGroupNames,
        ]);
        const target = tree.named("cmp-notify-non-compliant-target").inputs;
        assert.strictEqual(target.arn, TOPIC_ARN);
    });

    it("deploys the drift function for the job group and the trail, triggered by their API calls and hourly", async () => {
        const tree = await componentResources(() => new Compliance("cmp-drift", args({ createRecorder: false })));
        const fn = inputsOf<aws.lambda.FunctionArgs>(tree.one("aws:lambda/function:Function"));
        assert.deepStrictEqual(fn.environment?.variables, {
            SECURITY_GROUP_ID: "sg-0123456789abcdef0",
            ALLOWED_EGRESS_PORTS: "443",
            TRAIL_ARN: "arn:aws:cloudtrail:us-east-1:123456789012:trail/atx-audit-trail-t",
            REMEDIATE: "true",
            ALARM_TOPIC_ARN: TOPIC_ARN,
        });
        const rules = tree.ofType("aws:cloudwatch/eventRule:EventRule");
        assert.ok(rules.some((r) => inputsOf<aws.cloudwatch.EventRuleArgs>(r).scheduleExpression === "rate(1 hour)"));
        const events = rules.find(
            (r) => inputsOf<aws.cloudwatch.EventRuleArgs>(r).name === "atx-drift-remediation-t-events",
        )!;
        const drift = json(events, "eventPattern") as { readonly detail: { readonly $or: { eventName: string[] }[] } };
        const names = drift.detail.$or.flatMap((b) => b.eventName);
        for (const call of ["AuthorizeSecurityGroupEgress", "StopLogging"]) assert.ok(names.includes(call), call);
        const policy = tree.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "cmp-drift-drift-access")!;
        const revoke = statementsOf(policy, "policy").find((s) => s.Sid === "RevokeEgress");
        assert.strictEqual(revoke?.Resource, "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0");

        const reportOnly = await componentResources(
            () => new Compliance("cmp-drift-report", args({ createRecorder: false, remediate: false })),
        );
        assert.strictEqual(
            inputsOf<aws.lambda.FunctionArgs>(reportOnly.one("aws:lambda/function:Function")).environment?.variables
                ?.REMEDIATE,
            "false",
        );
        const readOnly = reportOnly
            .ofType("aws:iam/rolePolicy:RolePolicy")
            .find((p) => p.name === "cmp-drift-report-drift-access")!;
        const actions = statementsOf(readOnly, "policy").flatMap((s) => ([] as string[]).concat(s.Action));
        assert.ok(!actions.includes("ec2:RevokeSecurityGroupEgress") && !actions.includes("cloudtrail:StartLogging"));
    });
});

describe("the README's pack-to-Config table", () => {
    it("has one row per pack rule, as in PACK_RULE_COVERAGE", () => {
        const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
        for (const [rule, config] of Object.entries(PACK_RULE_COVERAGE)) {
            assert.ok(readme.includes(`| \`${rule}\` | ${config} |`), `README row for ${rule}`);
        }
    });
});
