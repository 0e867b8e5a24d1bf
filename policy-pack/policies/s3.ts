/**
 * S3: TLS-only bucket policies, KMS default encryption, versioning, public access blocks, server
 * access logging, no public ACLs or policies, expiring uploads in the source bucket, and the
 * optional hardening the checklist recommends (object lock, MFA delete).
 *
 * Bucket settings live either inline on `aws.s3.Bucket` or on separate resources that name the
 * bucket (`BucketVersioning`, `BucketServerSideEncryptionConfiguration`, ...), so each of those
 * rules is a stack policy built by `bucketRelationPolicy`: one shared walk over the buckets that
 * follows `propertyDependencies` at preview and compares ids and names in exported state.
 */
import {
    type EnforcementLevel,
    type PolicyConfigSchema,
    type PolicyResource,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
} from "@pulumi/policy";
import { documentDeniesInsecureTransport, documentIsPublic } from "./policy-document";
import { check, decide, PerTarget, related, refersTo } from "./relations";
import {
    anyOf,
    asArray,
    configWithDefaults,
    EXEMPTIONS_TAG,
    exemptByTag,
    globMatch,
    isSet,
    MANDATORY,
    ofTypes,
    peek,
    schema,
    stackOfUrn,
    validateTypes,
    productionStacksSchema,
} from "./util";

export const S3_TYPES = {
    bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    policy: ["aws:s3/bucketPolicy:BucketPolicy"],
    logging: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"],
    lifecycle: [
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
    ],
    acl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
    objectLock: [
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
    ],
} as const;

/** Outputs that identify a bucket in the `bucket` property of its configuration resources. */
const BUCKET_KEYS = ["bucket", "id"];

type Props = Record<string, unknown>;

/** The names a bucket can be matched by in config: its logical name, and its bucket name or prefix when known. */
export function bucketNames(bucket: PolicyResource): string[] {
    const names = [bucket.name];
    for (const key of ["bucket", "bucketPrefix"]) {
        const v = peek<unknown>(() => bucket.props[key]);
        if (v.known && typeof v.value === "string" && v.value) {
            names.push(v.value);
        }
    }
    return names;
}

/** The first config pattern that matches one of the bucket's names. */
export function matchingPattern(bucket: PolicyResource, patterns: readonly string[]): string | undefined {
    const names = bucketNames(bucket);
    return patterns.find((p) => names.some((n) => globMatch(p, n)));
}

/**
 * Why the bucket is exempt from `policy`: its exemptions tag, or an entry of the pack config's
 * list `setting`; `undefined` when it is not. Names never exempt a bucket by themselves.
 */
export function bucketExemption(
    bucket: PolicyResource,
    policy: string,
    setting: string,
    patterns: readonly string[],
): string | undefined {
    if (exemptByTag(bucket.props, policy)) {
        return `its ${EXEMPTIONS_TAG} tag`;
    }
    const pattern = matchingPattern(bucket, patterns);
    return pattern === undefined ? undefined : `the ${setting} entry '${pattern}'`;
}

interface BucketRelationSpec<C> {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel?: EnforcementLevel;
    readonly configSchema?: PolicyConfigSchema;
    /** Types of the separate resources whose `bucket` property names the bucket. */
    readonly related: readonly string[];
    /** Whether the bucket must satisfy the rule at all (e.g. only source buckets). */
    readonly applies?: (bucket: PolicyResource, config: C) => boolean;
    /** The bucket's own inline settings satisfy the rule. */
    readonly inline?: (props: Props, config: C, bucket: PolicyResource) => boolean;
    /** A related resource's settings satisfy the rule. */
    readonly satisfied: (props: Props, config: C, bucket: PolicyResource) => boolean;
    /** The violation, phrased as the requirement. */
    readonly message: (bucket: PolicyResource, config: C) => string;
}

/**
 * A stack policy checking one requirement on every bucket, met either by the bucket's inline
 * settings or by a separate resource naming it. Violations are reported as found; an undecidable
 * bucket makes the policy end with the engine's UnknownValueError after the others were checked.
 */
