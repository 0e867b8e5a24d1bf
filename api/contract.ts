/**
 * The deployment contract of the API's runtime: what the Pulumi component must create and wire so
 * that these handlers work, and no more than they need. Plain data, no Pulumi imports: the
 * component maps it onto API Gateway, Lambda, DynamoDB, SQS, EventBridge and IAM resources.
 *
 * Symbolic resource names used in `permissions` (the component substitutes the ARNs):
 *   jobsTable, jobsTableIndexes (`<table arn>/index/*`), jobQueue, jobDefinition
 *   (the definition's ARN, any revision), batchJobs (`arn:aws:batch:<region>:<account>:job/*`),
 *   bulkQueue, sourceBucket, sourceUploads (`<bucket arn>/uploads/*`), bulkManifests
 *   (`<bucket arn>/<bulkManifestPrefix>*`), mcpConfigObject
 *   (`<bucket arn>/<MCP_CONFIG_KEY>`), outputBucket, outputResults (`<bucket arn>/transformations/*`),
 *   kmsKey (the stack's key), "*" (actions without resource-level permissions).
 * Every function also needs logs:CreateLogStream and logs:PutLogEvents on its own log group.
 * The table's encryption with the stack's key needs no KMS permission on these roles (DynamoDB
 * uses its own grant); SQS and S3 with SSE-KMS do, and are listed.
 */
import { defaultAllowedSourceHosts, defaultMcpConfigKey } from "./lib/config";
import { jobStatuses } from "./lib/statuses";
import { environmentNamePattern } from "./lib/validation/environment";
import { jobNamePattern, uploadFileNamePattern } from "./lib/validation/fields";
import { bulkManifestPrefix, limits, uploadContentTypes } from "./lib/limits";

export { bulkManifestPrefix };

export const lambdaRuntime = "nodejs22.x";
/** `api/build.ts` writes each function's bundle to `<buildDir>/<name>/index.js` exporting `handler`. */
export const buildDir = ".build/api";
export const lambdaHandler = "index.handler";

export type FunctionName = "jobs" | "batches" | "bulk-submitter" | "job-events" | "upload" | "mcp-config";

export type SymbolicResource =
    | "jobsTable"
    | "jobsTableIndexes"
    | "jobQueue"
    | "jobDefinition"
    | "batchJobs"
    | "bulkQueue"
    | "sourceBucket"
    | "sourceUploads"
    | "bulkManifests"
    | "mcpConfigObject"
    | "outputBucket"
    | "outputResults"
    | "kmsKey"
    | "*";

export interface Permission {
    actions: string[];
    resources: SymbolicResource[];
    /** Why the function needs it. */
    why: string;
}

/** Attributes of the stack's resources a function's environment can take; the component binds each one. */
export type Binding =
    | "jobsTable.name"
    | "jobQueue.arn"
    | "jobDefinition.arn"
    | "sourceBucket.bucket"
    | "outputBucket.bucket"
    | "bulkQueue.url"
    | "kmsKey.arn"
    | "jobLogGroup.name";

/** An environment value the component takes from a resource of the stack. */
export interface Bound {
    readonly bind: Binding;
}

export function bind(binding: Binding): Bound {
    return { bind: binding };
}

/**
 * Environment variables: the value is what the component sets. A {@link Bound} value is a resource attribute;
 * a literal is a recommended setting the component may take from stack config instead.
 * Optional variables absent here fall back to the defaults in api/lib/config.ts (documented in the README).
 */
export interface FunctionContract {
    source: string;
    description: string;
    timeoutSeconds: number;
    memoryMb: number;
    environment: Record<string, string | Bound>;
    permissions: Permission[];
}

