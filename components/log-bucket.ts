import * as pulumi from "@pulumi/pulumi";
import { arns, type AwsContext } from "./aws-context";
import { type Statement } from "./iam-documents";
import { SecureBucket } from "./secure-bucket";

/** Prefix under which server access logs of the platform's buckets are delivered. */
export const ACCESS_LOG_PREFIX = "s3-access/";
/** Prefix under which the daily S3 Inventory reports of the output and source buckets are delivered. */
export const INVENTORY_PREFIX = "inventory/";

export interface AccessLogBucketArgs {
    readonly context: AwsContext;
    readonly bucketName: pulumi.Input<string>;
    readonly noncurrentVersionExpirationDays: number;
    /** Buckets whose S3 Inventory reports S3 may deliver here under `inventory/`. Default none. */
    readonly inventorySourceBuckets?: readonly pulumi.Input<string>[];
}

/**
 * A bucket for what S3 itself delivers: server access logs of the platform's buckets in its region
 * (under `s3-access/`) and their inventory reports (under `inventory/`). SSE-S3, the documented
 * exception: S3 cannot deliver server access logs to an SSE-KMS bucket.
 */
export function createAccessLogBucket(
    name: string,
    args: AccessLogBucketArgs,
    opts: pulumi.ComponentResourceOptions,
): SecureBucket {
    const { accountId, partition } = args.context;
    const sourceBuckets = args.inventorySourceBuckets ?? [];
    return new SecureBucket(
        name,
        {
            context: args.context,
            bucketName: args.bucketName,
            encryption: { sseS3Reason: "S3 server access log delivery does not support SSE-KMS targets" },
            noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays,
            transitions: [
                { days: 30, storageClass: "STANDARD_IA" },
                { days: 90, storageClass: "GLACIER_IR" },
            ],
            extraPolicyStatements: (bucketArn) => {
                const statements: Statement[] = [
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
                ];
                if (sourceBuckets.length > 0) {
                    statements.push({
                        Sid: "S3InventoryDelivery",
                        Effect: "Allow",
                        Principal: { Service: "s3.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: pulumi.interpolate`${bucketArn}/${INVENTORY_PREFIX}*`,
                        Condition: {
                            StringEquals: { "aws:SourceAccount": accountId },
                            ArnLike: { "aws:SourceArn": sourceBuckets.map((b) => arns.bucket(args.context, b)) },
                        },
                    });
                }
                return statements;
            },
        },
        opts,
    );
}
