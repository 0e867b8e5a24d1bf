/**
 * `npm run verify` against moto: a fixture creates a compliant deployment (the resources the stack
 * outputs name), and for every check a fresh fixture with one drift must fail exactly that check.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BatchClient, DeregisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import {
    CloudTrailClient,
    CreateTrailCommand,
    StartLoggingCommand,
    StopLoggingCommand,
} from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient, DisableAlarmActionsCommand, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import {
    AuthorizeSecurityGroupEgressCommand,
    CreateSecurityGroupCommand,
    EC2Client,
    RevokeSecurityGroupEgressCommand,
} from "@aws-sdk/client-ec2";
import {
    CreateRepositoryCommand,
    ECRClient,
    PutImageCommand,
    PutImageScanningConfigurationCommand,
    StartImageScanCommand,
} from "@aws-sdk/client-ecr";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import {
    CreateBucketCommand,
    DeleteBucketPolicyCommand,
    PutBucketEncryptionCommand,
    PutBucketLoggingCommand,
    PutBucketPolicyCommand,
    PutBucketVersioningCommand,
    PutPublicAccessBlockCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import { createFargateJobQueue } from "../api/local/bootstrap";
import { startMoto, type MotoServer } from "../api/local/moto";
import { type CheckResult, createClients, runChecks, type VerifyOutputs } from "../tools/verify/checks";
import { formatChecklist, parseArgs, testJob, UsageError } from "../tools/verify/cli";
import { adminStatements, deniesInsecureTransport, egressBeyond, runsAsRoot } from "../tools/verify/rules";
import { PROJECT_DIR } from "./support/preview";

const REGION = "us-east-1";
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:atx-alarms";
const trust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const tlsOnly = (bucket: string, logTarget = false) =>
    JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            ...(logTarget
                ? [
                      {
                          Sid: "S3ServerAccessLogDelivery",
                          Effect: "Allow",
                          Principal: { Service: "logging.s3.amazonaws.com" },
                          Action: "s3:PutObject",
                          Resource: `arn:aws:s3:::${bucket}/*`,
                      },
                  ]
                : []),
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });

let moto: MotoServer;
const clients = () => createClients(REGION);

/** Tells moto what the next image scan findings are. */
async function scanFindings(repositoryName: string, counts: Record<string, number>): Promise<void> {
    const response = await fetch(`${moto.url}/moto-api/static/ecr/scan-finding-results`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
            region: REGION,
            results: [
                {
                    imageScanFindings: { findingSeverityCounts: counts, findings: [] },
                    registryId: "123456789012",
                    repositoryName,
                    imageId: { imageTag: "v1" },
                    imageScanStatus: { status: "COMPLETE", description: "done" },
                },
            ],
        }),
    });
    assert.ok(response.ok, `moto findings: HTTP ${response.status}`);
}

