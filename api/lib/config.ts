/**
 * Configuration read from the environment. Lambda functions get these variables from the Pulumi
 * component (see contract.ts for which function needs which); `npm run api:local` sets them itself.
 * Values are read on each call rather than at import, so tests and the local server can set them
 * before a handler runs.
 */
import { limits } from "./limits";

export const defaultAllowedSourceHosts = ["github.com", "gitlab.com", "bitbucket.org"];
export const defaultMcpConfigKey = "config/mcp.json";

function required(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`missing environment variable ${name}`);
    return value;
}

function optionalNumber(name: string, fallback: number, min: number, max: number): number {
    const raw = process.env[name];
    if (raw === undefined || raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
        throw new Error(`environment variable ${name} must be a number in [${min}, ${max}], got ${raw}`);
    }
    return value;
}

export const env = {
    jobsTable: () => required("JOBS_TABLE"),
    jobQueueArn: () => required("JOB_QUEUE_ARN"),
    jobDefinitionArn: () => required("JOB_DEFINITION_ARN"),
    sourceBucket: () => required("SOURCE_BUCKET"),
    outputBucket: () => required("OUTPUT_BUCKET"),
    /**
     * Where S3 requests for a bucket go: the access point (ARN) in `<VARIABLE>_ACCESS_POINT` when the
     * stack gives the function one for that bucket, else the bucket itself (the local emulator).
     * Clients and job sources keep naming the bucket.
     */
    s3Address: (bucket: string): string => {
        for (const variable of ["SOURCE_BUCKET", "OUTPUT_BUCKET"]) {
            const accessPoint = process.env[`${variable}_ACCESS_POINT`];
            if (accessPoint && process.env[variable] === bucket) return accessPoint;
        }
        return bucket;
    },
    bulkQueueUrl: () => required("BULK_QUEUE_URL"),
    /** KMS key (id or ARN) for objects the API writes or lets clients write. */
    kmsKeyId: () => required("KMS_KEY_ID"),
    mcpConfigKey: () => process.env.MCP_CONFIG_KEY || defaultMcpConfigKey,
    allowedSourceHosts: (): string[] => {
        const raw = process.env.ALLOWED_SOURCE_HOSTS;
        if (!raw) return defaultAllowedSourceHosts;
        return raw
            .split(",")
            .map((h) => h.trim().toLowerCase())
            .filter(Boolean);
    },
    maxBulkJobs: () => optionalNumber("MAX_BULK_JOBS", limits.bulkMaxJobs, 1, limits.bulkMaxJobs),
    /** Lambda's synchronous payload limit is 6 MB; 10,000 short jobs fit well within 5 MiB. */
    maxBodyBytes: () => optionalNumber("MAX_BODY_BYTES", 5 * 1024 * 1024, 1024, 6 * 1024 * 1024),
    /** SubmitJob calls per second, per concurrently running submitter instance. */
    submitRatePerSecond: () => optionalNumber("SUBMIT_RATE_PER_SECOND", 10, 0.1, 10_000),
    submitConcurrency: () => optionalNumber("SUBMIT_CONCURRENCY", 4, 1, 64),
    submitMaxAttempts: () => optionalNumber("SUBMIT_MAX_ATTEMPTS", 8, 1, 20),
    retryBaseDelayMs: () => optionalNumber("RETRY_BASE_DELAY_MS", 200, 1, 60_000),
    retryMaxDelayMs: () => optionalNumber("RETRY_MAX_DELAY_MS", 20_000, 1, 300_000),
    /** How long a submitter owns a job it is submitting before another may take it over. */
    submitLeaseSeconds: () => optionalNumber("SUBMIT_LEASE_SECONDS", 300, 1, 3600),
    /** On this SQS delivery of a message, jobs still unsubmitted are recorded failed, not retried. */
    maxMessageReceives: () => optionalNumber("MAX_MESSAGE_RECEIVES", 5, 1, 1000),
    uploadMaxBytes: () => optionalNumber("UPLOAD_MAX_BYTES", 1024 ** 3, 1, 5 * 1024 ** 3),
    uploadUrlTtlSeconds: () => optionalNumber("UPLOAD_URL_TTL_SECONDS", 300, 60, 3600),
    resultUrlTtlSeconds: () => optionalNumber("RESULT_URL_TTL_SECONDS", 300, 60, 3600),
    /** The jobs' CloudWatch log group, named in job status answers (unset: null there). */
    jobLogGroup: (): string | null => process.env.JOB_LOG_GROUP || null,
    /** The job definition's attempt timeout (the bound of ATX_SHELL_TIMEOUT). */
    jobTimeoutSeconds: () => optionalNumber("JOB_TIMEOUT_SECONDS", 43_200, 60, 1_209_600),
    jobRules: () => ({
        allowedHosts: env.allowedSourceHosts(),
        sourceBucket: env.sourceBucket(),
        jobTimeoutSeconds: env.jobTimeoutSeconds(),
    }),
    /** Only for emulators whose S3 needs path-style addressing (set by api:local). */
    s3ForcePathStyle: () => process.env.S3_FORCE_PATH_STYLE === "true",
};
