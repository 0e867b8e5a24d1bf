import * as pulumi from "@pulumi/pulumi";
import { AwsContext } from "./aws-context";
import { PlatformNames } from "./naming";
import { SecureBucket } from "./secure-bucket";

export interface PlatformStorageArgs {
    readonly context: AwsContext;
    readonly names: PlatformNames;
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Days before uploaded sources under `uploads/` expire. Default 7. */
    readonly sourceUploadExpirationDays?: number;
    /** Default 90. */
    readonly noncurrentVersionExpirationDays?: number;
    /** Object Lock (governance, 30 days) on the output bucket. Default false. */
    readonly objectLock?: boolean;
    /** Intelligent-Tiering for the output bucket. Default false. */
    readonly intelligentTiering?: boolean;
}

/** Prefix under which server access logs of the platform's buckets are delivered. */
export const ACCESS_LOG_PREFIX = "s3-access/";
/** The only prefix jobs may write results to in the output bucket. */
export const RESULTS_PREFIX = "transformations/";
/** Where the API places uploaded sources in the source bucket. */
export const UPLOADS_PREFIX = "uploads/";
/** Days after which Object Lock (when enabled) releases results. */
export const OBJECT_LOCK_RETENTION_DAYS = 30;

/**
 * The platform's three buckets: results (output), sources and uploads (source), and the server
 * access log archive that both log to.
 */
export class PlatformStorage extends pulumi.ComponentResource {
    readonly outputBucket: SecureBucket;
    readonly sourceBucket: SecureBucket;
    readonly logBucket: SecureBucket;

    constructor(name: string, args: PlatformStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:storage:PlatformStorage", name, {}, opts);
        const { accountId, partition } = args.context;
        const noncurrentVersionExpirationDays = args.noncurrentVersionExpirationDays ?? 90;

        this.logBucket = new SecureBucket(
            `${name}-logs`,
            {
                context: args.context,
                bucketName: args.names.bucket("logs", accountId),
                encryption: { sseS3Reason: "S3 server access log delivery does not support SSE-KMS targets" },
                noncurrentVersionExpirationDays,
                transitions: [
                    { days: 30, storageClass: "STANDARD_IA" },
                    { days: 90, storageClass: "GLACIER_IR" },
                ],
                extraPolicyStatements: (bucketArn) => [
                    {
                        Sid: "S3ServerAccessLogDelivery",
                        Effect: "Allow",
                        Principal: { Service: "logging.s3.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: pulumi.interpolate`${bucketArn}/${ACCESS_LOG_PREFIX}*`,
                        Condition: {
                            StringEquals: { "aws:SourceAccount": accountId },
                            ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:s3:::atx-custom-*` },
                        },
                    },
                ],
            },
            { parent: this },
        );
        const accessLogs = (bucket: string) => ({
            targetBucket: this.logBucket.bucketName,
            targetPrefix: `${ACCESS_LOG_PREFIX}${bucket}/`,
        });

        this.outputBucket = new SecureBucket(
            `${name}-output`,
            {
                context: args.context,
                bucketName: args.names.bucket("output", accountId),
                encryption: { kmsKeyArn: args.kmsKeyArn },
                accessLogs: accessLogs("output"),
                noncurrentVersionExpirationDays,
                intelligentTiering: args.intelligentTiering ?? false,
                objectLockRetentionDays: args.objectLock ? OBJECT_LOCK_RETENTION_DAYS : undefined,
            },
            { parent: this },
        );
        this.sourceBucket = new SecureBucket(
            `${name}-source`,
            {
                context: args.context,
                bucketName: args.names.bucket("source", accountId),
                encryption: { kmsKeyArn: args.kmsKeyArn },
                accessLogs: accessLogs("source"),
                noncurrentVersionExpirationDays,
                expirations: [
                    { id: "expire-uploads", prefix: UPLOADS_PREFIX, days: args.sourceUploadExpirationDays ?? 7 },
                ],
            },
            { parent: this },
        );
        this.registerOutputs({
            outputBucketName: this.outputBucket.bucketName,
            sourceBucketName: this.sourceBucket.bucketName,
            logBucketName: this.logBucket.bucketName,
        });
    }
}
