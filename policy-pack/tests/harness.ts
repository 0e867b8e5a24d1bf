/**
 * Runs one policy through the offline evaluator (the same args builder, unknown-checking proxy and
 * enforcement-level resolution the CLI and the preview use), and fixtures of compliant resources.
 */
import { type Policy } from "@pulumi/policy";
import { type ResourceRecord } from "../../tools/common/resource-record";
import { evaluate, type PackConfig, type Violation } from "../../tools/policy/evaluate";
import { PACK } from "../../tools/policy/index";
import { resource, snapshot, UNKNOWN } from "../../tools/policy/snapshot-builder";
import { EXEMPTIONS_TAG } from "../policies/util";

export { resource, UNKNOWN };

export interface CheckOptions {
    readonly config?: Record<string, unknown>;
    readonly preview?: boolean;
    readonly stack?: string;
}

/** The violations `policy` reports on `resources` (a one-policy pack). */
export async function check(
    policy: Policy,
    resources: readonly ResourceRecord[],
    opts: CheckOptions = {},
): Promise<Violation[]> {
    const packConfig: PackConfig | undefined = opts.config ? { [policy.name]: opts.config } : undefined;
    return evaluate(snapshot(resources, { preview: opts.preview, stack: opts.stack }), [policy], {
        pack: PACK,
        packConfig,
    });
}

export const mandatory = (vs: readonly Violation[]) => vs.filter((v) => v.enforcementLevel === "mandatory");
export const advisory = (vs: readonly Violation[]) => vs.filter((v) => v.enforcementLevel === "advisory");
export const unknownAdvisories = (vs: readonly Violation[]) =>
    vs.filter((v) => v.enforcementLevel === "advisory" && v.message.startsWith("can't run policy"));

export const T = {
    bucket: "aws:s3/bucket:Bucket",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    logging: "aws:s3/bucketLogging:BucketLogging",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    acl: "aws:s3/bucketAcl:BucketAcl",
    objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    vpc: "aws:ec2/vpc:Vpc",
    flowLog: "aws:ec2/flowLog:FlowLog",
    kmsKey: "aws:kms/key:Key",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    ecr: "aws:ecr/repository:Repository",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    iamPolicy: "aws:iam/policy:Policy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    accessKey: "aws:iam/accessKey:AccessKey",
    jobDefinition: "aws:batch/jobDefinition:JobDefinition",
    computeEnvironment: "aws:batch/computeEnvironment:ComputeEnvironment",
    method: "aws:apigateway/method:Method",
    stage: "aws:apigateway/stage:Stage",
    methodSettings: "aws:apigateway/methodSettings:MethodSettings",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    ssmParameter: "aws:ssm/parameter:Parameter",
    trail: "aws:cloudtrail/trail:Trail",
} as const;

export const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

export const tlsOnlyPolicy = (bucket: string) =>
    JSON.stringify({
        Version: "2012-10-17",
        Statement: [
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

export interface BucketSet {
    readonly bucket: ResourceRecord;
    readonly sse: ResourceRecord;
    readonly versioning: ResourceRecord;
    readonly pab: ResourceRecord;
    readonly policy: ResourceRecord;
    readonly logging?: ResourceRecord;
    readonly lifecycle: ResourceRecord;
    all(): ResourceRecord[];
}

export interface BucketSetOptions {
    /** Preview: the bucket name is auto-generated, so every `bucket` reference is UNKNOWN and linked by propertyDependencies. */
    readonly preview?: boolean;
    readonly stack?: string;
    readonly sseAlgorithm?: string;
    readonly logTarget?: string;
    readonly expireUploadsDays?: number;
    /** The bucket's exemptions tag (policy names separated by spaces). */
    readonly exemptions?: string;
}

/**
 * A bucket with every protection as a separate resource. In state (default) the references are
 * the bucket name; at preview they are UNKNOWN, resolvable only through propertyDependencies.
 */
export function bucketSet(name: string, opts: BucketSetOptions = {}): BucketSet {
    const stack = opts.stack;
    const bucketName = `atx-${name}-123456789012`;
    const tags = opts.exemptions === undefined ? {} : { tags: { [EXEMPTIONS_TAG]: opts.exemptions } };
    const bucket = opts.preview
        ? resource(T.bucket, name, tags, { stack, outputs: { ...tags, bucket: UNKNOWN, id: UNKNOWN, arn: UNKNOWN } })
        : resource(
              T.bucket,
              name,
              { bucket: bucketName, ...tags },
              {
                  stack,
                  id: bucketName,
                  outputs: { ...tags, bucket: bucketName, id: bucketName, arn: `arn:aws:s3:::${bucketName}` },
              },
          );
    const ref = opts.preview ? UNKNOWN : bucketName;
    const dep: Record<string, ResourceRecord[]> = opts.preview ? { bucket: [bucket] } : {};
    const child = (
        type: string,
        suffix: string,
        inputs: Record<string, unknown>,
        extraDeps: Record<string, ResourceRecord[]> = {},
    ) =>
        resource(
            type,
            `${name}-${suffix}`,
            { bucket: ref, ...inputs },
            { stack, propertyDependencies: { ...dep, ...extraDeps } },
        );
    const sse = child(T.sse, "encryption", {
        rules: [
            {
                applyServerSideEncryptionByDefault:
                    opts.sseAlgorithm === "AES256"
                        ? { sseAlgorithm: "AES256" }
                        : { sseAlgorithm: opts.sseAlgorithm ?? "aws:kms", kmsMasterKeyId: KEY_ARN },
                bucketKeyEnabled: true,
            },
        ],
    });
    const versioning = child(T.versioning, "versioning", { versioningConfiguration: { status: "Enabled" } });
    const pab = child(T.pab, "public-access-block", {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
    });
    const policy = child(
        T.policy,
        "policy",
        { policy: opts.preview ? UNKNOWN : tlsOnlyPolicy(bucketName) },
        opts.preview ? { policy: [bucket] } : {},
    );
    const logging =
        opts.logTarget === ""
            ? undefined
            : child(T.logging, "logging", {
                  targetBucket: opts.logTarget ?? "atx-logs-123456789012",
                  targetPrefix: `s3/${name}/`,
              });
    const lifecycle = child(T.lifecycle, "lifecycle", {
        rules: [
            {
                id: "expire-uploads",
                status: "Enabled",
                filter: { prefix: "uploads/" },
                expiration: { days: opts.expireUploadsDays ?? 7 },
            },
        ],
    });
    return {
        bucket,
        sse,
        versioning,
        pab,
        policy,
        logging,
        lifecycle,
        all: () => [bucket, sse, versioning, pab, policy, ...(logging ? [logging] : []), lifecycle],
    };
}
