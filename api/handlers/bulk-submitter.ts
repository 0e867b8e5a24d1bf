/**
 * Lambda `bulk-submitter`: consumes the bulk queue (SQS, ReportBatchItemFailures). A `record`
 * message writes a new batch's jobs from its manifest and queues them (bulk-recording.ts); a
 * `submit` message submits its jobs to Batch at SUBMIT_RATE_PER_SECOND. A message whose jobs are
 * not all settled (submitted or recorded failed) is handed back for redelivery; on its
 * MAX_MESSAGE_RECEIVES-th delivery the jobs still unsubmitted are recorded failed instead, so none
 * stays queued forever.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { parseBulkMessage } from "../lib/bulk-queue";
import { recordBatchJobs } from "../lib/bulk-recording";
import { mapWithConcurrency } from "../lib/concurrency";
import { env } from "../lib/config";
import { recordSubmitFailed } from "../lib/job-state";
import { RateLimiter } from "../lib/rate-limiter";
import { describeError } from "../lib/retry";
import { bulkJobKey, getJobs } from "../lib/store";
import { submitRecordedJob } from "../lib/submission";

/** Leaves time to record outcomes before Lambda stops the invocation. */
const deadlineMarginMs = 30_000;

export type BulkSubmitter = (event: SQSEvent, context?: Partial<Context>) => Promise<SQSBatchResponse>;

/**
 * A submitter with its own rate limiter: SUBMIT_RATE_PER_SECOND holds per instance. Lambda runs
 * one instance per process (`handler`); api:local creates one per emulated concurrent instance.
 */
export function createSubmitter(): BulkSubmitter {
    let limiter: RateLimiter | undefined;
    return async (event, context) => {
        limiter ??= new RateLimiter(env.submitRatePerSecond());
        const deadline = context?.getRemainingTimeInMillis
            ? Date.now() + context.getRemainingTimeInMillis() - deadlineMarginMs
            : Infinity;
        const batchItemFailures: { itemIdentifier: string }[] = [];
        for (const record of event.Records) {
            try {
                if (!(await processMessage(record, limiter, deadline)))
                    batchItemFailures.push({ itemIdentifier: record.messageId });
            } catch (error) {
                console.error(
                    JSON.stringify({
                        level: "error",
                        msg: "bulk message failed",
                        messageId: record.messageId,
                        error: describeError(error),
                    }),
                );
                batchItemFailures.push({ itemIdentifier: record.messageId });
            }
        }
        return { batchItemFailures };
    };
}

export const handler = createSubmitter();

/** True when the message is done with. */
async function processMessage(record: SQSRecord, limiter: RateLimiter, deadline: number): Promise<boolean> {
    const message = parseBulkMessage(record.body);
    const lastDelivery = Number(record.attributes?.ApproximateReceiveCount ?? 1) >= env.maxMessageReceives();
    if (message.kind === "record")
        return recordBatchJobs(message.batchId, { leaseMs: env.submitLeaseSeconds() * 1000, lastDelivery });

    const jobKeys = Array.from({ length: message.to - message.from }, (_, i) =>
        bulkJobKey(message.batchId, message.from + i),
    );
    const jobs = (await getJobs(jobKeys)).sort((a, b) => (a.batchIndex ?? 0) - (b.batchIndex ?? 0));
    if (jobs.length !== jobKeys.length) {
        console.error(
            JSON.stringify({
                level: "error",
                msg: "bulk message names unknown jobs",
                batchId: message.batchId,
                missing: jobKeys.length - jobs.length,
            }),
        );
    }
    const outcomes = await mapWithConcurrency(jobs, env.submitConcurrency(), (job) =>
        submitRecordedJob(job, { limiter, deadline }),
    );
    const deferred = jobs.filter((_, i) => outcomes[i].outcome === "deferred");
    if (deferred.length === 0) return true;
    if (!lastDelivery) return false;
    await Promise.all(
        deferred.map((job) =>
            recordSubmitFailed(job, `not submitted after ${env.maxMessageReceives()} deliveries of its queue message`),
        ),
    );
    return true;
}
