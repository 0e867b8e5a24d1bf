import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arns, type AwsContext } from "./aws-context";
import { type PolicyDocument, policyDocument, type Statement } from "./iam-documents";

/** How objects are encrypted at rest: the stack's KMS key, or SSE-S3 where S3 cannot use KMS. */
export type BucketEncryption =
    | { readonly kmsKeyArn: pulumi.Input<string> }
    /** Only for buckets S3 itself writes to without KMS support (server access log targets). */
    | { readonly sseS3Reason: string };

export interface PrefixExpiration {
    readonly id: string;
    readonly prefix: string;
    readonly days: number;
}

export interface BucketInventory {
    /** The bucket receiving the reports (SSE-S3: S3 encrypts them there). */
    readonly destinationBucketArn: pulumi.Input<string>;
    /** Key prefix in that bucket; S3 adds `<source bucket>/<inventory id>/`. */
    readonly prefix: string;
}

/** Fields of each inventory row, besides the key and version: what compliance reporting reads. */
export const INVENTORY_FIELDS = [
    "Size",
    "LastModifiedDate",
    "StorageClass",
    "ETag",
    "ReplicationStatus",
    "EncryptionStatus",
    "BucketKeyStatus",
    "ObjectLockMode",
    "ObjectLockRetainUntilDate",
    "ObjectLockLegalHoldStatus",
    "ChecksumAlgorithm",
];

export interface SecureBucketArgs {
    readonly context: AwsContext;
    /** Physical, globally unique name. */
    readonly bucketName: pulumi.Input<string>;
    readonly encryption: BucketEncryption;
    /** Where server access logs go. Omit only for the access-log bucket itself. */
    readonly accessLogs?: { readonly targetBucket: pulumi.Input<string>; readonly targetPrefix: string };
    /** Default true. */
    readonly versioning?: boolean;
    /** Days before a noncurrent version is deleted. Default 90. */
    readonly noncurrentVersionExpirationDays?: number;
    /** Days before an unfinished multipart upload is aborted. Default 7. */
    readonly abortIncompleteMultipartUploadDays?: number;
    /** Objects under a prefix expire after some days (e.g. `uploads/` after 7). Default none. */
    readonly expirations?: readonly PrefixExpiration[];
    /** Move current objects to colder storage classes as they age. Default none. */
    readonly transitions?: readonly { readonly days: number; readonly storageClass: string }[];
    /** Move objects to Intelligent-Tiering on day 0. Default false. */
    readonly intelligentTiering?: boolean;
    /** Object Lock in governance mode with this default retention (days). Default off. */
    readonly objectLockRetentionDays?: number;
    /** A daily S3 Inventory (Parquet, every version) to another bucket under this prefix. Default none. */
    readonly inventory?: BucketInventory;
    /** Extra statements for the bucket policy, e.g. letting a service deliver logs. */
    readonly extraPolicyStatements?: (bucketArn: pulumi.Output<string>) => Statement[];
}

/**
 * The policy pack's exemptions tag for what this bucket deliberately does without: SSE-KMS where S3
 * cannot use it, and access logging for the log target itself. Undefined when there is none.
 */
function policyExemptionTags(args: SecureBucketArgs): Record<string, string> | undefined {
    const exemptions = [
        ...("sseS3Reason" in args.encryption ? ["s3-bucket-kms-encryption"] : []),
        ...(args.accessLogs === undefined ? ["s3-bucket-access-logging"] : []),
    ];
    return exemptions.length > 0 ? { "atx:policy-exemptions": exemptions.join(" ") } : undefined;
}

/**
 * A private S3 bucket with every protection of the security checklist: owner-enforced, all public
 * access blocked, default encryption, TLS-only bucket policy, versioning, access logging and
 * lifecycle rules. Each protection is its own resource (the provider's split S3 resources).
 */
export class SecureBucket extends pulumi.ComponentResource {
    readonly bucket: aws.s3.Bucket;
    readonly bucketName: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    readonly policy: aws.s3.BucketPolicy;
    /** Replication and Object Lock need versioning in place first. */
    readonly versioning: aws.s3.BucketVersioning;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:storage:SecureBucket", name, {}, opts);
        const child = { parent: this };
        const objectLock = args.objectLockRetentionDays !== undefined;