const tableRead: Permission = {
    actions: ["dynamodb:GetItem"],
    resources: ["jobsTable"],
    why: "read jobs, aliases and batches",
};
const jobWrites: Permission = {
    actions: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
    resources: ["jobsTable"],
    why: "record jobs, job-id aliases and state transitions (conditional writes; a bulk job's transition also moves its batch's counters and failure entry in one TransactWriteItems)",
};
const submit: Permission[] = [
    { actions: ["batch:SubmitJob"], resources: ["jobQueue", "jobDefinition"], why: "submit jobs" },
    {
        actions: ["batch:TagResource"],
        resources: ["batchJobs"],
        why: "SubmitJob with tags (atx:job-key, atx:batch-id, caller tags)",
    },
    {
        actions: ["batch:ListJobs", "batch:DescribeJobs"],
        resources: ["*"],
        why: "find a job whose SubmitJob answer was lost before retrying (no resource-level permissions)",
    },
];
const submitEnvironment = {
    JOBS_TABLE: bind("jobsTable.name"),
    JOB_QUEUE_ARN: bind("jobQueue.arn"),
    JOB_DEFINITION_ARN: bind("jobDefinition.arn"),
};

export const functions: Record<FunctionName, FunctionContract> = {
    jobs: {
        source: "api/handlers/jobs.ts",
        description: "POST/GET /jobs, GET/DELETE /jobs/{jobId}, GET /jobs/{jobId}/results",
        timeoutSeconds: 29,
        memoryMb: 512,
        environment: {
            ...submitEnvironment,
            SOURCE_BUCKET: bind("sourceBucket.bucket"),
            OUTPUT_BUCKET: bind("outputBucket.bucket"),
            ALLOWED_SOURCE_HOSTS: defaultAllowedSourceHosts.join(","),
            JOB_TIMEOUT_SECONDS: "43200",
            JOB_LOG_GROUP: bind("jobLogGroup.name"),
            // POST /jobs submits while the caller waits: few, short retries to stay within API Gateway's 29 s.
            SUBMIT_MAX_ATTEMPTS: "3",
            RETRY_MAX_DELAY_MS: "2000",
            RESULT_URL_TTL_SECONDS: "300",
        },
        permissions: [
            { actions: ["dynamodb:GetItem"], resources: ["jobsTable"], why: "read jobs and job-id aliases" },
            {
                actions: ["dynamodb:Query", "dynamodb:Scan"],
                resources: ["jobsTableIndexes"],
                why: "GET /jobs through the byStatus index",
            },
            jobWrites,
            ...submit,
            {
                actions: ["batch:CancelJob", "batch:TerminateJob"],
                resources: ["batchJobs"],
                why: "DELETE /jobs/{jobId}",
            },
            {
                actions: ["s3:ListBucket"],
                resources: ["outputBucket"],
                why: "list result objects (condition s3:prefix transformations/*)",
            },
            {
                actions: ["s3:GetObject"],
                resources: ["outputResults"],
                why: "presigned result download URLs are signed with this role",
            },
            {
                actions: ["kms:Decrypt"],
                resources: ["kmsKey"],
                why: "downloads of SSE-KMS result objects through the presigned URLs",
            },
        ],
    },
    batches: {
        source: "api/handlers/batches.ts",
        description: "POST /jobs/batch, GET /jobs/batch/{batchId}",
        timeoutSeconds: 29,
        memoryMb: 1024,
        environment: {
            JOBS_TABLE: bind("jobsTable.name"),
            SOURCE_BUCKET: bind("sourceBucket.bucket"),
            BULK_QUEUE_URL: bind("bulkQueue.url"),
            KMS_KEY_ID: bind("kmsKey.arn"),
            ALLOWED_SOURCE_HOSTS: defaultAllowedSourceHosts.join(","),
            JOB_TIMEOUT_SECONDS: "43200",
            MAX_BULK_JOBS: "10000",
        },
        permissions: [
            {
                actions: ["dynamodb:GetItem", "dynamodb:PutItem"],
                resources: ["jobsTable"],
                why: "record the batch (conditional write); read the batch item",
            },
            {
                actions: ["dynamodb:Query"],
                resources: ["jobsTable"],
                why: "read a batch's counter shards and first failures (items of its own partition)",
            },
            {
                actions: ["s3:PutObject", "s3:DeleteObject"],
                resources: ["bulkManifests"],
                why: "store the validated job list of a request (SSE-KMS); drop a duplicate one",
            },
            {
                actions: ["sqs:SendMessage"],
                resources: ["bulkQueue"],
                why: "queue the batch's recording step (SendMessageBatch)",
            },
            {
                actions: ["kms:GenerateDataKey", "kms:Decrypt"],
                resources: ["kmsKey"],
                why: "write the SSE-KMS manifest; send to the SSE-KMS encrypted queue",
            },
        ],
    },
    "bulk-submitter": {
        source: "api/handlers/bulk-submitter.ts",
        description: "SQS consumer submitting bulk jobs to Batch at a bounded rate",
        timeoutSeconds: 300,
        memoryMb: 512,
        environment: {
            ...submitEnvironment,
            SOURCE_BUCKET: bind("sourceBucket.bucket"),
            BULK_QUEUE_URL: bind("bulkQueue.url"),
            // The recording step validates a batch's manifest again with the API's rules.
            ALLOWED_SOURCE_HOSTS: "github.com,gitlab.com,bitbucket.org",
            JOB_TIMEOUT_SECONDS: "43200",
            // Per concurrently running instance: the queue-wide rate is this times bulkQueue.eventSource.maximumConcurrency.
            SUBMIT_RATE_PER_SECOND: "10",
            SUBMIT_CONCURRENCY: "4",
            SUBMIT_MAX_ATTEMPTS: "8",
            SUBMIT_LEASE_SECONDS: "300",
            MAX_MESSAGE_RECEIVES: "5",
        },
        permissions: [
            {
                actions: ["dynamodb:GetItem", "dynamodb:BatchGetItem"],
                resources: ["jobsTable"],
                why: "read the jobs a message names",
            },
            {
                actions: ["dynamodb:BatchWriteItem"],
                resources: ["jobsTable"],
                why: "record a batch's jobs from its manifest",
            },
            jobWrites,
            ...submit,
            {
                actions: ["s3:GetObject", "s3:DeleteObject"],
                resources: ["bulkManifests"],
                why: "read a batch's manifest, delete it once its jobs are recorded",
            },
            {
                actions: ["sqs:SendMessage"],
                resources: ["bulkQueue"],
                why: "queue a recorded batch's jobs for submission (SendMessageBatch)",
            },
            {
                actions: [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "sqs:ChangeMessageVisibility",
                ],
                resources: ["bulkQueue"],
                why: "the Lambda event source mapping polls with the function's role",
            },
            {
                actions: ["kms:Decrypt", "kms:GenerateDataKey"],
                resources: ["kmsKey"],
                why: "read the SSE-KMS manifest; receive from and send to the SSE-KMS encrypted queue",
            },
        ],
    },
    "job-events": {
        source: "api/handlers/job-events.ts",
        description: "EventBridge target: Batch Job State Change events of the job queue",
        timeoutSeconds: 30,
        memoryMb: 256,
        environment: { JOBS_TABLE: bind("jobsTable.name") },
        permissions: [tableRead, jobWrites],
    },
    upload: {
        source: "api/handlers/upload.ts",
        description: "POST /upload: presigned PUT under uploads/",
        timeoutSeconds: 10,
        memoryMb: 256,
        environment: {
            SOURCE_BUCKET: bind("sourceBucket.bucket"),
            KMS_KEY_ID: bind("kmsKey.arn"),
            UPLOAD_MAX_BYTES: String(1024 ** 3),
            UPLOAD_URL_TTL_SECONDS: "300",
        },
        permissions: [
            {
                actions: ["s3:PutObject"],
                resources: ["sourceUploads"],
                why: "presigned upload URLs are signed with this role",
            },
            {
                actions: ["kms:GenerateDataKey"],
                resources: ["kmsKey"],
                why: "uploads encrypted with SSE-KMS through the presigned URLs",
            },
        ],
    },
    "mcp-config": {
        source: "api/handlers/mcp-config.ts",
        description: "POST /mcp-config: validated MCP configuration to the source bucket",
        timeoutSeconds: 10,
        memoryMb: 256,
        environment: {
            SOURCE_BUCKET: bind("sourceBucket.bucket"),
            KMS_KEY_ID: bind("kmsKey.arn"),
            MCP_CONFIG_KEY: defaultMcpConfigKey,
        },
        permissions: [
            { actions: ["s3:PutObject"], resources: ["mcpConfigObject"], why: "store the configuration" },
            { actions: ["kms:GenerateDataKey"], resources: ["kmsKey"], why: "SSE-KMS encryption of the stored object" },
        ],
    },
};

