/**
 * The pack over the program's own resources (the offline preview, tools/preview): both
 * stacks pass with zero mandatory violations, and breaking one protection at a time is caught.
 */
import { strict as assert } from "assert";
import type { ResourceRecord, StackSnapshot } from "../../tools/common/resource-record";
import { evaluateSnapshot, type Violation } from "../../tools/policy/index";
import { programSnapshot } from "../../tools/policy/program";
import { resource, withProps } from "../../tools/policy/snapshot-builder";

const snapshots: Record<string, StackSnapshot> = {};

/** The resource named `name`; a provider resource over the component of the same name. */
function record(s: StackSnapshot, name: string): ResourceRecord {
    const named = s.resources.filter((x) => x.name === name);
    const r = named.find((x) => x.custom) ?? named[0];
    assert.ok(r, `the program has no resource named ${name}: ${s.resources.map((x) => x.name).join(", ")}`);
    return r;
}
const replace = (s: StackSnapshot, r: ResourceRecord, next: ResourceRecord): StackSnapshot => ({
    ...s,
    resources: s.resources.map((x) => (x.urn === r.urn ? next : x)),
});
const change = (s: StackSnapshot, name: string, changes: Record<string, unknown>) =>
    replace(s, record(s, name), withProps(record(s, name), changes));
const remove = (s: StackSnapshot, name: string): StackSnapshot => ({
    ...s,
    resources: s.resources.filter((x) => x.urn !== record(s, name).urn),
});
const add = (s: StackSnapshot, ...rs: ResourceRecord[]): StackSnapshot => ({
    ...s,
    resources: [...s.resources, ...rs],
});
/** The parts of the JSON document properties the mutations below edit. */
interface JsonProperties {
    policy: { Statement: { Sid?: string; [key: string]: unknown }[] };
    containerProperties: {
        jobRoleArn?: unknown;
        executionRoleArn?: unknown;
        resourceRequirements: { type: string; value: string }[];
        privileged?: boolean;
        environment: { name: string; value: string }[];
        user?: string;
        logConfiguration?: unknown;
    };
}
/**
 * Changes a JSON document property in the form the program gives it: a structured object (policy
 * documents) or JSON text (the job's containerProperties).
 */
const changeJson = <K extends keyof JsonProperties>(
    s: StackSnapshot,
    name: string,
    prop: K,
    edit: (doc: JsonProperties[K]) => void,
) => {
    const value = record(s, name).inputs[prop];
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const doc = JSON.parse(text) as JsonProperties[K];
    edit(doc);
    return change(s, name, { [prop]: typeof value === "string" ? JSON.stringify(doc) : doc });
};

/** The name of the first resource of a type. */
const nameOf = (s: StackSnapshot, type: string) => {
    const r = s.resources.find((x) => x.type === type);
    assert.ok(r, `the program has no ${type}`);
    return r.name;
};

const key = (v: Violation) => `${v.policy}|${v.urn}|${v.enforcementLevel}`;

