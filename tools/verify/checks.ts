/**
 * The after-deployment checklist: each check reads a deployed resource named by the stack outputs
 * through the AWS APIs (the caller's credentials) and says whether it is still as deployed.
 */
import { BatchClient, DescribeJobDefinitionsCommand } from "@aws-sdk/client-batch";
import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { DescribeSecurityGroupsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
    DescribeImageScanFindingsCommand,
    DescribeImagesCommand,
    DescribeRepositoriesCommand,
    ECRClient,
} from "@aws-sdk/client-ecr";
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import {
    GetBucketEncryptionCommand,
    GetBucketLoggingCommand,
    GetBucketPolicyCommand,
    GetBucketVersioningCommand,
    GetPublicAccessBlockCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import { adminStatements, deniesInsecureTransport, egressBeyond, runsAsRoot } from "./rules";

/** The stack outputs the checks read (stack-outputs.ts is the full contract). */
export interface VerifyOutputs {
    readonly outputBucketName: string;
    readonly sourceBucketName: string;
    readonly accessLogBucketName: string;
    readonly kmsKeyArn: string;
    readonly securityGroupId: string;
    readonly jobRoleArn: string;
    readonly executionRoleArn: string;
    readonly jobDefinitionArn: string;
    readonly jobQueueArn: string;
    readonly alarmTopicArn: string;
    readonly trailArn: string;
    readonly ecrRepositoryUrl: string;
}

export const REQUIRED_OUTPUTS: readonly (keyof VerifyOutputs)[] = [
    "outputBucketName",
    "sourceBucketName",
    "accessLogBucketName",
    "kmsKeyArn",
    "securityGroupId",
    "jobRoleArn",
    "executionRoleArn",
    "jobDefinitionArn",
    "jobQueueArn",
    "alarmTopicArn",
    "trailArn",
    "ecrRepositoryUrl",
];

export interface CheckResult {
    /** Stable name, e.g. `bucket.versioning:atx-custom-output-123456789012`. */
    readonly check: string;
    readonly ok: boolean;
    readonly detail: string;
}

export interface Clients {
    readonly s3: S3Client;
    readonly ec2: EC2Client;
    readonly iam: IAMClient;
    readonly batch: BatchClient;
    readonly cloudwatch: CloudWatchClient;
    readonly cloudtrail: CloudTrailClient;
    readonly ecr: ECRClient;
}

export function createClients(region: string): Clients {
    const config = { region };
    return {
        s3: new S3Client(config),
        ec2: new EC2Client(config),
        iam: new IAMClient(config),
        batch: new BatchClient(config),
        cloudwatch: new CloudWatchClient(config),
        cloudtrail: new CloudTrailClient(config),
        ecr: new ECRClient(config),
    };
}

const pass = (check: string, detail: string): CheckResult => ({ check, ok: true, detail });
const fail = (check: string, detail: string): CheckResult => ({ check, ok: false, detail });

/** Runs one check; an API error (missing resource, access denied) is that check's failure, never a crash. */
async function attempt(check: string, run: () => Promise<CheckResult>): Promise<CheckResult> {
    try {
        return await run();
    } catch (error) {
        const e = error as { name?: string; message?: string };
        return fail(check, `${e.name ?? "Error"}: ${e.message ?? String(error)}`);
    }
}

async function bucketChecks(clients: Clients, bucket: string, kmsKeyArn: string, isLogTarget: boolean) {
    const { s3 } = clients;
    const Bucket = bucket;
    return Promise.all([
        attempt(`bucket.encryption:${bucket}`, async () => {
            const rules = (await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration
                ?.Rules;
            const byDefault = rules?.[0]?.ApplyServerSideEncryptionByDefault;
            if (isLogTarget) {
                return byDefault?.SSEAlgorithm
                    ? pass(`bucket.encryption:${bucket}`, byDefault.SSEAlgorithm)
                    : fail(`bucket.encryption:${bucket}`, "no default encryption");
            }
            const ok = byDefault?.SSEAlgorithm === "aws:kms" && byDefault.KMSMasterKeyID === kmsKeyArn;
            return ok
                ? pass(`bucket.encryption:${bucket}`, "SSE-KMS with the stack's key")
                : fail(
                      `bucket.encryption:${bucket}`,
                      `expected aws:kms with ${kmsKeyArn}, found ${byDefault?.SSEAlgorithm ?? "none"} ${byDefault?.KMSMasterKeyID ?? ""}`.trim(),
                  );
        }),
        attempt(`bucket.versioning:${bucket}`, async () => {
            const status = (await s3.send(new GetBucketVersioningCommand({ Bucket }))).Status;
            return status === "Enabled"
                ? pass(`bucket.versioning:${bucket}`, "Enabled")
                : fail(`bucket.versioning:${bucket}`, `versioning is ${status ?? "off"}`);
        }),
        attempt(`bucket.tls-only:${bucket}`, async () => {
            const policy = (await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy;
            return deniesInsecureTransport(policy)
                ? pass(`bucket.tls-only:${bucket}`, "policy denies aws:SecureTransport false")
                : fail(`bucket.tls-only:${bucket}`, "no Deny of s3:* without TLS in the bucket policy");
        }),
        attempt(`bucket.public-access-block:${bucket}`, async () => {
            const block =
                (await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration ?? {};
            const off = (
                ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] as const
            ).filter((k) => block[k] !== true);
            return off.length === 0
                ? pass(`bucket.public-access-block:${bucket}`, "all four on")
                : fail(`bucket.public-access-block:${bucket}`, `off: ${off.join(", ")}`);
        }),
        ...(isLogTarget
            ? []
            : [
                  attempt(`bucket.logging:${bucket}`, async () => {
                      const target = (await s3.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled
                          ?.TargetBucket;
                      return target
                          ? pass(`bucket.logging:${bucket}`, `to ${target}`)
                          : fail(`bucket.logging:${bucket}`, "server access logging is off");
                  }),
              ]),
    ]);
}

async function securityGroupCheck(clients: Clients, groupId: string): Promise<CheckResult> {
    const check = `security-group:${groupId}`;
    return attempt(check, async () => {
        const group = (await clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })))
            .SecurityGroups?.[0];
        if (!group) return fail(check, "not found");
        const problems = [
            ...(group.IpPermissions ?? []).map((p) => `ingress ${p.IpProtocol} ${p.FromPort ?? "*"}`),
            ...egressBeyond(group.IpPermissionsEgress ?? [], [443]).map((r) => `egress ${r}`),
        ];
        return problems.length === 0
            ? pass(check, "no ingress, egress TCP 443 only")
            : fail(check, problems.join("; "));
    });
}

async function roleCheck(clients: Clients, roleArn: string): Promise<CheckResult> {
    const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    const check = `role:${roleName}`;
    return attempt(check, async () => {
        const role = (await clients.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
        const trust = decodeURIComponent(role?.AssumeRolePolicyDocument ?? "{}");
        const problems: string[] = [];
        if (!trust.includes("ecs-tasks.amazonaws.com")) problems.push("not assumable by ecs-tasks.amazonaws.com only");
        const names = (await clients.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
        for (const PolicyName of names) {
            const document = (await clients.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName })))
                .PolicyDocument;
            for (const statement of adminStatements(document))
                problems.push(`${PolicyName}: admin statement ${statement}`);
        }
        return problems.length === 0
            ? pass(check, `${names.length} inline policies, no admin statement`)
            : fail(check, problems.join("; "));
    });
}