/** Variables every function may read; the component sets none of them in AWS. */
export const optionalEnvironment = {
    AWS_ENDPOINT_URL: "emulator endpoint (read natively by AWS SDK v3); only for local runs and tests",
    S3_FORCE_PATH_STYLE: "'true' for emulators reached by host name; only for local runs",
    MAX_BODY_BYTES: "request body limit checked by the handlers (default 5 MiB)",
    RETRY_BASE_DELAY_MS: "backoff base (default 200)",
    RETRY_MAX_DELAY_MS: "backoff cap (default 20000)",
} as const;

// ---------------------------------------------------------------------------------------------
// Request models (JSON Schema draft 4, as API Gateway models require). They mirror lib/validation,
// which stays the authority: models cannot express host allow-lists or reserved names.

const stringMap = (maxProperties: number, maxValue: number) => ({
    type: "object",
    maxProperties,
    additionalProperties: { type: "string", maxLength: maxValue },
});

export const jobRequestModel = {
    $schema: "http://json-schema.org/draft-04/schema#",
    title: "JobRequest",
    type: "object",
    required: ["command"],
    additionalProperties: false,
    properties: {
        command: { type: "string", minLength: 5, maxLength: limits.commandMaxChars, pattern: "^ *atx " },
        source: { type: "string", minLength: 6, maxLength: limits.sourceMaxChars, pattern: "^(https://|s3://)" },
        jobName: { type: "string", pattern: jobNamePattern.source },
        environment: {
            type: "object",
            maxProperties: limits.environmentMaxVars,
            additionalProperties: false,
            patternProperties: {
                [environmentNamePattern.source]: { type: "string", maxLength: limits.environmentValueMaxChars },
            },
        },
        tags: stringMap(limits.tagsMaxCount, limits.tagValueMaxChars),
    },
} as const;

