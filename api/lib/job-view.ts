/** How jobs appear in API answers. */
import { env } from "./config";
import type { JobRecord } from "./store";

export function resultsLocation(job: JobRecord) {
    const bucket = env.outputBucket();
    const prefix = `transformations/${job.outputPrefix}/`;
    return { bucket, prefix, s3Uri: `s3://${bucket}/${prefix}` };
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