export function bucketRelationPolicy<C extends object>(spec: BucketRelationSpec<C>): StackValidationPolicy {
    const configSchema = spec.configSchema ?? schema({});
    return {
        name: spec.name,
        description: spec.description,
        enforcementLevel: spec.enforcementLevel ?? MANDATORY,
        ...(spec.configSchema ? { configSchema: spec.configSchema } : {}),
        validateStack: (args, reportViolation) => {
            const config = configWithDefaults<C>(configSchema, () => args.getConfig());
            const candidates = ofTypes(args.resources, spec.related);
            const targets = new PerTarget();
            for (const bucket of ofTypes(args.resources, S3_TYPES.bucket)) {
                targets.run(() => {
                    if (spec.applies && !spec.applies(bucket, config)) {
                        return;
                    }
                    const rel = related(candidates, (c) => refersTo(c, "bucket", bucket, BUCKET_KEYS));
                    const inline = spec.inline ? check(() => spec.inline!(bucket.props, config, bucket)) : false;
                    if (!decide(rel, (c) => spec.satisfied(c.props, config, bucket), inline)) {
                        reportViolation(spec.message(bucket, config), bucket.urn);
                    }
                });
            }
            targets.finish();
        },
    };
}

// ---- TLS only --------------------------------------------------------------------------------

const hasTlsOnlyStatement = (get: () => unknown) => documentDeniesInsecureTransport(get, "s3");

export const s3BucketTlsOnly = bucketRelationPolicy<object>({
    name: "s3-bucket-tls-only",
    description:
        "Every S3 bucket has a bucket policy denying all requests that do not use TLS (aws:SecureTransport = false).",
    related: S3_TYPES.policy,
    inline: (props) => "policy" in props && hasTlsOnlyStatement(() => props.policy),
    satisfied: (props) => hasTlsOnlyStatement(() => props.policy),
    message: (b) =>
        `S3 bucket '${b.name}' must have a bucket policy with a Deny statement for "s3:*" to every principal when "aws:SecureTransport" is "false".`,
});

// ---- Default encryption ----------------------------------------------------------------------

interface KmsConfig {
    kmsExemptBuckets: string[];
}

const KMS_POLICY = "s3-bucket-kms-encryption";
const kmsExemption = (b: PolicyResource, c: KmsConfig) =>
    bucketExemption(b, KMS_POLICY, "kmsExemptBuckets", c.kmsExemptBuckets);

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

interface SseDefault {
    readonly sseAlgorithm?: unknown;
    readonly kmsMasterKeyId?: unknown;
}
interface SseRule {
    readonly applyServerSideEncryptionByDefault?: SseDefault | null;
}
/** An inline (`rule`) or separate (`rules`) default-encryption configuration. */
interface SseConfiguration {
    readonly rule?: SseRule | SseRule[] | null;
    readonly rules?: SseRule | SseRule[] | null;
}

/** The default-encryption algorithms of an inline (`rule`) or separate (`rules`) configuration. */
function sseAlgorithms(config: SseConfiguration | undefined): SseDefault[] {
    if (!config) {
        return [];
    }
    return asArray<SseRule | null>(config.rules ?? config.rule)
        .map((r) => r?.applyServerSideEncryptionByDefault)
        .filter((d): d is SseDefault => d !== undefined && d !== null);
}

function encryptionSatisfied(config: SseConfiguration | undefined, exempt: boolean): boolean {
    return sseAlgorithms(config).some(
        (d) =>
            (typeof d.sseAlgorithm === "string" &&
                KMS_ALGORITHMS.includes(d.sseAlgorithm) &&
                isSet(d, "kmsMasterKeyId")) ||
            (exempt && d.sseAlgorithm === "AES256"),
    );
}