export const bulkRequestModel = {
    $schema: "http://json-schema.org/draft-04/schema#",
    title: "BulkJobRequest",
    type: "object",
    required: ["batchName", "jobs"],
    additionalProperties: false,
    properties: {
        batchName: { type: "string", minLength: 1, maxLength: limits.batchNameMaxChars },
        jobs: {
            type: "array",
            minItems: 1,
            maxItems: limits.bulkMaxJobs,
            items: { ...jobRequestModel, $schema: undefined, title: undefined },
        },
    },
} as const;

export const uploadRequestModel = {
    $schema: "http://json-schema.org/draft-04/schema#",
    title: "UploadRequest",
    type: "object",
    // `filename` is the AWS sample's spelling.
    oneOf: [{ required: ["fileName"] }, { required: ["filename"] }],
    additionalProperties: false,
    properties: {
        fileName: { type: "string", pattern: uploadFileNamePattern.source },
        filename: { type: "string", pattern: uploadFileNamePattern.source },
        contentType: { type: "string", enum: [...uploadContentTypes] },
        contentLength: { type: "integer", minimum: 1 },
    },
} as const;

export const mcpConfigModel = {
    $schema: "http://json-schema.org/draft-04/schema#",
    title: "McpConfig",
    type: "object",
    // The document, or the AWS sample's request wrapping it in `mcpConfig`.
    oneOf: [{ required: ["mcpServers"] }, { required: ["mcpConfig"] }],
    additionalProperties: false,
    properties: {
        mcpServers: { type: "object", maxProperties: limits.mcpMaxServers },
        mcpConfig: {
            type: "object",
            required: ["mcpServers"],
            additionalProperties: false,
            properties: { mcpServers: { type: "object", maxProperties: limits.mcpMaxServers } },
        },
    },
} as const;

