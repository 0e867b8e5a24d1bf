import type * as aws from "@pulumi/aws";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PLATFORM_OUTPUTS } from "../stack-outputs";
import { UNKNOWN } from "../tools/common/resource-record";
import { nameOf, PROJECT_DIR, previewStack } from "./support/preview";

const GLOBAL_NAME_PROPERTIES: Record<string, string> = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:iam/role:Role": "name",
    "aws:iam/policy:Policy": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:batch/computeEnvironment:ComputeEnvironment": "name",
    "aws:batch/jobQueue:JobQueue": "name",
    "aws:batch/jobDefinition:JobDefinition": "name",
    "aws:ecr/repository:Repository": "name",
    "aws:kms/alias:Alias": "name",
};

type SecurityGroupRule = Pick<aws.types.input.ec2.SecurityGroupEgress, "protocol" | "fromPort" | "toPort">;
type TrailEventSelector = { dataResources: { values: string[] }[] };

function globalNames(stack: string): unknown[] {
    return previewStack(stack)
        .resources.filter((r) => r.type in GLOBAL_NAME_PROPERTIES)
        .map((r): unknown => r.inputs[GLOBAL_NAME_PROPERTIES[r.type]]);
}

describe("the program (offline preview of the prod and dev stacks)", () => {
    it("previews prod and dev successfully", () => {
        for (const stack of ["prod", "dev"]) {
            const result = previewStack(stack);
            assert.strictEqual(result.exitCode, 0, result.stderr);
            assert.match(result.stdout, new RegExp(`Previewing update \\(atx-platform/${stack}\\)`));
        }
    });

    it("uses the AWS sample's names on prod", () => {
        const names = globalNames("prod");
        for (const expected of [
            "ATXBatchJobRole",
            "ATXBatchExecutionRole",
            "atx-custom-output-123456789012",
            "/aws/batch/atx-transform",
            "aws-transform-cli",
        ]) {
            assert.ok(names.includes(expected), `${expected} in ${names.join(", ")}`);
        }
    });

    it("gives dev global names distinct from prod's, so both fit in one account", () => {
        const prod = globalNames("prod");
        const dev = globalNames("dev");
        assert.ok(dev.length >= 30, `dev has ${dev.length} global names`);
        assert.deepStrictEqual(
            dev.filter((name) => prod.includes(name)),
            [],
        );
        assert.ok(
            dev.every((name) => typeof name === "string" && name.includes("-dev")),
            dev.join(", "),
        );
    });

    it("applies the dev stack file and --config overrides to the job definition", () => {
        const container = (stack: string, overrides: string[] = []) =>
            JSON.parse(
                previewStack(stack, overrides).resources.find(
                    (r) => r.type === "aws:batch/jobDefinition:JobDefinition",
                )!.inputs.containerProperties as string,
            ) as { resourceRequirements: unknown };
        assert.deepStrictEqual(container("dev").resourceRequirements, [
            { type: "VCPU", value: "1" },
            { type: "MEMORY", value: "2048" },
        ]);
        assert.deepStrictEqual(container("prod", ["fargateVcpu=4", "fargateMemoryMiB=8192"]).resourceRequirements, [
            { type: "VCPU", value: "4" },
            { type: "MEMORY", value: "8192" },
        ]);
    });

    it("fails before registering anything, with exit 2 and a message naming the key, on invalid config", () => {
        const result = previewStack("prod", ["logRetentionDays=45", "fargateMemoryMiB=3000"]);
        assert.strictEqual(result.exitCode, 2);
        assert.match(
            result.stderr,
            /atx-platform:logRetentionDays = 45: must be one of CloudWatch's retention periods/,
        );
        assert.match(result.stderr, /atx-platform:fargateMemoryMiB = 3000: must be one of 4096, 5120/);
        assert.deepStrictEqual(result.resources, []);
        assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace for a config error");
    });

    it("exports exactly the documented outputs contract", () => {
        const exported = Object.keys(previewStack("prod").outputs).sort();
        assert.deepStrictEqual(exported, Object.keys(PLATFORM_OUTPUTS).sort());
    });

    it("documents every output in the README's outputs table", () => {
        const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
        for (const name of Object.keys(PLATFORM_OUTPUTS)) {
            assert.match(readme, new RegExp(`^\\| \`${name}\` \\|`, "m"), `README row for ${name}`);
        }
    });

    it("shows computed values as unknown at preview, like the engine", () => {
        const { resources, outputs } = previewStack("prod");
        const key = resources.find((r) => r.type === "aws:kms/key:Key")!;
        assert.strictEqual(key.id, UNKNOWN);
        assert.strictEqual(key.outputs.arn, UNKNOWN);
        assert.strictEqual(outputs.kmsKeyArn, UNKNOWN);
        // Names the stack chooses are known, and so are the ARNs built from them.
        assert.strictEqual(outputs.outputBucketArn, "arn:aws:s3:::atx-custom-output-123456789012");
    });

    it("records property dependencies between a bucket and its protections", () => {
        const { resources } = previewStack("prod");
        const bucket = resources.find((r) => r.type === "aws:s3/bucket:Bucket" && nameOf(r) === "storage-output")!;
        const protections = resources.filter(
            (r) =>
                r.parent === resources.find((p) => p.urn.endsWith("::storage-output") && !p.custom)!.urn &&
                r.custom &&
                r !== bucket,
        );
        assert.ok(protections.length >= 7, `protections: ${protections.map(nameOf).join(", ")}`);
        for (const protection of protections)
            assert.deepStrictEqual(protection.propertyDependencies.bucket, [bucket.urn], nameOf(protection));
    });

    it("writes a version 3 deployment with every resource's urn, type, inputs and dependencies", () => {
        const { resources } = previewStack("prod");
        assert.ok(resources.length > 40);
        for (const r of resources) {
            assert.ok(r.urn.startsWith("urn:pulumi:prod::atx-platform::"), r.urn);
            assert.ok(Array.isArray(r.dependencies) && typeof r.propertyDependencies === "object", r.urn);
        }
    });

    it("runs the jobs in the security group it creates, which allows only HTTPS out", () => {
        const { resources } = previewStack("prod");
        const groups = resources.filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup");
        assert.strictEqual(groups.length, 1);
        assert.deepStrictEqual(groups[0].inputs.ingress, []);
        assert.deepStrictEqual(
            (groups[0].inputs.egress as SecurityGroupRule[]).map((e) => [e.protocol, e.fromPort, e.toPort]),
            [["tcp", 443, 443]],
        );
        const ce = resources.find((r) => r.type === "aws:batch/computeEnvironment:ComputeEnvironment")!;
        assert.deepStrictEqual(ce.propertyDependencies.computeResources, [groups[0].urn]);
    });

    it("encrypts every log group of the program with the stack's key and keeps it for the configured retention", () => {
        for (const [stack, overrides, days] of [
            ["prod", [], 30],
            ["dev", [], 30],
            ["prod", ["logRetentionDays=90"], 90],
        ] as const) {
            const { resources, exitCode, stderr } = previewStack(stack, overrides);
            assert.strictEqual(exitCode, 0, stderr);
            const key = resources.find((r) => r.type === "aws:kms/key:Key")!;
            const groups = resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup");
            assert.ok(groups.length >= 5, `${stack}: ${groups.map(nameOf).join(", ")}`);
            for (const group of groups) {
                assert.strictEqual(group.inputs.retentionInDays, days, `${stack} ${nameOf(group)} retention`);
                // The key's ARN is generated, so unknown at preview: present, and taken from the stack's key.
                assert.ok(
                    typeof group.inputs.kmsKeyId === "string" && group.inputs.kmsKeyId.length > 0,
                    `${stack} ${nameOf(group)} has a KMS key`,
                );
                assert.ok(
                    group.dependencies.includes(key.urn),
                    `${stack} ${nameOf(group)} is encrypted with the stack's key`,
                );
            }
        }
    });

    it("audits with a validated, encrypted multi-region trail, delivered to CloudWatch Logs on prod only", () => {
        const trail = (stack: string, overrides: string[] = []) =>
            previewStack(stack, overrides).resources.find((r) => r.type === "aws:cloudtrail/trail:Trail")!.inputs;
        const prod = trail("prod");
        assert.deepStrictEqual(
            [prod.isMultiRegionTrail, prod.enableLogFileValidation, typeof prod.kmsKeyId],
            [true, true, "string"],
        );
        assert.deepStrictEqual((prod.eventSelectors as TrailEventSelector[])[0].dataResources[0].values, [
            "arn:aws:s3:::atx-custom-output-123456789012/",
            "arn:aws:s3:::atx-custom-source-123456789012/",
        ]);
        assert.strictEqual(
            prod.cloudWatchLogsGroupArn,
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/atx-audit-trail:*",
        );
        assert.strictEqual(trail("dev").cloudWatchLogsGroupArn, undefined);
        assert.ok(trail("dev", ["cloudTrailLogsToCloudWatch=true"]).cloudWatchLogsGroupArn);
        const alarms = previewStack("prod")
            .resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")
            .map((r): unknown => r.inputs.name);
        for (const name of [
            "atx-job-failures",
            "atx-long-running-jobs",
            "atx-audit-unauthorized-api-calls",
            "atx-audit-iam-policy-changes",
            "atx-audit-s3-bucket-policy-changes",
        ]) {
            assert.ok(alarms.includes(name), `${name} in ${alarms.join(", ")}`);
        }
    });

    it("knows the alarm topic and trail ARNs at preview, and points to the dashboard", () => {
        const { outputs } = previewStack("dev");
        assert.strictEqual(outputs.alarmTopicArn, "arn:aws:sns:us-east-1:123456789012:atx-alarms-dev");
        assert.strictEqual(outputs.trailArn, "arn:aws:cloudtrail:us-east-1:123456789012:trail/atx-audit-trail-dev");
        assert.strictEqual(
            outputs.dashboardUrl,
            "https://console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/atx-platform-dev",
        );
    });

    it("applies the alarms config object and rejects a bad alarm setting, naming it", () => {
        const alarm = (overrides: string[]) =>
            previewStack("prod", overrides).resources.find(
                (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.inputs.name === "atx-job-failures",
            );
        assert.strictEqual(alarm(['alarms={"jobFailures":{"threshold":3}}'])!.inputs.threshold, 3);
        assert.strictEqual(alarm(['alarms={"jobFailures":{"enabled":false}}']), undefined);
        const bad = previewStack("prod", ['alarms={"jobFailures":{"threshold":-1}}']);
        assert.strictEqual(bad.exitCode, 2);
        assert.match(bad.stderr, /atx-platform:alarms\.jobFailures\.threshold = -1: must be a number above 0/);
    });
});

describe("the program's wiring of the API into observability", () => {
    it("alarms on errors and throttles of every API function and on the API's 5XX rate", () => {
        const { resources } = previewStack("prod");
        const alarms = resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm").map(nameOf);
        for (const fn of ["jobs", "batches", "bulk-submitter", "job-events", "upload", "mcp-config"]) {
            assert.ok(alarms.includes(`observability-lambda-errors-${fn}`), `errors alarm for ${fn}`);
            assert.ok(alarms.includes(`observability-lambda-throttles-${fn}`), `throttles alarm for ${fn}`);
        }
        assert.ok(alarms.includes("observability-api-5xx-rate"));
    });
});

describe("the program with a permissions boundary configured", () => {
    it("applies it to every role the stack creates", () => {
        const boundary = "arn:aws:iam::123456789012:policy/PlatformBoundary";
        const { exitCode, stderr, resources } = previewStack("prod", [`permissionsBoundaryArn=${boundary}`]);
        assert.strictEqual(exitCode, 0, stderr);
        const roles = resources.filter((r) => r.type === "aws:iam/role:Role");
        assert.ok(roles.length >= 10, `${roles.length} roles`);
        assert.deepStrictEqual(roles.filter((r) => r.inputs.permissionsBoundary !== boundary).map(nameOf), []);
    });

    it("applies none when none is configured", () => {
        const roles = previewStack("prod").resources.filter((r) => r.type === "aws:iam/role:Role");
        assert.deepStrictEqual(roles.filter((r) => r.inputs.permissionsBoundary !== undefined).map(nameOf), []);
    });
});
