/**
 * Job statuses as the table records them: two of the submission pipeline's own (QUEUED, SUBMITTING),
 * AWS Batch's seven, and SUBMIT_FAILED for a job that never reached Batch.
 */
export const batchStatuses = [
    "SUBMITTED",
    "PENDING",
    "RUNNABLE",
    "STARTING",
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
] as const;
export const jobStatuses = ["QUEUED", "SUBMITTING", ...batchStatuses, "SUBMIT_FAILED"] as const;
export type BatchStatus = (typeof batchStatuses)[number];
export type JobStatus = (typeof jobStatuses)[number];

export const terminalStatuses: ReadonlySet<JobStatus> = new Set(["SUCCEEDED", "FAILED", "SUBMIT_FAILED"]);
export const failedStatuses: ReadonlySet<JobStatus> = new Set(["FAILED", "SUBMIT_FAILED"]);
/** Statuses in which the job does not (yet, or ever) exist in Batch. */
export const unsubmittedStatuses: ReadonlySet<JobStatus> = new Set(["QUEUED", "SUBMITTING"]);

export function isBatchStatus(value: unknown): value is BatchStatus {
    return (batchStatuses as readonly unknown[]).includes(value);
}

/**
 * Orders the states of one job so that late or repeated events never move it backwards.
 * EventBridge does not guarantee order, and a retried Batch job legitimately goes from RUNNING back
 * to RUNNABLE with one more attempt, so the attempt count ranks above the status.
 */
export function stateVersion(status: JobStatus, attempts = 0): number {
    if (status === "QUEUED" || status === "SUBMITTING") return 0;
    if (status === "SUBMIT_FAILED") return Number.MAX_SAFE_INTEGER;
    return attempts * 10 + batchStatuses.indexOf(status) + 1;
}

/** Batch counters group the two pre-submission states: a reader cares that the job is not in Batch yet. */
export type CountedStatus = Exclude<JobStatus, "SUBMITTING">;
export const countedStatuses = jobStatuses.filter((s): s is CountedStatus => s !== "SUBMITTING");
export function countedStatus(status: JobStatus): CountedStatus {
    return status === "SUBMITTING" ? "QUEUED" : status;
}
