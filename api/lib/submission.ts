/**
 * Submitting a recorded job to AWS Batch exactly once, used by POST /jobs and the bulk submitter.
 *
 * SubmitJob has no idempotency token, and an answer can be lost after Batch created the job (a 5xx
 * from a proxy, a reset connection, a Lambda that dies). So: the job is claimed in the table first
 * (SUBMITTING, with a lease), every retry and every takeover of an expired lease first looks for the
 * job in Batch by name and by its `atx:job-key` tag, and only submits when it is not there.
 */
import {
    DescribeJobsCommand,
    ListJobsCommand,
    SubmitJobCommand,
    type SubmitJobCommandInput,
} from "@aws-sdk/client-batch";
import { batchClient } from "./clients";
import { env } from "./config";
import { recordSubmitFailed, recordSubmitted } from "./job-state";
import { batchIdTag, jobKeyTag } from "./limits";
import type { RateLimiter } from "./rate-limiter";
import { describeError, fullJitterDelay, isRetryable, sleep, withRetries } from "./retry";
import { unsubmittedStatuses } from "./statuses";
import { claimForSubmission, getJob, type JobRecord } from "./store";

/** The container's entrypoint contract: `--source S --output O -- atx ...`. */
export function submitJobInput(job: JobRecord): SubmitJobCommandInput {
    return {
        jobName: job.jobName,
        jobQueue: env.jobQueueArn(),
        jobDefinition: env.jobDefinitionArn(),
        containerOverrides: {
            command: [...(job.source ? ["--source", job.source] : []), "--output", job.outputPrefix, "--", ...job.argv],
            environment: job.environment,
        },
        tags: { ...job.tags, [jobKeyTag]: job.jobKey, ...(job.batchId ? { [batchIdTag]: job.batchId } : {}) },
        propagateTags: true,
    };
}

export type SubmitOutcome =
    /** The job is in Batch or recorded failed (by this call or an earlier one). */
    | { outcome: "settled"; job: JobRecord }
    /** Another submitter holds the job's lease, or time ran out; try again later. */
    | { outcome: "deferred" };

export interface SubmitOptions {
    limiter: RateLimiter;
    /** Epoch ms after which no new attempt starts (the Lambda's own deadline, with a margin). */
    deadline?: number;
}

export async function submitRecordedJob(
    job: JobRecord,
    { limiter, deadline = Infinity }: SubmitOptions,
): Promise<SubmitOutcome> {
    if (!unsubmittedStatuses.has(job.status)) return { outcome: "settled", job };
    const takingOver = job.status === "SUBMITTING";
    const claimed = await claimForSubmission(job, env.submitLeaseSeconds() * 1000);
    if (!claimed) {
        const current = await getJob(job.jobKey);
        return current && !unsubmittedStatuses.has(current.status)
            ? { outcome: "settled", job: current }
            : { outcome: "deferred" };
    }

    const backoff = { baseDelayMs: env.retryBaseDelayMs(), maxDelayMs: env.retryMaxDelayMs() };
    const maxAttempts = env.submitMaxAttempts();
    let mayExist = takingOver;
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        if (mayExist) {
            const found = await findExisting(claimed);
            if (found) return { outcome: "settled", job: found };
        }
        if (Date.now() > deadline) return { outcome: "deferred" };
        await limiter.take();
        try {
            const { jobId } = await batchClient().send(new SubmitJobCommand(submitJobInput(claimed)));
            return settled(await recordSubmitted(claimed, jobId!), claimed);
        } catch (error) {
            lastError = error;
            if (!isRetryable(error))
                return settled(
                    await recordSubmitFailed(claimed, `SubmitJob refused: ${describeError(error)}`),
                    claimed,
                );
            // Throttled calls are not processed, but a proxy or a lost connection can hide one that was:
            // from here on, check Batch before every new attempt.
            mayExist = true;
            if (attempt < maxAttempts) await sleep(fullJitterDelay(attempt, backoff));
        }
    }
    const found = await findExisting(claimed);
    if (found) return { outcome: "settled", job: found };
    return settled(
        await recordSubmitFailed(
            claimed,
            `SubmitJob failed ${maxAttempts} times; last error: ${describeError(lastError)}`,
        ),
        claimed,
    );
}

function settled(job: JobRecord | undefined, fallback: JobRecord): SubmitOutcome {
    return { outcome: "settled", job: job ?? fallback };
}

/** Allowance for the difference between this function's clock and Batch's. */
const clockSkewMarginMs = 5000;

/**
 * Returns the job if it turns out to be in Batch already: recorded by the state-change handler
 * meanwhile, or listed by Batch under its name with this job's key tag (then recorded here).
 */
async function findExisting(job: JobRecord): Promise<JobRecord | undefined> {
    const current = await getJob(job.jobKey);
    if (current && !unsubmittedStatuses.has(current.status)) return current;
    const readBackoff = { baseDelayMs: env.retryBaseDelayMs(), maxDelayMs: env.retryMaxDelayMs() };
    const candidates: string[] = [];
    let nextToken: string | undefined;
    do {
        const page = await withRetries(
            () =>
                batchClient().send(
                    new ListJobsCommand({
                        jobQueue: env.jobQueueArn(),
                        filters: [{ name: "JOB_NAME", values: [job.jobName] }],
                        nextToken,
                    }),
                ),
            5,
            readBackoff,
        );
        // Jobs that share the name but were created before this job was first claimed are not it.
        const notBefore = (job.firstClaimedAt ?? 0) - clockSkewMarginMs;
        candidates.push(
            ...(page.jobSummaryList ?? []).filter((s) => (s.createdAt ?? Infinity) >= notBefore).map((s) => s.jobId!),
        );
        nextToken = page.nextToken;
    } while (nextToken);
    for (let i = 0; i < candidates.length; i += 100) {
        const { jobs } = await withRetries(
            () => batchClient().send(new DescribeJobsCommand({ jobs: candidates.slice(i, i + 100) })),
            5,
            readBackoff,
        );
        const match = jobs?.find((j) => j.tags?.[jobKeyTag] === job.jobKey);
        if (match) return recordSubmitted(job, match.jobId!);
    }
    return undefined;
}
