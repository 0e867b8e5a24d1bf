import * as pulumi from "@pulumi/pulumi";
import { bulkManifestPrefix } from "../api/lib/limits";
import { delegateToAccessPoints } from "./access-points";
import { type AwsContext } from "./aws-context";
import { type PlatformNames } from "./naming";
import { ACCESS_LOG_PREFIX, createAccessLogBucket, INVENTORY_PREFIX } from "./log-bucket";
import { BucketReplica } from "./replication";
import { SecureBucket } from "./secure-bucket";

export { ACCESS_LOG_PREFIX, INVENTORY_PREFIX };

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
    /** Replicate the output bucket to this region (a different one). Default: no replica. */
    readonly replicaRegion?: string;
    /** Applied to the replication role. Default none. */
    readonly permissionsBoundaryArn?: string;
    /**
     * The output and source buckets' policies delegate access control to this account's access
     * points (see access-points.ts). Default false.
     */
    readonly delegateToAccessPoints?: boolean;
}

/** The only prefix jobs may write results to in the output bucket. */
export const RESULTS_PREFIX = "transformations/";
/** Where the API places uploaded sources in the source bucket. */
export const UPLOADS_PREFIX = "uploads/";
/** Where POST /jobs/batch stores request manifests in the source bucket; jobs may not read them. */
export const BULK_MANIFESTS_PREFIX = bulkManifestPrefix;
/**
 * Days after which a manifest left behind expires (the recording step deletes it once it has
 * written the jobs; queue messages live at most 4 days).
 */
export const BULK_MANIFEST_EXPIRATION_DAYS = 7;
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
    /** The output bucket's cross-region replica, when `replicaRegion` is set. */
    readonly outputReplica?: BucketReplica;

    constructor(name: string, args: PlatformStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:storage:PlatformStorage", name, {}, opts);
        const { accountId } = args.context;
        const noncurrentVersionExpirationDays = args.noncurrentVersionExpirationDays ?? 90;

        this.logBucket = createAccessLogBucket(
            `${name}-logs`,
            {
                context: args.context,
                bucketName: args.names.bucket("logs", accountId),
                noncurrentVersionExpirationDays,
                inventorySourceBuckets: [
                    args.names.bucket("output", accountId),
                    args.names.bucket("source", accountId),
                ],
            },
            { parent: this },
        );
        const accessLogs = (bucket: string) => ({
            targetBucket: this.logBucket.bucketName,
            targetPrefix: `${ACCESS_LOG_PREFIX}${bucket}/`,
        });

        const inventory = { destinationBucketArn: this.logBucket.arn, prefix: INVENTORY_PREFIX };
        const extraPolicyStatements = args.delegateToAccessPoints
            ? (bucketArn: pulumi.Output<string>) => [delegateToAccessPoints(args.context, bucketArn)]
            : undefined;

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
                inventory,
                extraPolicyStatements,
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
                    {
                        id: "expire-bulk-manifests",
                        prefix: BULK_MANIFESTS_PREFIX,
                        days: BULK_MANIFEST_EXPIRATION_DAYS,
                    },
                ],
                inventory,
                extraPolicyStatements,
            },
            { parent: this },
        );
        if (args.replicaRegion !== undefined) {
            this.outputReplica = new BucketReplica(
                `${name}-replica`,
                {
                    context: args.context,
                    names: args.names,
                    replicaRegion: args.replicaRegion,
                    sourceRole: "output",
                    source: this.outputBucket,
                    sourceKmsKeyArn: args.kmsKeyArn,
                    noncurrentVersionExpirationDays,
                    objectLockRetentionDays: args.objectLock ? OBJECT_LOCK_RETENTION_DAYS : undefined,
                    intelligentTiering: args.intelligentTiering,
                    permissionsBoundaryArn: args.permissionsBoundaryArn,
                },
                { parent: this },
            );
        }
        this.registerOutputs({
            outputReplicaBucketName: this.outputReplica?.bucket.bucketName,
            outputBucketName: this.outputBucket.bucketName,
            sourceBucketName: this.sourceBucket.bucketName,
            logBucketName: this.logBucket.bucketName,
        });
    }
}