/** A compliant deployment, its names prefixed; returns what the stack outputs would be. */
async function deploy(prefix: string): Promise<VerifyOutputs> {
    const config = { region: REGION };
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    const buckets = {
        output: `${prefix}-output`,
        source: `${prefix}-source`,
        logs: `${prefix}-logs`,
        trail: `${prefix}-trail`,
    };
    for (const [role, Bucket] of Object.entries(buckets)) {
        await s3.send(new CreateBucketCommand({ Bucket }));
        await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }));
        const kms = role !== "logs";
        await s3.send(
            new PutBucketEncryptionCommand({
                Bucket,
                ServerSideEncryptionConfiguration: {
                    Rules: [
                        {
                            ApplyServerSideEncryptionByDefault: kms
                                ? { SSEAlgorithm: "aws:kms", KMSMasterKeyID: KEY_ARN }
                                : { SSEAlgorithm: "AES256" },
                            BucketKeyEnabled: kms,
                        },
                    ],
                },
            }),
        );
        await s3.send(new PutBucketPolicyCommand({ Bucket, Policy: tlsOnly(Bucket, role === "logs") }));
        await s3.send(
            new PutPublicAccessBlockCommand({
                Bucket,
                PublicAccessBlockConfiguration: {
                    BlockPublicAcls: true,
                    IgnorePublicAcls: true,
                    BlockPublicPolicy: true,
                    RestrictPublicBuckets: true,
                },
            }),
        );
    }
    for (const Bucket of [buckets.output, buckets.source]) {
        await s3.send(
            new PutBucketLoggingCommand({
                Bucket,
                BucketLoggingStatus: { LoggingEnabled: { TargetBucket: buckets.logs, TargetPrefix: `${Bucket}/` } },
            }),
        );
    }

    const ec2 = new EC2Client(config);
    const { GroupId } = await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: `${prefix}-jobs`, Description: "jobs" }),
    );
    await ec2.send(
        new RevokeSecurityGroupEgressCommand({
            GroupId,
            IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
        }),
    );
    await ec2.send(
        new AuthorizeSecurityGroupEgressCommand({
            GroupId,
            IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
        }),
    );

    const iam = new IAMClient(config);
    const role = async (name: string) => {
        const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
        await iam.send(
            new PutRolePolicyCommand({
                RoleName: name,
                PolicyName: "access",
                PolicyDocument: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "Read",
                            Effect: "Allow",
                            Action: "s3:GetObject",
                            Resource: `arn:aws:s3:::${buckets.source}/*`,
                        },
                    ],
                }),
            }),
        );
        return Role!.Arn!;
    };
    const jobRoleArn = await role(`${prefix}-job`);
    const executionRoleArn = await role(`${prefix}-execution`);

    const { jobQueueArn, jobDefinitionArn } = await createFargateJobQueue(new BatchClient(config), {
        prefix,
        serviceRoleArn: executionRoleArn,
        definitionName: `${prefix}-transform`,
        timeoutSeconds: 3600,
        containerProperties: {
            jobRoleArn,
            executionRoleArn,
            user: "1000",
            logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `/aws/batch/${prefix}` } },
        },
    });

    await new CloudWatchClient(config).send(
        new PutMetricAlarmCommand({
            AlarmName: `${prefix}-job-failures`,
            Namespace: "ATX/Jobs",
            MetricName: "JobsFailed",
            Statistic: "Sum",
            Period: 300,
            EvaluationPeriods: 1,
            Threshold: 1,
            ComparisonOperator: "GreaterThanOrEqualToThreshold",
            AlarmActions: [`${TOPIC_ARN}-${prefix}`],
            ActionsEnabled: true,
        }),
    );

    const cloudtrail = new CloudTrailClient(config);
    const trail = await cloudtrail.send(
        new CreateTrailCommand({
            Name: `${prefix}-trail`,
            S3BucketName: buckets.trail,
            IsMultiRegionTrail: true,
            EnableLogFileValidation: true,
            KmsKeyId: KEY_ARN,
        }),
    );
    await cloudtrail.send(new StartLoggingCommand({ Name: trail.TrailARN }));

    const ecr = new ECRClient(config);
    const repository = await ecr.send(
        new CreateRepositoryCommand({
            repositoryName: `${prefix}-cli`,
            imageScanningConfiguration: { scanOnPush: true },
            imageTagMutability: "IMMUTABLE",
        }),
    );
    await ecr.send(
        new PutImageCommand({
            repositoryName: `${prefix}-cli`,
            imageTag: "v1",
            imageManifest: JSON.stringify({
                schemaVersion: 2,
                mediaType: "application/vnd.docker.distribution.manifest.v2+json",
                config: {
                    mediaType: "application/vnd.docker.container.image.v1+json",
                    size: 1,
                    digest: `sha256:${"a".repeat(64)}`,
                },
                layers: [],
            }),
        }),
    );
    await ecr.send(new StartImageScanCommand({ repositoryName: `${prefix}-cli`, imageId: { imageTag: "v1" } }));

    return {
        outputBucketName: buckets.output,
        sourceBucketName: buckets.source,
        accessLogBucketName: buckets.logs,
        kmsKeyArn: KEY_ARN,
        securityGroupId: GroupId!,
        jobRoleArn,
        executionRoleArn,
        jobDefinitionArn,
        jobQueueArn,
        alarmTopicArn: `${TOPIC_ARN}-${prefix}`,
        trailArn: trail.TrailARN!,
        ecrRepositoryUrl: repository.repository!.repositoryUri!,
    };
}

