/**
 * AWS SDK v3 clients, one per process. The SDK reads AWS_ENDPOINT_URL (and the per-service
 * AWS_ENDPOINT_URL_<SERVICE>) itself, which is how api:local and the tests point the handlers at
 * the emulator; nothing here special-cases it.
 */
import { BatchClient } from "@aws-sdk/client-batch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { env } from "./config";

let batch: BatchClient | undefined;
let documents: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let sqs: SQSClient | undefined;

/**
 * The Batch client makes exactly one attempt per call: SubmitJob is not idempotent, so a blind SDK
 * retry after a lost answer would create a second job. The submitter retries itself, reconciling
 * with Batch first (see submission.ts).
 */
export function batchClient(): BatchClient {
    return (batch ??= new BatchClient({ maxAttempts: 1 }));
}

export function documentClient(): DynamoDBDocumentClient {
    return (documents ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
        marshallOptions: { removeUndefinedValues: true },
    }));
}

/**
 * Checksums only when an operation requires one: otherwise the SDK signs a CRC32 of the empty
 * body into presigned upload URLs, and S3 then refuses every real upload.
 */
export function s3Client(): S3Client {
    return (s3 ??= throughAccessPoints(
        new S3Client({ forcePathStyle: env.s3ForcePathStyle(), requestChecksumCalculation: "WHEN_REQUIRED" }),
    ));
}

/**
 * Requests (presigned URLs included) naming one of the function's buckets go to its access point
 * instead (see env.s3Address): the function's role may use only that access point.
 */
function throughAccessPoints(client: S3Client): S3Client {
    client.middlewareStack.add(
        (next) => (args) => {
            const input = args.input as { Bucket?: unknown };
            if (typeof input.Bucket !== "string") return next(args);
            return next({ ...args, input: { ...input, Bucket: env.s3Address(input.Bucket) } });
        },
        { step: "initialize", name: "bucketsThroughAccessPoints" },
    );
    return client;
}

/** Sends to the configured endpoint, not the host inside the queue URL (they differ behind a proxy). */
export function sqsClient(): SQSClient {
    return (sqs ??= new SQSClient({ useQueueUrlAsEndpoint: false }));
}

/** Drops the cached clients, so that a test process can point the handlers at another endpoint. */
export function resetClients(): void {
    batch = documents = s3 = sqs = undefined;
}
