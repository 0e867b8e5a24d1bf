import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AwsContext } from "./aws-context";
import { PlatformKey } from "./encryption";
import { type PlatformNames } from "./naming";
import { ServiceRole } from "./service-role";
import { SecureBucket } from "./secure-bucket";
import { ACCESS_LOG_PREFIX, createAccessLogBucket } from "./log-bucket";

export interface BucketReplicaArgs {
    /** Where the source bucket lives. */
    readonly context: AwsContext;
    readonly names: PlatformNames;
    /** The region of the replica; must differ from the source's. */
    readonly replicaRegion: string;
    /** Role of the source bucket in the platform's names, e.g. `output`: the replica is `<role>-replica`. */
    readonly sourceRole: string;
    readonly source: SecureBucket;
    /** The KMS key encrypting the source bucket. */
    readonly sourceKmsKeyArn: pulumi.Input<string>;
    readonly noncurrentVersionExpirationDays: number;
    /** Object Lock retention of the source (replication of locked objects needs it on the replica). Default off. */
    readonly objectLockRetentionDays?: number;
    /** Default false. */
    readonly intelligentTiering?: boolean;
    /** Default none. */
    readonly permissionsBoundaryArn?: string;
}

/**
 * A replica of one bucket in another region (through its own provider) with the same protections:
 * its own KMS key there, versioning, TLS-only policy, public access block, owner-enforced objects,
 * access logs to a log bucket in that region, the same lifecycle and Object Lock. S3 replicates
 * every object (KMS-encrypted ones included, re-encrypted with the replica's key) and delete
 * markers; permanent deletions of versions are not replicated, which is what makes it a backup.
 */
export class BucketReplica extends pulumi.ComponentResource {
    readonly provider: aws.Provider;
    readonly key: PlatformKey;
    readonly logBucket: SecureBucket;
    readonly bucket: SecureBucket;
    readonly role: ServiceRole;

    constructor(name: string, args: BucketReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:storage:BucketReplica", name, {}, opts);
        const { accountId } = args.context;
        this.provider = new aws.Provider(`${name}-provider`, { region: args.replicaRegion }, { parent: this });
        const inRegion = { parent: this, providers: { aws: this.provider } };
        const replicaContext: AwsContext = { ...args.context, region: pulumi.output(args.replicaRegion) };

        this.key = new PlatformKey(
            `${name}-key`,
            // Only the account's principals: in that region the key encrypts nothing but replicas.
            { context: replicaContext, aliasName: args.names.keyAlias, serviceUsers: false },
            inRegion,
        );
        this.logBucket = createAccessLogBucket(
            `${name}-logs`,
            {
                context: replicaContext,
                bucketName: args.names.bucket(`logs-${args.replicaRegion}`, accountId),
                noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays,
            },
            inRegion,
        );
        const replicaRole = `${args.sourceRole}-replica`;
        this.bucket = new SecureBucket(
            `${name}-bucket`,
            {
                context: replicaContext,
                bucketName: args.names.bucket(replicaRole, accountId),
                encryption: { kmsKeyArn: this.key.keyArn },
                accessLogs: {
                    targetBucket: this.logBucket.bucketName,
                    targetPrefix: `${ACCESS_LOG_PREFIX}${replicaRole}/`,
                },
                noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays,
                intelligentTiering: args.intelligentTiering ?? false,
                objectLockRetentionDays: args.objectLockRetentionDays,
            },
            inRegion,
        );

        this.role = new ServiceRole(
            `${name}-role`,
            {
                context: args.context,
                roleName: args.names.scoped(`${replicaRole}-s3`),
                description: `Replicates ${args.sourceRole} bucket objects to ${args.replicaRegion}`,
                service: "s3.amazonaws.com",
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                inlinePolicies: {
                    [`${name}-role-policy`]: replicationPolicy({
                        context: args.context,
                        sourceBucketArn: args.source.arn,
                        sourceKmsKeyArn: args.sourceKmsKeyArn,
                        replicaRegion: args.replicaRegion,
                        replicaBucketArn: this.bucket.arn,
                        replicaKmsKeyArn: this.key.keyArn,
                        objectLock: args.objectLockRetentionDays !== undefined,
                    }),
                },
            },
            { parent: this },
        );
        new aws.s3.BucketReplicationConfig(
            `${name}-replication`,
            {
                bucket: args.source.bucketName,
                role: this.role.arn,
                rules: [
                    {
                        id: `to-${args.replicaRegion}`,
                        status: "Enabled",
                        priority: 1,
                        filter: { prefix: "" },
                        deleteMarkerReplication: { status: "Enabled" },
                        sourceSelectionCriteria: {
                            sseKmsEncryptedObjects: { status: "Enabled" },
                            replicaModifications: { status: "Enabled" },
                        },
                        destination: {
                            bucket: this.bucket.arn,
                            account: accountId,
                            // Replicas belong to the replica bucket's owner even if it moves to another account.
                            accessControlTranslation: { owner: "Destination" },
                            encryptionConfiguration: { replicaKmsKeyId: this.key.keyArn },
                            storageClass: "STANDARD",
                        },
                    },
                ],
            },
            // S3 refuses a replication configuration before both buckets are versioned.
            { parent: this, dependsOn: [args.source.versioning, this.bucket.versioning, this.role] },
        );
        this.registerOutputs({ replicaBucketName: this.bucket.bucketName, replicaKeyArn: this.key.keyArn });
    }
}