/** Runs the checks, moto answering the image scan with these counts (none by default). */
async function verify(outputs: VerifyOutputs, findings: Record<string, number> = {}): Promise<CheckResult[]> {
    await scanFindings(outputs.ecrRepositoryUrl.split("/").pop()!, findings);
    return runChecks(clients(), outputs);
}

const failedChecks = (results: readonly CheckResult[]) => results.filter((r) => !r.ok).map((r) => r.check);

describe("verify: the after-deployment checklist against moto", function () {
    this.timeout(120_000);
    const saved = { ...process.env };

    before(async () => {
        moto = await startMoto();
        Object.assign(process.env, {
            AWS_ACCESS_KEY_ID: "test",
            AWS_SECRET_ACCESS_KEY: "test",
            AWS_REGION: REGION,
            AWS_ENDPOINT_URL: moto.url,
        });
        delete process.env.AWS_PROFILE;
    });
    after(async () => {
        process.env = saved;
        await moto?.stop();
    });

    it("passes every check on a compliant deployment", async () => {
        const results = await verify(await deploy("ok"));
        assert.deepStrictEqual(failedChecks(results), [], formatChecklist(results));
        assert.strictEqual(results.length, 22);
    });

    type Drift = (outputs: VerifyOutputs) => Promise<unknown>;
    const s3 = () => new S3Client({ region: REGION, forcePathStyle: true });
    const drifts: [string, Drift, (o: VerifyOutputs) => string][] = [
        [
            "encryption removed (SSE-S3 instead of the stack's key)",
            (o) =>
                s3().send(
                    new PutBucketEncryptionCommand({
                        Bucket: o.outputBucketName,
                        ServerSideEncryptionConfiguration: {
                            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
                        },
                    }),
                ),
            (o) => `bucket.encryption:${o.outputBucketName}`,
        ],
        [
            "versioning suspended",
            (o) =>
                s3().send(
                    new PutBucketVersioningCommand({
                        Bucket: o.sourceBucketName,
                        VersioningConfiguration: { Status: "Suspended" },
                    }),
                ),
            (o) => `bucket.versioning:${o.sourceBucketName}`,
        ],
        [
            "TLS-only policy deleted",
            (o) => s3().send(new DeleteBucketPolicyCommand({ Bucket: o.outputBucketName })),
            (o) => `bucket.tls-only:${o.outputBucketName}`,
        ],
        [
            "public access block turned off",
            (o) =>
                s3().send(
                    new PutPublicAccessBlockCommand({
                        Bucket: o.accessLogBucketName,
                        PublicAccessBlockConfiguration: {
                            BlockPublicAcls: true,
                            IgnorePublicAcls: true,
                            BlockPublicPolicy: false,
                            RestrictPublicBuckets: false,
                        },
                    }),
                ),
            (o) => `bucket.public-access-block:${o.accessLogBucketName}`,
        ],
        [
            "access logging switched off",
            (o) => s3().send(new PutBucketLoggingCommand({ Bucket: o.sourceBucketName, BucketLoggingStatus: {} })),
            (o) => `bucket.logging:${o.sourceBucketName}`,
        ],
        [
            "security group egress widened to SSH",
            (o) =>
                new EC2Client({ region: REGION }).send(
                    new AuthorizeSecurityGroupEgressCommand({
                        GroupId: o.securityGroupId,
                        IpPermissions: [
                            { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
                        ],
                    }),
                ),
            (o) => `security-group:${o.securityGroupId}`,
        ],
        [
            "admin statement added to the job role",
            (o) =>
                new IAMClient({ region: REGION }).send(
                    new PutRolePolicyCommand({
                        RoleName: o.jobRoleArn.split("/").pop()!,
                        PolicyName: "debug",
                        PolicyDocument: JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [{ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }],
                        }),
                    }),
                ),
            (o) => `role:${o.jobRoleArn.split("/").pop()}`,
        ],
        [
            "job definition deregistered",
            (o) =>
                new BatchClient({ region: REGION }).send(
                    new DeregisterJobDefinitionCommand({ jobDefinition: o.jobDefinitionArn }),
                ),
            () => "job-definition",
        ],
        [
            "alarm actions disabled",
            (o) =>
                new CloudWatchClient({ region: REGION }).send(
                    new DisableAlarmActionsCommand({
                        AlarmNames: [`${o.outputBucketName.replace(/-output$/, "")}-job-failures`],
                    }),
                ),
            () => "alarms",
        ],
        [
            "trail stopped",
            (o) => new CloudTrailClient({ region: REGION }).send(new StopLoggingCommand({ Name: o.trailArn })),
            () => "trail",
        ],
        [
            "scan on push switched off",
            (o) =>
                new ECRClient({ region: REGION }).send(
                    new PutImageScanningConfigurationCommand({
                        repositoryName: o.ecrRepositoryUrl.split("/").pop()!,
                        imageScanningConfiguration: { scanOnPush: false },
                    }),
                ),
            () => "ecr.repository",
        ],
    ];
    drifts.forEach(([title, drift, expected], i) => {
        it(`fails exactly the drifted check: ${title}`, async () => {
            const outputs = await deploy(`drift${i}`);
            await drift(outputs);
            const results = await verify(outputs);
            assert.deepStrictEqual(failedChecks(results), [expected(outputs)], formatChecklist(results));
        });
    });

    it("fails exactly the drifted check: latest image has HIGH findings", async () => {
        const results = await verify(await deploy("findings"), { HIGH: 2, MEDIUM: 1 });
        assert.deepStrictEqual(failedChecks(results), ["ecr.latest-image-findings"], formatChecklist(results));
        assert.match(results.find((r) => !r.ok)!.detail, /0 CRITICAL, 2 HIGH/);
    });

    it("submits an atx --version test job and waits for it", async () => {
        const outputs = await deploy("testjob");
        const result = await testJob(clients().batch, outputs, 60, 100);
        assert.strictEqual(result.ok, true, result.detail);
        assert.match(result.detail, /SUCCEEDED/);
    });

    it("the command prints the checklist and exits 1 naming the failed check, 0 when clean, JSON on request", async () => {
        const outputs = await deploy("cli");
        await scanFindings(outputs.ecrRepositoryUrl.split("/").pop()!, {});
        await scanFindings(outputs.ecrRepositoryUrl.split("/").pop()!, {});
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verify-")), "outputs.json");
        fs.writeFileSync(file, JSON.stringify(outputs));
        const run = (...args: string[]) =>
            spawnSync(
                process.execPath,
                ["-r", "./scripts/register-ts.js", "tools/verify/cli.ts", "--outputs", file, ...args],
                {
                    cwd: PROJECT_DIR,
                    encoding: "utf8",
                    env: process.env,
                },
            );
        const clean = run();
        assert.strictEqual(clean.status, 0, clean.stdout + clean.stderr);
        assert.match(clean.stdout, /^\[x\] trail: /m);
        assert.match(clean.stdout, /22 passed, 0 failed/);

        await new CloudTrailClient({ region: REGION }).send(new StopLoggingCommand({ Name: outputs.trailArn }));
        const drifted = run("--json");
        assert.strictEqual(drifted.status, 1, drifted.stderr);
        const report = JSON.parse(drifted.stdout) as { ok: boolean; results: CheckResult[] };
        assert.strictEqual(report.ok, false);
        assert.deepStrictEqual(
            report.results.filter((r: CheckResult) => !r.ok).map((r: CheckResult) => [r.check, r.detail]),
            [["trail", "not logging"]],
        );
    });

    it("exits 2 naming the outputs a file lacks", () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verify-")), "outputs.json");
        fs.writeFileSync(file, JSON.stringify({ outputBucketName: "b" }));
        const child = spawnSync(
            process.execPath,
            ["-r", "./scripts/register-ts.js", "tools/verify/cli.ts", "--outputs", file],
            {
                cwd: PROJECT_DIR,
                encoding: "utf8",
            },
        );
        assert.strictEqual(child.status, 2);
        assert.match(child.stderr, /stack outputs missing: sourceBucketName, accessLogBucketName/);
    });
});

