/**
 * Lambda `bulk-submitter`: consumes the bulk queue (SQS, ReportBatchItemFailures) and submits each
 * message's jobs to Batch at SUBMIT_RATE_PER_SECOND. A message whose jobs are not all settled
 * (submitted or recorded failed) is handed back for redelivery; on its MAX_MESSAGE_RECEIVES-th
 * delivery the jobs still unsubmitted are recorded failed instead, so none stays queued forever.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { parseBulkMessage } from "../lib/bulk-queue";
import { mapWithConcurrency } from "../lib/concurrency";
import { env } from "../lib/config";
import { recordSubmitFailed } from "../lib/job-state";
import { RateLimiter } from "../lib/rate-limiter";
import { describeError } from "../lib/retry";
import { getJobs } from "../lib/store";
import { submitRecordedJob } from "../lib/submission";

/** Leaves time to record outcomes before Lambda stops the invocation. */
const deadlineMarginMs = 30_000;
let limiter: RateLimiter | undefined;

export async function handler(event: SQSEvent, context?: Partial<Context>): Promise<SQSBatchResponse> {
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
}

/** True when every job of the message is settled. */
async function processMessage(record: SQSRecord, limiter: RateLimiter, deadline: number): Promise<boolean> {
    const message = parseBulkMessage(record.body);
    const jobs = await getJobs(message.jobKeys);
    if (jobs.length !== message.jobKeys.length) {
        console.error(
            JSON.stringify({
                level: "error",
                msg: "bulk message names unknown jobs",
                batchId: message.batchId,
                missing: message.jobKeys.length - jobs.length,
            }),
        );
    }
    const outcomes = await mapWithConcurrency(jobs, env.submitConcurrency(), (job) =>
        submitRecordedJob(job, { limiter, deadline }),
    );
    const deferred = jobs.filter((_, i) => outcomes[i].outcome === "deferred");
    if (deferred.length === 0) return true;
    const lastDelivery = Number(record.attributes?.ApproximateReceiveCount ?? 1) >= env.maxMessageReceives();
    if (!lastDelivery) return false;
    await Promise.all(
        deferred.map((job) =>
            recordSubmitFailed(job, `not submitted after ${env.maxMessageReceives()} deliveries of its queue message`),
        ),
    );
    return true;
}
