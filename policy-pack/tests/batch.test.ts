import { strict as assert } from "assert";
import {
    batchComputeEnvironmentFargate,
    batchJobFargate,
    batchJobLogsToCloudWatch,
    batchJobNonRootUser,
    batchJobNoPlaintextCredentials,
    batchJobNotPrivileged,
    batchJobResourceRequirements,
    batchJobRetryStrategy,
    batchJobTimeout,
} from "../policies";
import { check, mandatory, resource, T, unknownAdvisories, UNKNOWN } from "./harness";

const container = {
    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-transform-cli:1",
    jobRoleArn: "arn:aws:iam::123456789012:role/ATXBatchJobRole",
    executionRoleArn: "arn:aws:iam::123456789012:role/ATXBatchExecutionRole",
    resourceRequirements: [
        { type: "VCPU", value: "2" },
        { type: "MEMORY", value: "4096" },
    ],
    privileged: false,
    user: "1000",
    logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": "/aws/batch/atx-transform", "awslogs-stream-prefix": "atx" },
    },
    environment: [
        { name: "AWS_REGION", value: "us-east-1" },
        { name: "GIT_CREDENTIAL_SECRETS", value: "github.com=atx/github-token" },
    ],
    secrets: [
        { name: "GITHUB_TOKEN", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:atx/github-token" },
    ],
};
const good = {
    type: "container",
    platformCapabilities: ["FARGATE"],
    timeout: { attemptDurationSeconds: 43200 },
    retryStrategy: {
        attempts: 3,
        evaluateOnExits: [
            { action: "RETRY", onExitCode: "75" },
            { action: "EXIT", onExitCode: "*" },
        ],
    },
    containerProperties: JSON.stringify(container),
};
const jd = (changes: Record<string, unknown> = {}, c: Record<string, unknown> = {}) =>
    resource(T.jobDefinition, "job", {
        ...good,
        containerProperties: JSON.stringify({ ...container, ...c }),
        ...changes,
    });

describe("batch-job-timeout", () => {
    it("reports no violation when a timeout is set", async () => {
        assert.deepEqual(await check(batchJobTimeout, [jd()]), []);
    });
    it("reports a violation without a timeout", async () => {
        assert.match(
            mandatory(await check(batchJobTimeout, [jd({ timeout: undefined })]))[0].message,
            /must set a timeout/,
        );
    });
});

describe("batch-job-retry-strategy", () => {
    it("reports no violation for 3 attempts", async () => {
        assert.deepEqual(await check(batchJobRetryStrategy, [jd()]), []);
    });
    it("reports a violation for a single attempt", async () => {
        assert.equal(mandatory(await check(batchJobRetryStrategy, [jd({ retryStrategy: { attempts: 1 } })])).length, 1);
    });
    it("reports a violation without a retry strategy", async () => {
        assert.equal(mandatory(await check(batchJobRetryStrategy, [jd({ retryStrategy: undefined })])).length, 1);
    });
    it("reports a violation for 3 attempts when the config asks for 5", async () => {
        assert.equal(mandatory(await check(batchJobRetryStrategy, [jd()], { config: { minAttempts: 5 } })).length, 1);
    });
});