describe("verify: arguments and decision rules", () => {
    it("parses its options and rejects bad ones", () => {
        assert.deepStrictEqual(parseArgs(["--stack", "prod", "--json"]), {
            stack: "prod",
            outputsFile: undefined,
            json: true,
            submitTestJob: false,
            waitSeconds: 900,
        });
        assert.deepStrictEqual(parseArgs(["--outputs", "o.json", "--submit-test-job"]), {
            stack: undefined,
            outputsFile: "o.json",
            json: false,
            submitTestJob: true,
            waitSeconds: 900,
        });
        assert.strictEqual(parseArgs(["--stack", "prod", "--help"]), "help");
        assert.throws(() => parseArgs([]), UsageError);
        assert.throws(() => parseArgs(["--stack"]), /needs a value/);
        assert.throws(() => parseArgs(["--stack", "prod", "--wait-seconds", "0"]), /whole number/);
        assert.throws(() => parseArgs(["--stack", "prod", "--fix"]), /unknown option --fix/);
    });

    it("recognises TLS-only policies, admin statements, wide egress and root users", () => {
        assert.ok(deniesInsecureTransport(tlsOnly("b")));
        assert.ok(!deniesInsecureTransport(tlsOnly("b").replace('"false"', '"true"')));
        assert.ok(!deniesInsecureTransport(undefined));
        const doc = (statement: object) => JSON.stringify({ Statement: [statement] });
        assert.deepStrictEqual(adminStatements(doc({ Sid: "A", Effect: "Allow", Action: "*", Resource: "*" })), ["A"]);
        assert.deepStrictEqual(adminStatements(doc({ Sid: "S", Effect: "Allow", Action: "s3:*", Resource: "*" })), [
            "S",
        ]);
        assert.deepStrictEqual(adminStatements(doc({ Sid: "N", Effect: "Allow", NotAction: "iam:*", Resource: "*" })), [
            "N",
        ]);
        assert.deepStrictEqual(
            adminStatements(doc({ Sid: "R", Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" })),
            [],
        );
        assert.deepStrictEqual(
            adminStatements(encodeURIComponent(doc({ Sid: "D", Effect: "Deny", Action: "*", Resource: "*" }))),
            [],
        );
        assert.deepStrictEqual(egressBeyond([{ IpProtocol: "tcp", FromPort: 443, ToPort: 443 }], [443]), []);
        assert.deepStrictEqual(egressBeyond([{ IpProtocol: "-1" }], [443]), ["all *-*"]);
        assert.deepStrictEqual(egressBeyond([{ IpProtocol: "tcp", FromPort: 0, ToPort: 65535 }], [443]), [
            "tcp 0-65535",
        ]);
        for (const user of [undefined, "", "root", "0", "0:0"]) assert.ok(runsAsRoot(user), String(user));
        assert.ok(!runsAsRoot("1000"));
    });
});
