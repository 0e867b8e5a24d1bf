/**
 * Lambda `batches`: POST /jobs/batch validates up to MAX_BULK_JOBS jobs, stores them as one
 * manifest in the source bucket, records the batch and queues one message, then answers: a constant
 * number of calls whatever the batch size (the jobs are written and submitted in the background).
 * GET /jobs/batch/{batchId} reads the batch's counters and its first failures.
 */
import { createHash } from "node:crypto";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { batchCounts, batchProgress } from "../lib/batch-status";
import { deleteManifest, manifestKey, putManifest } from "../lib/bulk-manifest";
import { sendBulkMessages } from "../lib/bulk-queue";
import { env } from "../lib/config";
import { ApiError, invalid } from "../lib/errors";
import { apiHandler, json, parseJsonBody, requestBodyText } from "../lib/http";
import { describeError } from "../lib/retry";
import { getBatch, newBatchRecord, putBatch, readBatchSnapshot } from "../lib/store";
import { validateBulkRequest, validateId } from "../lib/validation/requests";

/** The first page of failures: a status call reads at most this many, whatever the batch size. */
export const failuresShown = 25;
const idempotencyKeyPattern = /^[A-Za-z0-9_.:-]{1,128}$/;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
    const found = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
    return found?.[1] ?? undefined;
}

/**
 * The batch id: derived from the caller and its Idempotency-Key header, or without one from the
 * request body, so that a retried POST names the same batch.
 */
export function batchIdFor(event: APIGatewayProxyEvent, requestHash: string): string {
    const key = header(event, "idempotency-key");
    if (key !== undefined && !idempotencyKeyPattern.test(key))
        throw invalid("Idempotency-Key", "Idempotency-Key must be 1-128 letters, digits or _ . : -");
    const identity = event.requestContext?.identity;
    const caller = identity?.userArn ?? identity?.caller ?? identity?.accessKey ?? "";
    const hex = sha256([caller, key === undefined ? `body:${requestHash}` : `key:${key}`].join("\n"));
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join("-");
}

async function submitBatch(event: APIGatewayProxyEvent) {
    const request = validateBulkRequest(parseJsonBody(event), env.jobRules(), env.maxBulkJobs());
    const body = requestBodyText(event);
    const requestHash = sha256(body);
    const batchId = batchIdFor(event, requestHash);
    const key = manifestKey(batchId, requestHash);
    await putManifest(key, body);
    const fresh = newBatchRecord({
        batchId,
        batchName: request.batchName,
        total: request.jobs.length,
        createdAt: new Date().toISOString(),
        requestHash,
        manifestKey: key,
    });
    const batch = (await putBatch(fresh)) ? fresh : await getBatch(batchId);
    if (!batch || batch.requestHash !== requestHash) {
        await deleteManifest(key);
        throw new ApiError("Conflict", "this Idempotency-Key was used for another request; use a new key");
    }
    // A retry: the manifest written again is only needed while the jobs are not recorded.
    if (batch.jobsRecordedAt) await deleteManifest(key);
    else await queueRecording(batchId);
    return json(202, {
        batchId,
        batchName: batch.batchName,
        totalJobs: batch.total,
        status: "SUBMITTING",
        createdAt: batch.createdAt,
    });
}

async function queueRecording(batchId: string): Promise<void> {
    try {
        await sendBulkMessages([{ kind: "record", batchId }]);
    } catch (error) {
        console.error(
            JSON.stringify({
                level: "error",
                msg: "batch recorded but not queued",
                batchId,
                error: describeError(error),
            }),
        );
        throw new ApiError(
            "ServiceUnavailable",
            `batch ${batchId} was recorded but could not be queued for submission; retry the same request`,
        );
    }
}

async function describeBatch(event: APIGatewayProxyEvent) {
    const batchId = validateId(event.pathParameters?.batchId, "batchId");
    const snapshot = await readBatchSnapshot(batchId, failuresShown);
    if (!snapshot) throw new ApiError("NotFound", `batch ${batchId} not found`, "batchId");
    const { batch, failures } = snapshot;
    const counts = batchCounts(snapshot.counters, batch.total, !!batch.recordingFailure && !batch.jobsRecordedAt);
    return json(200, {
        batchId,
        batchName: batch.batchName,
        createdAt: batch.createdAt,
        totalJobs: batch.total,
        ...batchProgress(counts, batch.total),
        counts,
        failedJobs: failures.map((j) => ({
            jobId: j.batchJobId ?? null,
            jobName: j.jobName,
            status: j.status,
            reason: j.statusReason ?? null,
        })),
        failedJobsTruncated: snapshot.moreFailures,
    });
}

export const handler = apiHandler({
    "POST /jobs/batch": submitBatch,
    "GET /jobs/batch/{batchId}": describeBatch,
});
