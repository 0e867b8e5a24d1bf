/** How jobs appear in API answers. */
import { env } from "./config";
import type { JobRecord } from "./store";

export function resultsLocation(job: JobRecord) {
    const bucket = env.outputBucket();
    const prefix = `transformations/${job.outputPrefix}/`;
    return { bucket, prefix, s3Uri: `s3://${bucket}/${prefix}` };
}

/** Where the job container records why it refused the job's input (container/bin/record-refusal.sh). */
export function refusalKey(job: JobRecord): string {
    return `${resultsLocation(job).prefix}refusal.json`;
}

const maxReasonLength = 1024;

/**
 * The status reason a refusal record gives (`{"exitCode": 65, "reason": "..."}`), or undefined when
 * the body is not such a record. Batch's own reason only says that the container exited.
 */
export function refusalReason(body: string): string | undefined {
    let record: unknown;
    try {
        record = JSON.parse(body);
    } catch {
        return undefined;
    }
    if (typeof record !== "object" || record === null) return undefined;
    const { exitCode, reason } = record as { exitCode?: unknown; reason?: unknown };
    if (typeof exitCode !== "number" || !Number.isInteger(exitCode)) return undefined;
    if (typeof reason !== "string" || reason === "") return undefined;
    return `Refused by the job container (exit ${exitCode}): ${reason}`.slice(0, maxReasonLength);
}

/** A job's status; `batchJobId` and `container.logStreamName` are the AWS sample's names. */
export function jobView(job: JobRecord) {
    return {
        jobId: job.batchJobId ?? null,
        batchJobId: job.batchJobId ?? null,
        jobName: job.jobName,
        status: job.status,
        statusReason: job.statusReason ?? null,
        batchId: job.batchId ?? null,
        createdAt: job.createdAt,
        submittedAt: job.submittedAt ?? null,
        startedAt: job.startedAt ?? null,
        stoppedAt: job.stoppedAt ?? null,
        logStreamName: job.logStreamName ?? null,
        logGroupName: env.jobLogGroup(),
        container: { logStreamName: job.logStreamName ?? null },
        source: job.source ?? null,
        command: job.argv,
        results: resultsLocation(job),
    };
}

export function jobSummary(job: JobRecord) {
    return {
        jobId: job.batchJobId ?? null,
        jobName: job.jobName,
        status: job.status,
        batchId: job.batchId ?? null,
        createdAt: job.createdAt,
        submittedAt: job.submittedAt ?? null,
    };
}