export interface RouteContract {
    method: "GET" | "POST" | "DELETE";
    /** API Gateway resource path; `{x}` are path parameters. */
    path: string;
    function: FunctionName;
    /** Body model for the `application/json` content type, validated by a request validator. */
    requestModel?: object;
    /** Query string parameters (none required). */
    queryParameters?: string[];
}

/** Every method uses authorizationType AWS_IAM on the `prod` stage. */
export const routes: RouteContract[] = [
    { method: "POST", path: "/jobs", function: "jobs", requestModel: jobRequestModel },
    { method: "GET", path: "/jobs", function: "jobs", queryParameters: ["status", "limit", "nextToken"] },
    { method: "GET", path: "/jobs/{jobId}", function: "jobs" },
    { method: "DELETE", path: "/jobs/{jobId}", function: "jobs" },
    { method: "GET", path: "/jobs/{jobId}/results", function: "jobs" },
    { method: "POST", path: "/jobs/batch", function: "batches", requestModel: bulkRequestModel },
    { method: "GET", path: "/jobs/batch/{batchId}", function: "batches" },
    { method: "POST", path: "/upload", function: "upload", requestModel: uploadRequestModel },
    { method: "POST", path: "/mcp-config", function: "mcp-config", requestModel: mcpConfigModel },
];

export const stageName = "prod";

interface TableIndexKeys {
    name: string;
    hashKey: string;
    rangeKey: string;
}
export type TableIndex =
    | (TableIndexKeys & { projectionType: "ALL" | "KEYS_ONLY" })
    | (TableIndexKeys & { projectionType: "INCLUDE"; nonKeyAttributes: readonly string[] });

const jobsTableIndexes: readonly TableIndex[] = [
    /** GET /jobs: jobs that reached Batch (or failed to), by status, newest first. Sparse. */
    { name: "byStatus", hashKey: "listStatus", rangeKey: "createdAt", projectionType: "ALL" },
];

/**
 * One table, on-demand, encrypted with the stack's KMS key, point-in-time recovery on. A batch's
 * counters and failures are items of the batch's own partition (api/lib/store.ts), not indexes.
 */
export const jobsTable = {
    hashKey: "pk",
    rangeKey: "sk",
    attributes: [
        { name: "pk", type: "S" },
        { name: "sk", type: "S" },
        { name: "listStatus", type: "S" },
        { name: "createdAt", type: "S" },
    ],
    globalSecondaryIndexes: jobsTableIndexes,
    billingMode: "PAY_PER_REQUEST",
    pointInTimeRecovery: true,
} as const;

/** The queue between POST /jobs/batch and the bulk submitter (SSE-KMS with the stack's key). */
export const bulkQueue = {
    /** AWS recommends at least six times the consumer's timeout. */
    visibilityTimeoutSeconds: 6 * functions["bulk-submitter"].timeoutSeconds,
    messageRetentionSeconds: 4 * 24 * 3600,
    /** More than MAX_MESSAGE_RECEIVES, so the submitter records leftovers failed before SQS gives up. */
    deadLetterMaxReceiveCount: 10,
    eventSource: {
        function: "bulk-submitter" as FunctionName,
        batchSize: 1,
        functionResponseTypes: ["ReportBatchItemFailures"],
        maximumConcurrency: 2,
    },
} as const;

/** EventBridge rule feeding `job-events`. */
export function jobStateChangePattern(jobQueueArn: string) {
    return { source: ["aws.batch"], "detail-type": ["Batch Job State Change"], detail: { jobQueue: [jobQueueArn] } };
}
export const jobEventsTarget: FunctionName = "job-events";

export { jobStatuses };
