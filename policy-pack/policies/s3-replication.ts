/**
 * S3 replication: a replica is a second copy of the same data, so it must be as protected as its
 * source. For every replication configuration, each protection the source bucket has (KMS default
 * encryption, versioning, public access block, bucket policy, access logging, lifecycle, Object
 * Lock) must exist for the destination bucket too, and KMS-encrypted objects must be replicated
 * and re-encrypted with a key of the destination.
 */
import { type PolicyResource, type StackValidationPolicy } from "@pulumi/policy";
import { type Link, PerTarget, refersTo, related } from "./relations";
import { S3_TYPES } from "./s3";
import { asArray, MANDATORY, ofTypes, peek } from "./util";

export const REPLICATION_TYPES = [
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "aws:s3/bucketReplicationConfigV2:BucketReplicationConfigV2",
] as const;

/** The protections compared between a source and its replica, each a kind of configuration resource. */
export const REPLICA_PROTECTIONS: Readonly<Record<string, readonly string[]>> = {
    "default encryption": S3_TYPES.encryption,
    versioning: S3_TYPES.versioning,
    "public access block": S3_TYPES.publicAccessBlock,
    "bucket policy": S3_TYPES.policy,
    "access logging": S3_TYPES.logging,
    lifecycle: S3_TYPES.lifecycle,
    "Object Lock": S3_TYPES.objectLock,
};

const BUCKET_KEYS = ["bucket", "id"];

/** The parts of a replication rule this policy reads. */
interface ReplicationRule {
    readonly destination?: {
        readonly bucket?: unknown;
        readonly encryptionConfiguration?: { readonly replicaKmsKeyId?: unknown };
    };
    readonly sourceSelectionCriteria?: { readonly sseKmsEncryptedObjects?: { readonly status?: string } };
}

interface EncryptionRule {
    readonly applyServerSideEncryptionByDefault?: { readonly sseAlgorithm?: string };
}

/** The replication rule destinations (bucket ARNs) of a replication configuration. */
function destinationsOf(props: Record<string, unknown>): { bucket: unknown; rule: ReplicationRule }[] {
    return asArray(props.rules as ReplicationRule[]).map((rule) => {
        // Unknown at preview: matched through the rules' property dependencies instead.
        const bucket = peek(() => rule?.destination?.bucket);
        return { bucket: bucket.known ? bucket.value : undefined, rule };
    });
}

/** Is `bucket` the destination `arn`? Compared by name when known; else through the rules' dependencies. */
function isDestination(config: PolicyResource, arn: unknown, bucket: PolicyResource, source: PolicyResource): Link {
    if (typeof arn === "string") {
        const name = peek<unknown>(() => bucket.props.bucket);
        if (name.known) {
            return typeof name.value === "string" && arn.endsWith(`:::${name.value}`);
        }
    }
    const deps = config.propertyDependencies.rules ?? [];
    return bucket.urn !== source.urn && deps.some((d) => d.urn === bucket.urn);
}

/** The protection names `bucket` has, read from the configuration resources that name it. */
function protectionsOf(bucket: PolicyResource, resources: readonly PolicyResource[]): Set<string> {
    const found = new Set<string>();
    for (const [protection, types] of Object.entries(REPLICA_PROTECTIONS)) {
        const rel = related(ofTypes(resources, types), (c) => refersTo(c, "bucket", bucket, BUCKET_KEYS));
        if (rel.matches.length > 0) {
            found.add(protection);
        } else if (rel.unknown) {
            throw rel.unknown;
        }
    }
    if (bucket.props.objectLockEnabled === true) {
        found.add("Object Lock");
    }
    return found;
}

function isKmsEncrypted(bucket: PolicyResource, resources: readonly PolicyResource[]): boolean {
    const rel = related(ofTypes(resources, S3_TYPES.encryption), (c) => refersTo(c, "bucket", bucket, BUCKET_KEYS));
    return rel.matches.some((c) =>
        asArray(c.props.rules as EncryptionRule[]).some(
            (r) => r?.applyServerSideEncryptionByDefault?.sseAlgorithm === "aws:kms",
        ),
    );
}

export const s3ReplicaAsProtectedAsSource: StackValidationPolicy = {
    name: "s3-replica-as-protected-as-source",
    description:
        "A replicated bucket's replica has every protection of its source (encryption, versioning, public access block, " +
        "bucket policy, logging, lifecycle, Object Lock), and KMS-encrypted objects are replicated under a replica key.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        const buckets = ofTypes(args.resources, S3_TYPES.bucket);
        const targets = new PerTarget();
        for (const config of ofTypes(args.resources, REPLICATION_TYPES)) {
            targets.run(() => {
                const sources = related(buckets, (b) => refersTo(config, "bucket", b, BUCKET_KEYS));
                if (sources.matches.length === 0) {
                    if (sources.unknown) throw sources.unknown;
                    return;
                }
                const source = sources.matches[0];
                const sourceProtections = protectionsOf(source, args.resources);
                const kmsSource = isKmsEncrypted(source, args.resources);
                for (const { bucket: arn, rule } of destinationsOf(config.props)) {
                    const replicas = related(buckets, (b) => isDestination(config, arn, b, source));
                    if (replicas.matches.length === 0) {
                        if (replicas.unknown) throw replicas.unknown;
                        reportViolation(
                            `Replication '${config.name}' of bucket '${source.name}' writes to a bucket this stack ` +
                                `does not manage (${String(arn)}): its protections can't be checked.`,
                            config.urn,
                        );
                        continue;
                    }
                    const replica = replicas.matches[0];
                    const replicaProtections = protectionsOf(replica, args.resources);
                    const missing = [...sourceProtections].filter((p) => !replicaProtections.has(p));
                    if (missing.length > 0) {
                        reportViolation(
                            `Replica bucket '${replica.name}' lacks protections its source '${source.name}' has: ` +
                                `${missing.join(", ")}.`,
                            replica.urn,
                        );
                    }
                    if (kmsSource) {
                        const kmsObjects = rule.sourceSelectionCriteria?.sseKmsEncryptedObjects?.status === "Enabled";
                        // A key ARN unknown at preview is a key being set.
                        const replicaKey = peek(() => rule.destination?.encryptionConfiguration?.replicaKmsKeyId);
                        if (!kmsObjects || (replicaKey.known && !replicaKey.value)) {
                            reportViolation(
                                `Replication '${config.name}' must replicate the KMS-encrypted objects of ` +
                                    `'${source.name}' (sourceSelectionCriteria.sseKmsEncryptedObjects Enabled) and ` +
                                    `encrypt replicas with a key of the destination (encryptionConfiguration.replicaKmsKeyId).`,
                                config.urn,
                            );
                        }
                    }
                }
            });
        }
        targets.finish();
    },
};
