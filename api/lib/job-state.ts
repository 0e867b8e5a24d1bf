/**
 * The job state machine, shared by the submitter and the state-change handler:
 *
 *   QUEUED -> SUBMITTING -> SUBMITTED -> ... Batch's statuses ... -> SUCCEEDED | FAILED
 *                       \-> SUBMIT_FAILED (with the reason)
 *
 * Whoever learns first that a job is in Batch (the submitter from SubmitJob's answer, or the
 * handler from a state-change event) records it; the other then finds nothing to do. Batch states
 * only move forward in stateVersion order, so late and repeated events are harmless.
 */
import { getJob, putAlias, transitionJob, type JobRecord } from "./store";
import { stateVersion, terminalStatuses, unsubmittedStatuses, type BatchStatus } from "./statuses";

export async function recordSubmitted(
    job: JobRecord,
    batchJobId: string,
    at = new Date(),
): Promise<JobRecord | undefined> {
    await putAlias(batchJobId, job.jobKey);
    return transitionJob(
        job.jobKey,
        (current) => {
            if (current.batchJobId && current.batchJobId !== batchJobId) {
                // Would mean two Batch jobs for one request; the reconcile step exists to prevent it.
                console.error(
                    JSON.stringify({
                        level: "error",
                        msg: "job already has another Batch job id",
                        jobKey: job.jobKey,
                        recorded: current.batchJobId,
                        batchJobId,
                    }),
                );
                return undefined;
            }
            if (!unsubmittedStatuses.has(current.status) && current.status !== "SUBMIT_FAILED") return undefined;
            return {
                status: "SUBMITTED",
                stateVersion: stateVersion("SUBMITTED"),
                listStatus: "SUBMITTED",
                batchJobId,
                submittedAt: at.toISOString(),
                leaseUntil: null,
                statusReason: null,
            };
        },
        job,
    );
}

export async function recordSubmitFailed(job: JobRecord, reason: string): Promise<JobRecord | undefined> {
    return transitionJob(
        job.jobKey,
        (current) =>
            unsubmittedStatuses.has(current.status)
                ? {
                      status: "SUBMIT_FAILED",
                      stateVersion: stateVersion("SUBMIT_FAILED"),
                      listStatus: "SUBMIT_FAILED",
                      statusReason: reason,
                      leaseUntil: null,
                  }
                : undefined,
        job,
    );
}

export interface BatchJobState {
    batchJobId: string;
    status: BatchStatus;
    attempts: number;
    statusReason?: string;
    createdAt?: number;
    startedAt?: number;
    stoppedAt?: number;
    logStreamName?: string;
}

const iso = (ms?: number) => (ms ? new Date(ms).toISOString() : undefined);

export async function recordBatchState(jobKey: string, state: BatchJobState): Promise<JobRecord | undefined> {
    const known = await getJob(jobKey);
    if (!known) return undefined;
    // The alias is written before the state, so a job whose id the table knows can always be found.
    if (known.batchJobId !== state.batchJobId) await putAlias(state.batchJobId, jobKey);
    return transitionJob(
        jobKey,
        (current) => {
            const version = stateVersion(state.status, state.attempts);
            // SUBMIT_FAILED yields to an event: the job is in Batch after all, and the table must say so.
            const stale = terminalStatuses.has(current.status)
                ? current.status !== "SUBMIT_FAILED"
                : version <= current.stateVersion;
            if (stale || (current.batchJobId && current.batchJobId !== state.batchJobId)) return undefined;
            return {
                status: state.status,
                stateVersion: version,
                listStatus: state.status,
                batchJobId: state.batchJobId,
                statusReason: state.statusReason ?? null,
                submittedAt: current.submittedAt ?? iso(state.createdAt),
                startedAt: iso(state.startedAt) ?? current.startedAt,
                stoppedAt: iso(state.stoppedAt) ?? current.stoppedAt,
                logStreamName: state.logStreamName ?? current.logStreamName,
                leaseUntil: null,
            };
        },
        known,
    );
}