        this.bucket = new aws.s3.Bucket(
            name,
            {
                bucket: args.bucketName,
                objectLockEnabled: objectLock || undefined,
                forceDestroy: false,
                tags: policyExemptionTags(args),
            },
            child,
        );
        const bucket = this.bucket.bucket;
        this.bucketName = bucket;
        this.arn = arns.bucket(args.context, bucket);

        new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
            child,
        );
        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            {
                bucket,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            child,
        );
        const kmsKeyArn = "kmsKeyArn" in args.encryption ? args.encryption.kmsKeyArn : undefined;
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket,
                rules: [
                    kmsKeyArn !== undefined
                        ? {
                              applyServerSideEncryptionByDefault: {
                                  sseAlgorithm: "aws:kms",
                                  kmsMasterKeyId: kmsKeyArn,
                              },
                              bucketKeyEnabled: true,
                          }
                        : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                ],
            },
            child,
        );
        const versioning = (this.versioning = new aws.s3.BucketVersioning(
            `${name}-versioning`,
            { bucket, versioningConfiguration: { status: args.versioning === false ? "Suspended" : "Enabled" } },
            child,
        ));
        this.policy = new aws.s3.BucketPolicy(
            `${name}-policy`,
            { bucket, policy: bucketPolicy(this.arn, kmsKeyArn !== undefined, args.extraPolicyStatements) },
            { parent: this, dependsOn: [publicAccessBlock] },
        );
        if (args.accessLogs !== undefined) {
            new aws.s3.BucketLogging(
                `${name}-logging`,
                { bucket, targetBucket: args.accessLogs.targetBucket, targetPrefix: args.accessLogs.targetPrefix },
                child,
            );
        }
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            { bucket, rules: lifecycleRules(args) },
            { parent: this, dependsOn: [versioning] },
        );
        if (objectLock) {
            new aws.s3.BucketObjectLockConfiguration(
                `${name}-object-lock`,
                { bucket, rule: { defaultRetention: { mode: "GOVERNANCE", days: args.objectLockRetentionDays } } },
                { parent: this, dependsOn: [versioning] },
            );
        }
        if (args.inventory !== undefined) {
            new aws.s3.Inventory(
                `${name}-inventory`,
                {
                    bucket,
                    name: "daily-all-versions",
                    includedObjectVersions: "All",
                    schedule: { frequency: "Daily" },
                    optionalFields: INVENTORY_FIELDS,
                    destination: {
                        bucket: {
                            bucketArn: args.inventory.destinationBucketArn,
                            format: "Parquet",
                            prefix: args.inventory.prefix.replace(/\/$/, ""),
                            encryption: { sseS3: {} },
                        },
                    },
                },
                child,
            );
        }
        this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
    }
}

function bucketPolicy(
    bucketArn: pulumi.Output<string>,
    requireKms: boolean,
    extra: SecureBucketArgs["extraPolicyStatements"],
): PolicyDocument {
    const everything = [bucketArn, pulumi.interpolate`${bucketArn}/*`];
    const statements: Statement[] = [
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: everything,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
            Sid: "DenyTlsOlderThan12",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: everything,
            Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
        },
    ];
    if (requireKms) {
        statements.push({
            // Default encryption covers uploads without a header; this refuses an explicit downgrade.
            Sid: "DenyUploadsNotEncryptedWithKms",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${bucketArn}/*`,
            Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" } },
        });
    }
    return policyDocument([...statements, ...(extra?.(bucketArn) ?? [])]);
}

function lifecycleRules(args: SecureBucketArgs): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
    const everything = { prefix: "" };
    const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
        {
            id: "abort-incomplete-multipart-uploads",
            status: "Enabled",
            filter: everything,
            abortIncompleteMultipartUpload: { daysAfterInitiation: args.abortIncompleteMultipartUploadDays ?? 7 },
        },
        {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: everything,
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionExpirationDays ?? 90 },
        },
    ];
    for (const expiration of args.expirations ?? []) {
        rules.push({
            id: expiration.id,
            status: "Enabled",
            filter: { prefix: expiration.prefix },
            expiration: { days: expiration.days },
        });
    }
    const transitions = [
        ...(args.intelligentTiering ? [{ days: 0, storageClass: "INTELLIGENT_TIERING" }] : []),
        ...(args.transitions ?? []),
    ];
    if (transitions.length > 0) {
        rules.push({ id: "transition-to-colder-storage", status: "Enabled", filter: everything, transitions });
    }
    return rules;
}
