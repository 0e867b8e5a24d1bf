import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PLATFORM_OUTPUTS } from "../stack-outputs";
import { UNKNOWN } from "../tools/shared/resource-record";
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

function globalNames(stack: string): string[] {
    return previewStack(stack)
        .resources.filter((r) => r.type in GLOBAL_NAME_PROPERTIES)
        .map((r) => r.inputs[GLOBAL_NAME_PROPERTIES[r.type]]);
}

describe("the program (offline preview of the prod and dev stacks)", () => {
    it("previews prod and dev successfully", () => {
        for (const stack of ["prod", "dev"]) {
            const result = previewStack(stack);
            assert.strictEqual(result.exitCode, 0, result.stderr);
            assert.match(result.stdout, new RegExp(`Previewing update \\(atx-platform/${stack}\\)`));
        }
    });

    it("uses the seed's names on prod", () => {
        const names = globalNames("prod");
        for (const expected of ["ATXBatchJobRole", "ATXBatchExecutionRole", "atx-custom-output-123456789012", "/aws/batch/atx-transform", "aws-transform-cli"]) {
            assert.ok(names.includes(expected), `${expected} in ${names.join(", ")}`);
        }
    });

    it("gives dev global names distinct from prod's, so both fit in one account", () => {
        const prod = globalNames("prod");
        const dev = globalNames("dev");
        assert.ok(dev.length >= 30, `dev has ${dev.length} global names`);
        assert.deepStrictEqual(dev.filter((name) => prod.includes(name)), []);
        assert.ok(dev.every((name) => typeof name === "string" && name.includes("-dev")), dev.join(", "));
    });

    it("applies the dev stack file and --config overrides to the job definition", () => {
        const container = (stack: string, overrides: string[] = []) =>
            JSON.parse(previewStack(stack, overrides).resources.find((r) => r.type === "aws:batch/jobDefinition:JobDefinition")!.inputs.containerProperties);
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
        assert.match(result.stderr, /atx-platform:logRetentionDays = 45: must be one of CloudWatch's retention periods/);
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
        const protections = resources.filter((r) => r.parent === resources.find((p) => p.urn.endsWith("::storage-output") && !p.custom)!.urn && r.custom && r !== bucket);
        assert.ok(protections.length >= 7, `protections: ${protections.map(nameOf).join(", ")}`);
        for (const protection of protections) assert.deepStrictEqual(protection.propertyDependencies.bucket, [bucket.urn], nameOf(protection));
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
        assert.deepStrictEqual(groups[0].inputs.egress.map((e: any) => [e.protocol, e.fromPort, e.toPort]), [["tcp", 443, 443]]);
        const ce = resources.find((r) => r.type === "aws:batch/computeEnvironment:ComputeEnvironment")!;
        assert.deepStrictEqual(ce.propertyDependencies.computeResources, [groups[0].urn]);
    });
});
