import type * as aws from "@pulumi/aws";
import * as assert from "assert";
import { JOB_EXIT_CODES, TransformBatch, type TransformBatchArgs } from "../../components/batch";
import { componentResources, inputsOf, json } from "../support/mocks";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc";

function args(name: string, extra: Partial<TransformBatchArgs> = {}): TransformBatchArgs {
    return {
        names: {
            computeEnvironment: `${name}-ce`,
            jobQueue: `${name}-queue`,
            jobDefinition: `${name}-def`,
            jobLogGroup: `/aws/batch/${name}`,
        },
        region: "us-east-1",
        subnetIds: ["subnet-0a", "subnet-0b"],
        securityGroupIds: ["sg-0a"],
        imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-transform-cli:ctx-1",
        jobRoleArn: "arn:aws:iam::123456789012:role/ATXBatchJobRole",
        executionRoleArn: "arn:aws:iam::123456789012:role/ATXBatchExecutionRole",
        kmsKeyArn: KEY_ARN,
        logRetentionDays: 30,
        vcpu: 2,
        memoryMiB: 4096,
        ephemeralStorageGiB: 21,
        jobTimeoutSeconds: 43200,
        retryAttempts: 3,
        maxVcpus: 256,
        environment: { S3_BUCKET: "out", SOURCE_BUCKET: "src" },
        ...extra,
    };
}

describe("TransformBatch", () => {
    it("runs a managed Fargate compute environment in the given subnets and security group", async () => {
        const tree = await componentResources(() => new TransformBatch("b-ce", args("b-ce")));
        const ce = tree.one("aws:batch/computeEnvironment:ComputeEnvironment").inputs;
        assert.deepStrictEqual([ce.name, ce.type, ce.state], ["b-ce-ce", "MANAGED", "ENABLED"]);
        assert.deepStrictEqual(ce.computeResources, {
            type: "FARGATE",
            maxVcpus: 256,
            subnets: ["subnet-0a", "subnet-0b"],
            securityGroupIds: ["sg-0a"],
        });
        const queue = inputsOf<aws.batch.JobQueueArgs>(tree.one("aws:batch/jobQueue:JobQueue"));
        assert.strictEqual(queue.computeEnvironmentOrders?.length, 1);
        assert.strictEqual(queue.jobStateTimeLimitActions?.[0].state, "RUNNABLE");
    });

    it("defines the job with timeout, resources, Fargate, both roles and public IP", async () => {
        const tree = await componentResources(() => new TransformBatch("b-def", args("b-def")));
        const definition = tree.one("aws:batch/jobDefinition:JobDefinition");
        assert.deepStrictEqual(definition.inputs.platformCapabilities, ["FARGATE"]);
        assert.deepStrictEqual(definition.inputs.timeout, { attemptDurationSeconds: 43200 });
        const container = json(definition, "containerProperties") as Record<string, unknown>;
        assert.deepStrictEqual(container.resourceRequirements, [
            { type: "VCPU", value: "2" },
            { type: "MEMORY", value: "4096" },
        ]);
        assert.strictEqual(container.jobRoleArn, "arn:aws:iam::123456789012:role/ATXBatchJobRole");
        assert.strictEqual(container.executionRoleArn, "arn:aws:iam::123456789012:role/ATXBatchExecutionRole");
        assert.notStrictEqual(container.jobRoleArn, container.executionRoleArn);
        assert.deepStrictEqual(container.networkConfiguration, { assignPublicIp: "ENABLED" });
        assert.deepStrictEqual(container.ephemeralStorage, { sizeInGiB: 21 });
        assert.strictEqual(container.privileged, false);
        assert.deepStrictEqual(container.linuxParameters, { initProcessEnabled: true });
        assert.strictEqual(container.user, "1000");
        assert.deepStrictEqual(container.environment, [
            // The job's timeout, from which the container derives ATX_SHELL_TIMEOUT's default.
            { name: "ATX_JOB_TIMEOUT_SECONDS", value: "43200" },
            { name: "S3_BUCKET", value: "out" },
            { name: "SOURCE_BUCKET", value: "src" },
        ]);
    });

    it("retries only infrastructure failures and exits on the job's own failures", async () => {
        const tree = await componentResources(
            () => new TransformBatch("b-retry", args("b-retry", { retryAttempts: 5 })),
        );
        const definition = inputsOf<aws.batch.JobDefinitionArgs>(tree.one("aws:batch/jobDefinition:JobDefinition"));
        const { attempts, evaluateOnExits = [] } = definition.retryStrategy!;
        assert.strictEqual(attempts, 5);
        assert.deepStrictEqual(evaluateOnExits[0], {
            action: "RETRY",
            onExitCode: String(JOB_EXIT_CODES.transientFailure),
        });
        assert.deepStrictEqual(evaluateOnExits.at(-1), { action: "EXIT", onExitCode: "*" });
        const retried = evaluateOnExits.filter((e) => e.action === "RETRY");
        for (const code of [
            JOB_EXIT_CODES.transformationFailed,
            JOB_EXIT_CODES.invalidUsage,
            JOB_EXIT_CODES.invalidInput,
            JOB_EXIT_CODES.internalError,
        ]) {
            assert.ok(!retried.some((e) => e.onExitCode === String(code)), `exit ${code} is not retried`);
        }
        assert.ok(evaluateOnExits.length <= 5, "Batch accepts at most five evaluateOnExit conditions");
    });

    it("logs with awslogs to its own encrypted log group", async () => {
        const tree = await componentResources(
            () => new TransformBatch("b-logs", args("b-logs", { logRetentionDays: 90 })),
        );
        const group = tree.one("aws:cloudwatch/logGroup:LogGroup").inputs;
        assert.deepStrictEqual([group.name, group.retentionInDays, group.kmsKeyId], ["/aws/batch/b-logs", 90, KEY_ARN]);
        const { logConfiguration } = json(tree.one("aws:batch/jobDefinition:JobDefinition"), "containerProperties") as {
            readonly logConfiguration: unknown;
        };
        assert.deepStrictEqual(logConfiguration, {
            logDriver: "awslogs",
            options: {
                "awslogs-group": "/aws/batch/b-logs",
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "atx",
            },
        });
    });
});