export const s3BucketKmsEncryption = bucketRelationPolicy<KmsConfig>({
    name: KMS_POLICY,
    description: `Every S3 bucket encrypts objects by default with aws:kms and a KMS key; only buckets exempted by their ${EXEMPTIONS_TAG} tag or by kmsExemptBuckets may use SSE-S3 (AES256) instead.`,
    configSchema: schema({
        kmsExemptBuckets: {
            type: "array",
            items: { type: "string" },
            default: [],
            description:
                "Glob patterns (matched against a bucket's logical name or bucket name) of buckets that cannot use KMS. They still need AES256 default encryption.",
        },
    }),
    related: S3_TYPES.encryption,
    inline: (props, c, b) =>
        encryptionSatisfied(
            props.serverSideEncryptionConfiguration as SseConfiguration | undefined,
            !!kmsExemption(b, c),
        ),
    satisfied: (props, c, b) => encryptionSatisfied(props, !!kmsExemption(b, c)),
    message: (b, c) => {
        const exemption = kmsExemption(b, c);
        return exemption
            ? `S3 bucket '${b.name}' must have default encryption (it is exempt from KMS by ${exemption}, so AES256 is accepted).`
            : `S3 bucket '${b.name}' must have default encryption with aws:kms and a KMS key (kmsMasterKeyId); SSE-S3 (AES256) is accepted only for exempted buckets.`;
    },
});

// ---- Versioning ------------------------------------------------------------------------------

/** Versioning inline on a bucket (`versioning`) and on a BucketVersioning (`versioningConfiguration`). */
interface VersioningProps {
    readonly versioning?: { readonly enabled?: unknown; readonly mfaDelete?: unknown } | null;
    readonly versioningConfiguration?: { readonly status?: unknown; readonly mfaDelete?: unknown } | null;
}

export const s3BucketVersioning = bucketRelationPolicy<object>({
    name: "s3-bucket-versioning",
    description: "Every S3 bucket has versioning enabled.",
    related: S3_TYPES.versioning,
    inline: (props) => (props as VersioningProps).versioning?.enabled === true,
    satisfied: (props) => (props as VersioningProps).versioningConfiguration?.status === "Enabled",
    message: (b) => `S3 bucket '${b.name}' must have versioning enabled.`,
});

// ---- Public access block ---------------------------------------------------------------------

export const PUBLIC_ACCESS_BLOCK_SETTINGS = [
    "blockPublicAcls",
    "blockPublicPolicy",
    "ignorePublicAcls",
    "restrictPublicBuckets",
];

export const s3BucketPublicAccessBlock = bucketRelationPolicy<object>({
    name: "s3-bucket-public-access-block",
    description: "Every S3 bucket has a public access block with all four settings enabled.",
    related: S3_TYPES.publicAccessBlock,
    satisfied: (props) => PUBLIC_ACCESS_BLOCK_SETTINGS.every((k) => props[k] === true),
    message: (b) =>
        `S3 bucket '${b.name}' must have a public access block with ${PUBLIC_ACCESS_BLOCK_SETTINGS.join(", ")} all set to true.`,
});

// ---- Server access logging -------------------------------------------------------------------

interface LoggingConfig {
    accessLoggingExemptBuckets: string[];
}

const LOGGING_POLICY = "s3-bucket-access-logging";

export const s3BucketAccessLogging = bucketRelationPolicy<LoggingConfig>({
    name: LOGGING_POLICY,
    description: `Every S3 bucket has server access logging enabled, except the log targets exempted by their ${EXEMPTIONS_TAG} tag or by accessLoggingExemptBuckets.`,
    configSchema: schema({
        accessLoggingExemptBuckets: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Glob patterns of buckets that receive the access logs and so do not log themselves.",
        },
    }),
    related: S3_TYPES.logging,
    applies: (b, c) => !bucketExemption(b, LOGGING_POLICY, "accessLoggingExemptBuckets", c.accessLoggingExemptBuckets),
    inline: (props) => isSet(props.logging as object | null | undefined, "targetBucket"),
    satisfied: (props) => isSet(props, "targetBucket"),
    message: (b) =>
        `S3 bucket '${b.name}' must have server access logging enabled (a BucketLogging with a targetBucket).`,
});