interface ReplicationPolicyArgs {
    readonly context: AwsContext;
    readonly sourceBucketArn: pulumi.Input<string>;
    readonly sourceKmsKeyArn: pulumi.Input<string>;
    readonly replicaRegion: string;
    readonly replicaBucketArn: pulumi.Input<string>;
    readonly replicaKmsKeyArn: pulumi.Input<string>;
    readonly objectLock: boolean;
}

/**
 * Exactly what S3 replication of this pair needs: read the source's configuration and object
 * versions, write replicas (and their deletes and tags) into the replica bucket, decrypt with the
 * source key and encrypt with the replica key, each key only through S3 for that bucket.
 */
export function replicationPolicy(args: ReplicationPolicyArgs): aws.iam.PolicyDocument {
    const { region, dnsSuffix } = args.context;
    const s3Via = (r: pulumi.Input<string>) => pulumi.interpolate`s3.${r}.${dnsSuffix}`;
    // With S3 Bucket Keys the encryption context is the bucket's ARN, without them the object's.
    const contextOf = (bucketArn: pulumi.Input<string>) => [
        pulumi.output(bucketArn),
        pulumi.interpolate`${bucketArn}/*`,
    ];
    const sourceObjectActions = [
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionTagging",
        ...(args.objectLock ? ["s3:GetObjectRetention", "s3:GetObjectLegalHold"] : []),
    ];
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadSourceReplicationConfiguration",
                Effect: "Allow",
                Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                Resource: [args.sourceBucketArn],
            },
            {
                Sid: "ReadSourceObjectVersions",
                Effect: "Allow",
                Action: sourceObjectActions,
                Resource: [pulumi.interpolate`${args.sourceBucketArn}/*`],
            },
            {
                Sid: "WriteReplicas",
                Effect: "Allow",
                Action: [
                    "s3:ReplicateObject",
                    "s3:ReplicateDelete",
                    "s3:ReplicateTags",
                    "s3:ObjectOwnerOverrideToBucketOwner",
                ],
                Resource: [pulumi.interpolate`${args.replicaBucketArn}/*`],
            },
            {
                Sid: "DecryptSourceObjectsThroughS3",
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: [args.sourceKmsKeyArn],
                Condition: {
                    StringEquals: { "kms:ViaService": s3Via(region) },
                    StringLike: { "kms:EncryptionContext:aws:s3:arn": contextOf(args.sourceBucketArn) },
                },
            },
            {
                Sid: "EncryptReplicasThroughS3",
                Effect: "Allow",
                Action: ["kms:Encrypt", "kms:GenerateDataKey"],
                Resource: [args.replicaKmsKeyArn],
                Condition: {
                    StringEquals: { "kms:ViaService": s3Via(args.replicaRegion) },
                    StringLike: { "kms:EncryptionContext:aws:s3:arn": contextOf(args.replicaBucketArn) },
                },
            },
        ],
    };
}