async function jobDefinitionCheck(clients: Clients, outputs: VerifyOutputs): Promise<CheckResult> {
    const check = "job-definition";
    return attempt(check, async () => {
        const definition = (
            await clients.batch.send(new DescribeJobDefinitionsCommand({ jobDefinitions: [outputs.jobDefinitionArn] }))
        ).jobDefinitions?.[0];
        if (!definition) return fail(check, `${outputs.jobDefinitionArn} not found`);
        const container = definition.containerProperties ?? {};
        const problems: string[] = [];
        if (definition.status !== "ACTIVE") problems.push(`status ${definition.status}`);
        if (container.jobRoleArn !== outputs.jobRoleArn) problems.push(`job role ${container.jobRoleArn}`);
        if (container.executionRoleArn !== outputs.executionRoleArn)
            problems.push(`execution role ${container.executionRoleArn}`);
        if (container.jobRoleArn === container.executionRoleArn) problems.push("job and execution roles are the same");
        if (runsAsRoot(container.user)) problems.push(`runs as ${container.user ?? "root (unset)"}`);
        if (container.privileged) problems.push("privileged");
        if (!definition.timeout?.attemptDurationSeconds) problems.push("no timeout");
        if (container.logConfiguration?.logDriver !== "awslogs") problems.push("logs not to CloudWatch (awslogs)");
        return problems.length === 0
            ? pass(check, `revision ${definition.revision}`)
            : fail(check, problems.join("; "));
    });
}