describe("the program's stacks under the policy pack", function () {
    this.timeout(120000);
    const baseline: Record<string, Violation[]> = {};
    before(() => {
        for (const stack of ["prod", "dev"]) {
            snapshots[stack] = programSnapshot(stack);
        }
    });
    before(async () => {
        for (const stack of ["prod", "dev"]) {
            baseline[stack] = (await evaluateSnapshot(snapshots[stack])).violations;
        }
    });

    for (const stack of ["prod", "dev"]) {
        it(`${stack}: has zero mandatory violations`, () => {
            assert.deepEqual(
                baseline[stack].filter((v) => v.enforcementLevel === "mandatory"),
                [],
            );
            assert.ok(snapshots[stack].resources.length > 40);
        });
    }

    /** Evaluates a mutated prod and returns the violations that the mutation added. */
    async function added(mutate: (s: StackSnapshot) => StackSnapshot): Promise<Violation[]> {
        const before = new Set(baseline.prod.map(key));
        const after = (await evaluateSnapshot(mutate(snapshots.prod))).violations;
        return after.filter((v) => !before.has(key(v)));
    }
    const urnOf = (name: string) => record(snapshots.prod, name).urn;

    const TRAIL = (inputs: Record<string, unknown>) =>
        resource(
            "aws:cloudtrail/trail:Trail",
            "audit-trail",
            { s3BucketName: "atx-trail", isMultiRegionTrail: true, ...inputs },
            { stack: "prod" },
        );

    /** [policy, what breaks, the mutation, the resource (name, or how to find it) the violation must be on]. */
    const mutations: [
        string,
        string,
        (s: StackSnapshot) => StackSnapshot,
        string | ((s: StackSnapshot) => string) | undefined,
    ][] = [
        [
            "s3-bucket-tls-only",
            "the output bucket policy loses its TLS statement",
            (s) =>
                changeJson(s, "storage-output-policy", "policy", (d) => {
                    d.Statement = d.Statement.filter((x) => x.Sid !== "DenyInsecureTransport");
                }),
            "storage-output",
        ],
        [
            "s3-bucket-kms-encryption",
            "the source bucket falls back to AES256",
            (s) =>
                change(s, "storage-source-encryption", {
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                }),
            "storage-source",
        ],
        [
            "s3-bucket-kms-encryption",
            "the log bucket loses its default encryption",
            (s) => remove(s, "storage-logs-encryption"),
            "storage-logs",
        ],
        [
            "s3-replica-as-protected-as-source",
            "the output bucket's replica loses its lifecycle",
            (s) => remove(s, "storage-replica-bucket-lifecycle"),
            "storage-replica-bucket",
        ],
        [
            "s3-bucket-versioning",
            "the source bucket suspends versioning",
            (s) => change(s, "storage-source-versioning", { versioningConfiguration: { status: "Suspended" } }),
            "storage-source",
        ],
        [
            "s3-bucket-public-access-block",
            "the log bucket stops ignoring public ACLs",
            (s) => change(s, "storage-logs-public-access-block", { ignorePublicAcls: false }),
            "storage-logs",
        ],
        [
            "s3-bucket-access-logging",
            "the source bucket stops logging",
            (s) => remove(s, "storage-source-logging"),
            "storage-source",
        ],
        [
            "s3-no-public-acl-or-policy",
            "the output bucket policy allows everyone to read",
            (s) =>
                changeJson(s, "storage-output-policy", "policy", (d) => {
                    d.Statement.push({
                        Effect: "Allow",
                        Principal: "*",
                        Action: "s3:GetObject",
                        Resource: "arn:aws:s3:::atx-custom-output-123456789012/*",
                    });
                }),
            "storage-output-policy",
        ],
        [
            "s3-source-uploads-expire",
            "uploads expire after 30 days",
            (s) =>
                change(s, "storage-source-lifecycle", {
                    rules: (record(s, "storage-source-lifecycle").inputs.rules as { id?: unknown }[]).map((r) =>
                        r.id === "expire-uploads" ? { ...r, expiration: { days: 30 } } : r,
                    ),
                }),
            "storage-source",
        ],
        [
            "security-group-no-public-ingress",
            "the jobs' security group opens SSH to the world",
            (s) =>
                change(s, "network-jobs", {
                    ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
                }),
            "network-jobs",
        ],
        [
            "security-group-egress-allowed-ports",
            "a separate rule allows all egress",
            (s) =>
                add(
                    s,
                    resource(
                        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
                        "network-jobs-all",
                        {
                            securityGroupId: "sg-1",
                            ipProtocol: "-1",
                            cidrIpv4: "0.0.0.0/0",
                        },
                        { stack: "prod" },
                    ),
                ),
            "network-jobs-all",
        ],
        ["vpc-flow-logs-enabled", "the flow log is removed", (s) => remove(s, "network-flow-log"), "network-jobs"],
        [
            "kms-key-rotation",
            "the platform key stops rotating",
            (s) => change(s, "platform-key", { enableKeyRotation: false }),
            "platform-key",
        ],
        [
            "log-group-retention",
            "job logs are kept 7 days",
            (s) => change(s, "batch-jobs", { retentionInDays: 7 }),
            "batch-jobs",
        ],
        [
            "log-group-kms-encryption",
            "flow logs lose their KMS key",
            (s) => change(s, "network-flow-logs", { kmsKeyId: undefined }),
            "network-flow-logs",
        ],
        [
            "ecr-scan-on-push",
            "the repository stops scanning on push",
            (s) => change(s, "registry-repository", { imageScanningConfiguration: { scanOnPush: false } }),
            "registry-repository",
        ],
        [
            "ecr-immutable-tags",
            "the repository allows mutable tags",
            (s) => change(s, "registry-repository", { imageTagMutability: "MUTABLE" }),
            "registry-repository",
        ],
        [
            "iam-no-admin-wildcards",
            "the job role's policy allows s3:* on *",
            (s) =>
                changeJson(s, "identity-job-access", "policy", (d) => {
                    d.Statement.push({ Effect: "Allow", Action: "s3:*", Resource: "*" });
                }),
            "identity-job-access",
        ],
        [
            "iam-no-admin-policy-attachments",
            "the job role gets AdministratorAccess",
            (s) =>
                change(s, "identity-job-AWSTransformCustomExecuteTransformations", {
                    policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
                }),
            "identity-job-AWSTransformCustomExecuteTransformations",
        ],
        [
            "iam-no-access-keys",
            "an access key is created for a CI user",
            (s) => add(s, resource("aws:iam/accessKey:AccessKey", "ci-key", { user: "ci" }, { stack: "prod" })),
            "ci-key",
        ],
        [
            "iam-distinct-job-and-execution-roles",
            "the job runs with its execution role",
            (s) =>
                changeJson(s, "batch-job", "containerProperties", (d) => {
                    d.jobRoleArn = d.executionRoleArn;
                }),
            "batch-job",
        ],
        [
            "batch-job-timeout",
            "the job loses its timeout",
            (s) => change(s, "batch-job", { timeout: undefined }),
            "batch-job",
        ],
        [
            "batch-job-retry-strategy",
            "the job is not retried",
            (s) => change(s, "batch-job", { retryStrategy: { attempts: 1 } }),
            "batch-job",
        ],
        [
            "batch-job-resource-requirements",
            "the job loses its memory requirement",
            (s) =>
                changeJson(s, "batch-job", "containerProperties", (d) => {
                    d.resourceRequirements = d.resourceRequirements.filter((r) => r.type !== "MEMORY");
                }),
            "batch-job",
        ],
        [
            "batch-job-fargate",
            "the job runs on EC2",
            (s) => change(s, "batch-job", { platformCapabilities: ["EC2"] }),
            "batch-job",
        ],
        [
            "batch-job-not-privileged",
            "the container runs privileged",
            (s) =>
                changeJson(s, "batch-job", "containerProperties", (d) => {
                    d.privileged = true;
                }),
            "batch-job",
        ],
        [
            "batch-job-secrets-from-secrets-manager",
            "a GitHub token is passed as an environment variable",
            (s) =>
                changeJson(s, "batch-job", "containerProperties", (d) => {
                    d.environment.push({ name: "GITHUB_TOKEN", value: "ghp_0123456789abcdefghijABCDEFGHIJ012345" });
                }),
            "batch-job",
        ],
        [
            "batch-job-non-root-user",
            "the container runs as root",
            (s) =>
                changeJson(s, "batch-job", "containerProperties", (d) => {
                    d.user = "root";
                }),
            "batch-job",
        ],
        [
            "batch-job-logs-to-cloudwatch",
            "the job loses its log configuration",
            (s) =>
                changeJson(s, "batch-job", "containerProperties", (d) => {
                    delete d.logConfiguration;
                }),
            "batch-job",
        ],
        [
            "apigateway-no-api-keys",
            "an API method requires an API key",
            (s) => change(s, nameOf(s, "aws:apigateway/method:Method"), { apiKeyRequired: true }),
            (s: StackSnapshot) => nameOf(s, "aws:apigateway/method:Method"),
        ],
        [
            "batch-compute-environment-fargate",
            "the compute environment moves to EC2",
            (s) =>
                change(s, "batch-fargate", {
                    computeResources: {
                        ...(record(s, "batch-fargate").inputs.computeResources as object),
                        type: "EC2",
                    },
                }),
            "batch-fargate",
        ],
        [
            "apigateway-method-iam-auth",
            "an API method drops IAM authorization",
            (s) => change(s, nameOf(s, "aws:apigateway/method:Method"), { authorization: "NONE" }),
            (s: StackSnapshot) => nameOf(s, "aws:apigateway/method:Method"),
        ],
        [
            "apigateway-stage-access-logging",
            "the API stage stops access logging",
            (s) => change(s, "atx-api-stage", { accessLogSettings: undefined }),
            "atx-api-stage",
        ],
        [
            "apigateway-stage-throttling",
            "the API's method settings are removed",
            (s) => remove(s, "atx-api-method-settings"),
            "atx-api-stage",
        ],
        [
            "apigateway-no-data-trace-in-production",
            "prod method settings trace full requests",
            (s) =>
                change(s, "atx-api-method-settings", {
                    settings: {
                        ...(record(s, "atx-api-method-settings").inputs.settings as object),
                        dataTraceEnabled: true,
                    },
                }),
            "atx-api-method-settings",
        ],
        [
            "secretsmanager-secret-value-is-secret",
            "a secret version holds a plaintext value",
            (s) =>
                add(
                    s,
                    resource(
                        "aws:secretsmanager/secretVersion:SecretVersion",
                        "github-token",
                        { secretId: "atx/github-token", secretString: "ghp_x" },
                        { stack: "prod" },
                    ),
                ),
            "github-token",
        ],
        [
            "ssm-credentials-secure-string",
            "a token is stored as a String parameter",
            (s) =>
                add(
                    s,
                    resource(
                        "aws:ssm/parameter:Parameter",
                        "token-param",
                        { name: "/atx/github-token", type: "String", value: "x" },
                        { stack: "prod" },
                    ),
                ),
            "token-param",
        ],
        [
            "cloudtrail-secure-trail",
            "the audit trail stops validating log files",
            (s) => {
                const trails = s.resources.filter((r) => r.type === "aws:cloudtrail/trail:Trail");
                return trails.length === 0
                    ? add(
                          s,
                          TRAIL({
                              enableLogFileValidation: false,
                              kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/k",
                          }),
                      )
                    : trails.reduce((acc, t) => replace(acc, t, withProps(t, { enableLogFileValidation: false })), s);
            },
            undefined,
        ],
        [
            "dynamodb-table-kms-encryption",
            "the jobs table drops the platform key",
            (s) => change(s, "api-jobs", { serverSideEncryption: { enabled: true } }),
            "api-jobs",
        ],
        [
            "dynamodb-table-point-in-time-recovery",
            "the jobs table loses point-in-time recovery",
            (s) => change(s, "api-jobs", { pointInTimeRecovery: { enabled: false } }),
            "api-jobs",
        ],
        [
            "dynamodb-table-deletion-protection",
            "the prod jobs table loses deletion protection",
            (s) => change(s, "api-jobs", { deletionProtectionEnabled: false }),
            "api-jobs",
        ],
        [
            "sqs-queue-kms-encryption",
            "the bulk queue drops the platform key",
            (s) => change(s, "api-bulk-submissions", { kmsMasterKeyId: undefined }),
            "api-bulk-submissions",
        ],
        [
            "sqs-queue-tls-only",
            "the bulk queue's policy loses its TLS statement",
            (s) =>
                changeJson(s, "api-bulk-submissions-policy", "policy", (d) => {
                    d.Statement = [];
                }),
            "api-bulk-submissions",
        ],
        [
            "sns-topic-kms-encryption",
            "the alarm topic drops the platform key",
            (s) => change(s, "alarms", { kmsMasterKeyId: undefined }),
            "alarms",
        ],
        [
            "sns-topic-tls-only",
            "the alarm topic's policy loses its TLS statement",
            (s) =>
                changeJson(s, "alarms-policy", "policy", (d) => {
                    d.Statement = d.Statement.filter((x) => x.Sid !== "DenyInsecureTransport");
                }),
            "alarms",
        ],
        [
            "sqs-sns-no-public-policy",
            "the bulk queue's policy lets anyone send",
            (s) =>
                changeJson(s, "api-bulk-submissions-policy", "policy", (d) => {
                    d.Statement.push({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" });
                }),
            "api-bulk-submissions-policy",
        ],
        [
            "lambda-no-public-access",
            "a function gets a URL",
            (s) =>
                add(
                    s,
                    resource(
                        "aws:lambda/functionUrl:FunctionUrl",
                        "jobs-url",
                        { functionName: "atx-api-jobs", authorizationType: "NONE" },
                        { stack: "prod" },
                    ),
                ),
            "jobs-url",
        ],
        [
            "lambda-log-group-encrypted",
            "a function logs to a group this stack does not create (and so does not encrypt)",
            (s) => {
                const fn = s.resources.find((r) => r.type === "aws:lambda/function:Function")!;
                const { loggingConfig: _linked, ...deps } = fn.propertyDependencies;
                return replace(
                    s,
                    fn,
                    withProps({ ...fn, propertyDependencies: deps }, { loggingConfig: { logGroup: "/atx/elsewhere" } }),
                );
            },
            // The function shares its name with its API Gateway resource, so a name does not single it out.
            undefined,
        ],
        [
            "secretsmanager-secret-kms-key",
            "a secret uses the AWS managed key",
            (s) =>
                add(
                    s,
                    resource(
                        "aws:secretsmanager/secret:Secret",
                        "git-token",
                        { name: "atx/git-token", kmsKeyId: "alias/aws/secretsmanager" },
                        { stack: "prod" },
                    ),
                ),
            "git-token",
        ],
    ];

    for (const [policy, what, mutate, target] of mutations) {
        it(`catches ${policy} when ${what}`, async () => {
            const found = (await added(mutate)).filter(
                (v) => v.policy === policy && v.enforcementLevel === "mandatory",
            );
            assert.ok(
                found.length > 0,
                `no new mandatory ${policy} violation; added: ${JSON.stringify(await added(mutate), null, 1)}`,
            );
            if (target) {
                const mutated = mutate(snapshots.prod);
                const targetName = typeof target === "string" ? target : target(mutated);
                const urn = snapshotsUrn(mutated, targetName);
                assert.ok(
                    found.some((v) => v.urn === urn),
                    `expected a violation on ${targetName}, got ${found.map((v) => v.urn).join(", ")}`,
                );
            }
        });
    }

    it("covers every mandatory policy of the pack with a mutation", async () => {
        const { policies } = await import("../../policy-pack/policies");
        const covered = new Set(mutations.map((m) => m[0]));
        const missing = policies
            .filter((p) => p.enforcementLevel === "mandatory" && !covered.has(p.name))
            .map((p) => p.name);
        assert.deepEqual(missing, []);
    });

    it("still sees the advisory recommendations when their protection is removed", async () => {
        const vs = await added((s) =>
            change(remove(s, "storage-output-object-lock"), "storage-output", { objectLockEnabled: undefined }),
        );
        assert.ok(
            vs.some(
                (v) =>
                    v.policy === "s3-results-object-lock" &&
                    v.enforcementLevel === "advisory" &&
                    v.urn === urnOf("storage-output"),
            ),
        );
        const failures = snapshots.prod.resources.filter(
            (r) => r.type === "aws:cloudwatch/eventRule:EventRule" && /FAILED/.test(String(r.inputs.eventPattern)),
        );
        if (failures.length > 0) {
            const vs2 = await added((s) => failures.reduce((acc, r) => remove(acc, r.name), s));
            assert.ok(vs2.some((v) => v.policy === "batch-job-failure-alarm" && v.enforcementLevel === "advisory"));
        }
    });
});

function snapshotsUrn(s: StackSnapshot, name: string): string {
    return record(s, name).urn;
}
