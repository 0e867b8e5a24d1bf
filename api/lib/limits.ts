/**
 * Numeric and lexical limits shared by the handlers' validation and the API Gateway request
 * models in contract.ts, so that both layers refuse the same inputs.
 */
export const limits = {
    /** Whole `atx ...` command line, in characters. */
    commandMaxChars: 4096,
    /** Arguments after parsing, `atx` included. */
    commandMaxArgs: 64,
    argMaxChars: 1024,
    sourceMaxChars: 2048,
    /** AWS Batch: 1-128 letters, digits, hyphens and underscores, starting with a letter or digit. */
    jobNameMaxChars: 128,
    environmentMaxVars: 50,
    environmentNameMaxChars: 64,
    environmentValueMaxChars: 4096,
    /** Batch allows 50 tags per job; the platform keeps some for itself (see reservedTagPrefix). */
    tagsMaxCount: 40,
    tagKeyMaxChars: 128,
    tagValueMaxChars: 256,
    batchNameMaxChars: 128,
    /** Default for MAX_BULK_JOBS; the configured value can only lower it. */
    bulkMaxJobs: 10_000,
    uploadFileNameMaxChars: 255,
    mcpConfigMaxBytes: 64 * 1024,
    mcpMaxServers: 50,
    listMaxLimit: 100,
} as const;

/** Content types accepted for source uploads (archives of a code base). */
export const uploadContentTypes = [
    "application/zip",
    "application/x-zip-compressed",
    "application/gzip",
    "application/x-gzip",
    "application/x-tar",
    "application/octet-stream",
] as const;

/** Tag keys the platform sets on every Batch job; callers may not set keys with this prefix. */
export const reservedTagPrefix = "atx:";
export const jobKeyTag = "atx:job-key";
export const batchIdTag = "atx:batch-id";

/**
 * Where POST /jobs/batch stores a request's validated job list in the source bucket. Jobs may not
 * read it (their role denies it, and validation refuses it as a source).
 */
export const bulkManifestPrefix = "bulk-manifests/";