// ---- Source uploads expire -------------------------------------------------------------------

interface LifecycleConfig {
    sourceBuckets: string[];
    uploadsPrefix: string;
    maxUploadAgeDays: number;
}

const lifecycleSchema = schema({
    sourceBuckets: {
        type: "array",
        items: { type: "string" },
        default: ["*source*"],
        description: "Glob patterns of the buckets that receive uploaded source code.",
    },
    uploadsPrefix: { type: "string", default: "uploads/", description: "Key prefix of the uploads." },
    maxUploadAgeDays: {
        type: "integer",
        minimum: 1,
        default: 7,
        description: "Uploads must expire within this many days.",
    },
});

/** A lifecycle rule inline on a bucket (`prefix`, `enabled`) or on a lifecycle configuration (`filter`, `status`). */
interface LifecycleRule {
    readonly status?: unknown;
    readonly enabled?: unknown;
    readonly prefix?: unknown;
    readonly filter?: { readonly prefix?: unknown; readonly and?: { readonly prefix?: unknown } | null } | null;
    readonly expiration?: { readonly days?: unknown } | null;
}

/** An enabled lifecycle rule that expires every object under the uploads prefix within the limit. */
function expiresUploads(rule: LifecycleRule, c: LifecycleConfig): boolean {
    const enabled = rule.status === "Enabled" || rule.enabled === true;
    const prefix: unknown = rule.filter?.prefix ?? rule.filter?.and?.prefix ?? rule.prefix ?? "";
    const days = rule.expiration?.days;
    return (
        enabled &&
        typeof prefix === "string" &&
        c.uploadsPrefix.startsWith(prefix) &&
        typeof days === "number" &&
        days > 0 &&
        days <= c.maxUploadAgeDays
    );
}

const sourceUploadsExpire = bucketRelationPolicy<LifecycleConfig>({
    name: "s3-source-uploads-expire",
    description: "The source bucket expires uploaded source code under the uploads prefix within the configured days.",
    configSchema: lifecycleSchema,
    related: S3_TYPES.lifecycle,
    applies: (b, c) => !!matchingPattern(b, c.sourceBuckets),
    inline: (props, c) => asArray(props.lifecycleRules as LifecycleRule[]).some((r) => expiresUploads(r, c)),
    satisfied: (props, c) => asArray(props.rules as LifecycleRule[]).some((r) => expiresUploads(r, c)),
    message: (b, c) =>
        `S3 source bucket '${b.name}' must have an enabled lifecycle rule expiring objects under '${c.uploadsPrefix}' within ${c.maxUploadAgeDays} days.`,
});

/** The lifecycle rule, plus: a stack with buckets must have a source bucket the config names (no silent pass after a rename). */
export const s3SourceUploadsExpire: StackValidationPolicy = {
    ...sourceUploadsExpire,
    validateStack: (args, reportViolation) => {
        const c = configWithDefaults<LifecycleConfig>(lifecycleSchema, () => args.getConfig());
        const buckets = ofTypes(args.resources, S3_TYPES.bucket);
        if (buckets.length > 0 && !buckets.some((b) => matchingPattern(b, c.sourceBuckets))) {
            reportViolation(
                `A source bucket matching sourceBuckets (${c.sourceBuckets.join(", ")}) must exist so that the expiry of its uploads can be checked; set sourceBuckets to name it.`,
            );
        }
        return sourceUploadsExpire.validateStack(args, reportViolation);
    },
};

// ---- No public ACL or policy -----------------------------------------------------------------

const PUBLIC_CANNED_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PUBLIC_GRANTEE_URIS = /\/groups\/global\/(AllUsers|AuthenticatedUsers)$/;
const isPublicCannedAcl = (acl: unknown): acl is string => typeof acl === "string" && PUBLIC_CANNED_ACLS.includes(acl);
interface Grant {
    readonly uri?: unknown;
    readonly grantee?: { readonly uri?: unknown } | null;
}
function publicGrants(grants: unknown): boolean {
    return asArray(grants as (Grant | null)[]).some((g) => {
        const uri = g?.grantee?.uri ?? g?.uri;
        return typeof uri === "string" && PUBLIC_GRANTEE_URIS.test(uri);
    });
}

