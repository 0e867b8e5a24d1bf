/**
 * Lambda `batches`: POST /jobs/batch records up to MAX_BULK_JOBS validated jobs and queues them
 * for the bulk submitter before answering; GET /jobs/batch/{batchId} counts the batch's jobs per status.
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { enqueueBatch } from "../lib/bulk-queue";
import { env } from "../lib/config";
import { ApiError } from "../lib/errors";
import { apiHandler, json, parseJsonBody } from "../lib/http";
import { describeError } from "../lib/retry";
import {
    countBatchJobs,
    getBatch,
    listBatchFailures,
    newBatchRecord,
    newJobRecord,
    putBatch,
    putItems,
} from "../lib/store";
import type { CountedStatus } from "../lib/statuses";
import { validateBulkRequest, validateId } from "../lib/validation/requests";

const failuresShown = 100;

async function submitBatch(event: APIGatewayProxyEvent) {
    const request = validateBulkRequest(parseJsonBody(event), env.jobRules(), env.maxBulkJobs());
    const batchId = randomUUID();
    const createdAt = new Date().toISOString();
    const jobs = request.jobs.map((spec, index) => newJobRecord(spec, { batchId, index }, createdAt));
    // Jobs first, the batch item last: a batch that exists is complete.
    await putItems(jobs);
    await putBatch(newBatchRecord(batchId, request.batchName, jobs.length, createdAt));
    try {
        await enqueueBatch(
            batchId,
            jobs.map((j) => j.jobKey),
        );
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
            `batch ${batchId} was recorded but could not be queued for submission`,
        );
    }
    return json(202, {
        batchId,
        batchName: request.batchName,
        totalJobs: jobs.length,
        status: "SUBMITTING",
        createdAt,
    });
}

export function batchProgress(counts: Record<CountedStatus, number>, total: number) {
    const failed = counts.FAILED + counts.SUBMIT_FAILED;
    const finished = counts.SUCCEEDED + failed;
    const status =
        counts.QUEUED > 0
            ? "SUBMITTING"
            : finished < total
              ? "RUNNING"
              : failed === 0
                ? "SUCCEEDED"
                : failed === total
                  ? "FAILED"
                  : "COMPLETED_WITH_FAILURES";
    return { status, progressPercent: total ? Math.floor((finished / total) * 1000) / 10 : 100 };
}

async function describeBatch(event: APIGatewayProxyEvent) {
    const batchId = validateId(event.pathParameters?.batchId, "batchId");
    const batch = await getBatch(batchId);
    if (!batch) throw new ApiError("NotFound", `batch ${batchId} not found`, "batchId");
    const [counts, failures] = await Promise.all([countBatchJobs(batch), listBatchFailures(batchId, failuresShown)]);
    return json(200, {
        batchId,
        batchName: batch.batchName,
        createdAt: batch.createdAt,
        totalJobs: batch.total,
        ...batchProgress(counts, batch.total),
        counts,
        failedJobs: failures.jobs.map((j) => ({
            jobId: j.batchJobId ?? null,
            jobName: j.jobName,
            status: j.status,
            reason: j.statusReason ?? null,
        })),
        failedJobsTruncated: failures.more,
    });
}

export const handler = apiHandler({
    "POST /jobs/batch": submitBatch,
    "GET /jobs/batch/{batchId}": describeBatch,
});