async function alarmsCheck(clients: Clients, topicArn: string): Promise<CheckResult> {
    const check = "alarms";
    return attempt(check, async () => {
        const alarms: MetricAlarm[] = [];
        let NextToken: string | undefined;
        do {
            const page = await clients.cloudwatch.send(new DescribeAlarmsCommand({ NextToken }));
            alarms.push(...(page.MetricAlarms ?? []));
            NextToken = page.NextToken;
        } while (NextToken);
        const ours = alarms.filter((a) => (a.AlarmActions ?? []).includes(topicArn));
        if (ours.length === 0) return fail(check, `no alarm notifies ${topicArn}`);
        const disabled = ours.filter((a) => a.ActionsEnabled === false).map((a) => a.AlarmName);
        const alarming = ours.filter((a) => a.StateValue === "ALARM").map((a) => a.AlarmName);
        if (disabled.length > 0) return fail(check, `actions disabled: ${disabled.join(", ")}`);
        return pass(
            check,
            `${ours.length} alarms notify the topic${alarming.length ? `; in ALARM now: ${alarming.join(", ")}` : ""}`,
        );
    });
}

async function trailCheck(clients: Clients, trailArn: string): Promise<CheckResult> {
    const check = "trail";
    return attempt(check, async () => {
        const status = await clients.cloudtrail.send(new GetTrailStatusCommand({ Name: trailArn }));
        const trail = (await clients.cloudtrail.send(new DescribeTrailsCommand({ trailNameList: [trailArn] })))
            .trailList?.[0];
        const problems: string[] = [];
        if (!status.IsLogging) problems.push("not logging");
        if (!trail?.LogFileValidationEnabled) problems.push("log file validation off");
        if (!trail?.KmsKeyId) problems.push("not KMS-encrypted");
        if (!trail?.IsMultiRegionTrail) problems.push("not multi-region");
        return problems.length === 0
            ? pass(check, "logging, validated, encrypted, multi-region")
            : fail(check, problems.join("; "));
    });
}

async function registryChecks(clients: Clients, repositoryUrl: string): Promise<CheckResult[]> {
    const repositoryName = repositoryUrl.slice(repositoryUrl.indexOf("/") + 1);
    const scan = await attempt("ecr.repository", async () => {
        const repository = (
            await clients.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }))
        ).repositories?.[0];
        const problems: string[] = [];
        if (!repository?.imageScanningConfiguration?.scanOnPush) problems.push("scan on push off");
        if (repository?.imageTagMutability !== "IMMUTABLE") problems.push("tags are mutable");
        return problems.length === 0
            ? pass("ecr.repository", "scan on push, immutable tags")
            : fail("ecr.repository", problems.join("; "));
    });
    const findings = await attempt("ecr.latest-image-findings", async () => {
        const images = (await clients.ecr.send(new DescribeImagesCommand({ repositoryName }))).imageDetails ?? [];
        const latest = [...images].sort(
            (a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0),
        )[0];
        if (!latest?.imageDigest) return fail("ecr.latest-image-findings", "the repository has no image");
        const result = await clients.ecr.send(
            new DescribeImageScanFindingsCommand({ repositoryName, imageId: { imageDigest: latest.imageDigest } }),
        );
        const counts = result.imageScanFindings?.findingSeverityCounts ?? {};
        const serious = (counts.CRITICAL ?? 0) + (counts.HIGH ?? 0);
        return serious === 0
            ? pass("ecr.latest-image-findings", `${latest.imageDigest.slice(0, 19)}: no CRITICAL or HIGH finding`)
            : fail(
                  "ecr.latest-image-findings",
                  `${latest.imageDigest.slice(0, 19)}: ${counts.CRITICAL ?? 0} CRITICAL, ${counts.HIGH ?? 0} HIGH`,
              );
    });
    return [scan, findings];
}

/** Every check of the checklist, in a stable order. */
export async function runChecks(clients: Clients, outputs: VerifyOutputs): Promise<CheckResult[]> {
    const buckets = await Promise.all([
        bucketChecks(clients, outputs.outputBucketName, outputs.kmsKeyArn, false),
        bucketChecks(clients, outputs.sourceBucketName, outputs.kmsKeyArn, false),
        bucketChecks(clients, outputs.accessLogBucketName, outputs.kmsKeyArn, true),
    ]);
    return [
        ...buckets.flat(),
        await securityGroupCheck(clients, outputs.securityGroupId),
        await roleCheck(clients, outputs.jobRoleArn),
        await roleCheck(clients, outputs.executionRoleArn),
        await jobDefinitionCheck(clients, outputs),
        await alarmsCheck(clients, outputs.alarmTopicArn),
        await trailCheck(clients, outputs.trailArn),
        ...(await registryChecks(clients, outputs.ecrRepositoryUrl)),
    ];
}