describe("batch-job-resource-requirements", () => {
    it("reports no violation with VCPU and MEMORY", async () => {
        assert.deepEqual(await check(batchJobResourceRequirements, [jd()]), []);
    });
    it("reports a violation when MEMORY is missing", async () => {
        const vs = await check(batchJobResourceRequirements, [
            jd({}, { resourceRequirements: [{ type: "VCPU", value: "2" }] }),
        ]);
        assert.match(mandatory(vs)[0].message, /resourceRequirements MEMORY/);
    });
    it("reports a violation when containerProperties is not valid JSON", async () => {
        assert.match(
            mandatory(await check(batchJobResourceRequirements, [jd({ containerProperties: "{" })]))[0].message,
            /valid JSON/,
        );
    });
    it("reports the engine's advisory, not a pass, when containerProperties is unknown at preview", async () => {
        const vs = await check(batchJobResourceRequirements, [jd({ containerProperties: UNKNOWN })], { preview: true });
        assert.equal(unknownAdvisories(vs).length, 1);
        assert.match(vs[0].message, /string value at \.containerProperties can't be known during preview/);
    });
});

describe("batch-job-fargate", () => {
    it("reports no violation for FARGATE", async () => {
        assert.deepEqual(await check(batchJobFargate, [jd()]), []);
    });
    it("reports a violation for EC2", async () => {
        assert.equal(mandatory(await check(batchJobFargate, [jd({ platformCapabilities: ["EC2"] })])).length, 1);
    });
    it("reports a violation when platformCapabilities is missing (EC2 by default)", async () => {
        assert.equal(mandatory(await check(batchJobFargate, [jd({ platformCapabilities: undefined })])).length, 1);
    });
});

describe("batch-job-not-privileged", () => {
    it("reports no violation for an unprivileged container", async () => {
        assert.deepEqual(await check(batchJobNotPrivileged, [jd()]), []);
    });
    it("reports a violation for a privileged container", async () => {
        assert.equal(mandatory(await check(batchJobNotPrivileged, [jd({}, { privileged: true })])).length, 1);
    });
});

describe("batch-job-secrets-from-secrets-manager", () => {
    it("reports no violation when credentials come from secrets (valueFrom) and env vars only name secrets", async () => {
        assert.deepEqual(await check(batchJobNoPlaintextCredentials, [jd()]), []);
    });
    it("reports a violation for a GITHUB_TOKEN environment variable", async () => {
        const vs = await check(batchJobNoPlaintextCredentials, [
            jd({}, { environment: [{ name: "GITHUB_TOKEN", value: "x" }] }),
        ]);
        assert.match(mandatory(vs)[0].message, /not plain environment variables: GITHUB_TOKEN/);
    });
    it("reports a violation for a credential-shaped value under an innocent name", async () => {
        const vs = await check(batchJobNoPlaintextCredentials, [
            jd({}, { environment: [{ name: "REPO_AUTH", value: "ghp_0123456789abcdefghijABCDEFGHIJ012345" }] }),
        ]);
        assert.equal(mandatory(vs).length, 1);
    });
});

describe("batch-compute-environment-fargate", () => {
    const ce = (inputs: Record<string, unknown>) => resource(T.computeEnvironment, "ce", inputs);
    it("reports no violation for a managed Fargate environment", async () => {
        assert.deepEqual(
            await check(batchComputeEnvironmentFargate, [
                ce({ type: "MANAGED", computeResources: { type: "FARGATE", maxVcpus: 256 } }),
            ]),
            [],
        );
    });
    it("reports a violation for an EC2 environment", async () => {
        assert.equal(
            mandatory(
                await check(batchComputeEnvironmentFargate, [
                    ce({ type: "MANAGED", computeResources: { type: "EC2" } }),
                ]),
            ).length,
            1,
        );
    });
    it("reports a violation for an unmanaged environment", async () => {
        assert.equal(mandatory(await check(batchComputeEnvironmentFargate, [ce({ type: "UNMANAGED" })])).length, 1);
    });
});

describe("batch-job-non-root-user", () => {
    it("reports no violation for user 1000", async () => {
        assert.deepEqual(await check(batchJobNonRootUser, [jd()]), []);
    });
    it("reports a violation for root", async () => {
        assert.match(
            mandatory(await check(batchJobNonRootUser, [jd({}, { user: "root" })]))[0].message,
            /non-root user .* it is 'root'/,
        );
    });
    it("reports a violation for uid 0 with a group", async () => {
        assert.equal(mandatory(await check(batchJobNonRootUser, [jd({}, { user: "0:0" })])).length, 1);
    });
    it("reports a violation when the user is left to the image", async () => {
        assert.match(mandatory(await check(batchJobNonRootUser, [jd({}, { user: undefined })]))[0].message, /unset/);
    });
});

describe("batch-job-logs-to-cloudwatch", () => {
    it("reports no violation for awslogs with a named group", async () => {
        assert.deepEqual(await check(batchJobLogsToCloudWatch, [jd()]), []);
    });
    it("reports a violation without a log configuration (the default group has no retention or KMS key)", async () => {
        assert.equal(
            mandatory(await check(batchJobLogsToCloudWatch, [jd({}, { logConfiguration: undefined })])).length,
            1,
        );
    });
    it("reports a violation for another log driver", async () => {
        assert.equal(
            mandatory(
                await check(batchJobLogsToCloudWatch, [
                    jd({}, { logConfiguration: { logDriver: "splunk", options: {} } }),
                ]),
            ).length,
            1,
        );
    });
});