export const s3NoPublicAccess: ResourceValidationPolicy = {
    name: "s3-no-public-acl-or-policy",
    description:
        "No S3 bucket is made public by a canned ACL, an ACL grant to AllUsers/AuthenticatedUsers, or a policy allowing everyone without a restricting condition.",
    enforcementLevel: MANDATORY,
    validateResource: anyOf(
        validateTypes<Props>(S3_TYPES.bucket, (b, args, report) => {
            if (isPublicCannedAcl(b.acl)) {
                report(`S3 bucket '${args.name}' must not use the public canned ACL '${b.acl}'.`);
            }
            if (publicGrants(b.grants)) {
                report(`S3 bucket '${args.name}' must not grant access to AllUsers or AuthenticatedUsers.`);
            }
            if ("policy" in b && documentIsPublic(() => b.policy)) {
                report(
                    `S3 bucket '${args.name}' must not have a policy allowing everyone ("Principal": "*") without a restricting condition.`,
                );
            }
        }),
        validateTypes<Props>(S3_TYPES.acl, (acl, args, report) => {
            const grants = (acl.accessControlPolicy as { grants?: unknown } | null | undefined)?.grants;
            if (isPublicCannedAcl(acl.acl) || publicGrants(grants)) {
                report(
                    `S3 bucket ACL '${args.name}' must not grant public access (canned ACL '${typeof acl.acl === "string" ? acl.acl : "-"}' or a grant to AllUsers/AuthenticatedUsers).`,
                );
            }
        }),
        validateTypes<Props>(S3_TYPES.policy, (p, args, report) => {
            if (documentIsPublic(() => p.policy)) {
                report(
                    `S3 bucket policy '${args.name}' must not allow everyone ("Principal": "*") without a restricting condition.`,
                );
            }
        }),
    ),
};

// ---- Optional hardening (advisory) -----------------------------------------------------------

interface ObjectLockConfig {
    objectLockBuckets: string[];
}

export const s3ResultsObjectLock = bucketRelationPolicy<ObjectLockConfig>({
    name: "s3-results-object-lock",
    description:
        "Result buckets use S3 Object Lock so results are immutable (a checklist recommendation, advisory by default).",
    enforcementLevel: "advisory",
    configSchema: schema({
        objectLockBuckets: {
            type: "array",
            items: { type: "string" },
            default: ["*output*", "*result*"],
            description: "Glob patterns of the buckets holding job results.",
        },
    }),
    related: S3_TYPES.objectLock,
    applies: (b, c) => !!matchingPattern(b, c.objectLockBuckets),
    inline: (props) =>
        props.objectLockEnabled === true ||
        (props.objectLockConfiguration as { objectLockEnabled?: unknown } | null | undefined)?.objectLockEnabled ===
            "Enabled",
    satisfied: (props) => props.objectLockEnabled === undefined || props.objectLockEnabled === "Enabled",
    message: (b) => `S3 result bucket '${b.name}' should have S3 Object Lock enabled.`,
});

interface MfaDeleteConfig {
    productionStacks: string[];
}

export const s3ProductionMfaDelete = bucketRelationPolicy<MfaDeleteConfig>({
    name: "s3-production-mfa-delete",
    description:
        "Production buckets have MFA delete enabled on their versioning (a checklist recommendation, advisory by default).",
    enforcementLevel: "advisory",
    configSchema: productionStacksSchema,
    related: S3_TYPES.versioning,
    applies: (b, c) => c.productionStacks.includes(stackOfUrn(b.urn)),
    inline: (props) => (props as VersioningProps).versioning?.mfaDelete === true,
    satisfied: (props) => (props as VersioningProps).versioningConfiguration?.mfaDelete === "Enabled",
    message: (b) => `Production S3 bucket '${b.name}' should have MFA delete enabled on its versioning.`,
});
