/**
 * Lambda `jobs`: POST /jobs, GET /jobs, GET /jobs/{jobId}, DELETE /jobs/{jobId},
 * GET /jobs/{jobId}/results. `jobId` is the AWS Batch job id POST /jobs answers with.
 */
import { CancelJobCommand, TerminateJobCommand } from "@aws-sdk/client-batch";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { batchClient, s3Client } from "../lib/clients";
import { env } from "../lib/config";
import { ApiError } from "../lib/errors";
import { apiHandler, json, parseJsonBody } from "../lib/http";
import { jobSummary, jobView, refusalKey, refusalReason, resultsLocation } from "../lib/job-view";
import { RateLimiter } from "../lib/rate-limiter";
import { withRetries } from "../lib/retry";
import { terminalStatuses } from "../lib/statuses";
import { getJob, jobKeyForBatchJobId, listJobs, newJobRecord, putJob, type JobRecord } from "../lib/store";
import { submitRecordedJob } from "../lib/submission";
import { validateId, validateJobRequest, validateListQuery } from "../lib/validation/requests";

let limiter: RateLimiter | undefined;

async function submitJob(event: APIGatewayProxyEvent) {
    const spec = validateJobRequest(parseJsonBody(event), env.jobRules());
    const job = newJobRecord(spec);
    await putJob(job);
    limiter ??= new RateLimiter(env.submitRatePerSecond());
    const result = await submitRecordedJob(job, { limiter });
    if (result.outcome !== "settled")
        throw new ApiError("ServiceUnavailable", "the job could not be submitted yet; retry");
    const { status, statusReason, batchJobId, submittedAt, jobName } = result.job;
    if (status === "SUBMIT_FAILED") throw new ApiError("UpstreamError", statusReason ?? "AWS Batch refused the job");
    return json(201, { batchJobId, jobName, status, submittedAt, results: resultsLocation(result.job) });
}

async function loadJob(event: APIGatewayProxyEvent) {
    const jobId = validateId(event.pathParameters?.jobId, "jobId");
    const jobKey = await jobKeyForBatchJobId(jobId);
    const job = jobKey && (await getJob(jobKey));
    if (!job) throw new ApiError("NotFound", `job ${jobId} not found`, "jobId");
    return job;
}

async function describeJob(event: APIGatewayProxyEvent) {
    const job = await loadJob(event);
    const view = jobView(job);
    if (job.status === "FAILED") view.statusReason = (await readRefusal(job)) ?? view.statusReason;
    return json(200, view);
}

/** The container's refusal reason for a failed job; undefined when there is none or it cannot be read. */
async function readRefusal(job: JobRecord): Promise<string | undefined> {
    try {
        const object = await s3Client().send(
            new GetObjectCommand({ Bucket: resultsLocation(job).bucket, Key: refusalKey(job) }),
        );
        return refusalReason((await object.Body?.transformToString()) ?? "");
    } catch (error) {
        const name = (error as { name?: string }).name;
        if (name !== "NoSuchKey" && name !== "NotFound")
            console.warn(JSON.stringify({ level: "warn", msg: "refusal record not readable", error: String(error) }));
        return undefined;
    }
}

/** Cancels a job that has not started, terminates one that has; answers the status it had. */
async function stopJob(event: APIGatewayProxyEvent) {
    const job = await loadJob(event);
    if (terminalStatuses.has(job.status)) {
        throw new ApiError("Conflict", `job ${job.batchJobId} already finished with status ${job.status}`);
    }
    const started = job.status === "STARTING" || job.status === "RUNNING";
    const reason = "Stopped through the ATX API";
    const backoff = { baseDelayMs: env.retryBaseDelayMs(), maxDelayMs: 2000 };
    await withRetries(
        () =>
            batchClient().send(
                started
                    ? new TerminateJobCommand({ jobId: job.batchJobId, reason })
                    : new CancelJobCommand({ jobId: job.batchJobId, reason }),
            ),
        4,
        backoff,
    );
    return json(202, {
        message: started ? "Job termination initiated" : "Job cancellation initiated",
        jobId: job.batchJobId,
        previousStatus: job.status,
        action: started ? "TERMINATE" : "CANCEL",
    });
}

/** Result objects under the job's output prefix, each with a short-lived download URL. */
async function listResults(event: APIGatewayProxyEvent) {
    const job = await loadJob(event);
    const { bucket, prefix, s3Uri } = resultsLocation(job);
    const page = await s3Client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 }));
    const expiresIn = env.resultUrlTtlSeconds();
    const objects = await Promise.all(
        (page.Contents ?? []).map(async (object) => ({
            key: object.Key!,
            size: object.Size ?? 0,
            lastModified: object.LastModified?.toISOString() ?? null,
            url: await getSignedUrl(s3Client(), new GetObjectCommand({ Bucket: bucket, Key: object.Key! }), {
                expiresIn,
            }),
        })),
    );
    return json(200, {
        jobId: job.batchJobId,
        status: job.status,
        s3Uri,
        objects,
        truncated: !!page.IsTruncated,
        expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    });
}

async function listAllJobs(event: APIGatewayProxyEvent) {
    const query = validateListQuery(event.queryStringParameters);
    const page = await listJobs(query);
    return json(200, { jobs: page.jobs.map(jobSummary), nextToken: page.nextToken ?? null });
}

export const handler = apiHandler({
    "POST /jobs": submitJob,
    "GET /jobs": listAllJobs,
    "GET /jobs/{jobId}": describeJob,
    "DELETE /jobs/{jobId}": stopJob,
    "GET /jobs/{jobId}/results": listResults,
});
