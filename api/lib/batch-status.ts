/** A batch's overall status from its per-status counts (pure; the handler reads the counts). */
import { countedStatuses, type CountedStatus } from "./statuses";

export type BatchCounts = Record<CountedStatus, number>;

/**
 * Every status's count from the stored counters, which leave QUEUED out: the jobs not counted are
 * queued, or, when the batch's jobs could not be recorded, failed to submit.
 */
export function batchCounts(
    stored: Partial<Record<CountedStatus, number>>,
    total: number,
    recordingFailed: boolean,
): BatchCounts {
    const counts = Object.fromEntries(countedStatuses.map((s) => [s, stored[s] ?? 0])) as BatchCounts;
    const uncounted = total - countedStatuses.reduce((sum, s) => sum + counts[s], 0);
    if (recordingFailed) counts.SUBMIT_FAILED += uncounted;
    else counts.QUEUED += uncounted;
    return counts;
}

export type BatchStatusName = "SUBMITTING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "COMPLETED_WITH_FAILURES";

export function batchProgress(counts: BatchCounts, total: number) {
    const failed = counts.FAILED + counts.SUBMIT_FAILED;
    const finished = counts.SUCCEEDED + failed;
    const status: BatchStatusName =
        counts.QUEUED > 0
            ? "SUBMITTING"
            : finished < total
              ? "RUNNING"
              : failed === 0
                ? "SUCCEEDED"
                : failed === total
                  ? "FAILED"
                  : "COMPLETED_WITH_FAILURES";
    const progressPercent = total ? Math.floor((finished / total) * 1000) / 10 : 100;
    return {
        status,
        progressPercent,
        /** The AWS sample's name for progressPercent. */
        progress: progressPercent,
        /** The AWS sample's shape: only the statuses some job is in. */
        statusCounts: Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0)),
    };
}
