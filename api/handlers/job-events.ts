/**
 * Lambda `job-events`: target of the EventBridge rule on "Batch Job State Change" events for this
 * stack's job queue. Records the job's new state in the table; jobs are found by the `atx:job-key`
 * tag the submitter sets (or, failing that, by Batch job id). Throws on storage errors so that
 * EventBridge's asynchronous invocation retries the event.
 */
import type { EventBridgeEvent } from "aws-lambda";
import { recordBatchState } from "../lib/job-state";
import { jobKeyTag } from "../lib/limits";
import { isBatchStatus } from "../lib/statuses";
import { jobKeyForBatchJobId } from "../lib/store";

/** The part of the event's detail (DescribeJobs' job shape) this handler reads. */
export interface BatchJobDetail {
    jobId: string;
    jobName?: string;
    jobQueue?: string;
    status: string;
    statusReason?: string;
    attempts?: { container?: { logStreamName?: string } }[];
    createdAt?: number;
    startedAt?: number;
    stoppedAt?: number;
    container?: { logStreamName?: string };
    tags?: Record<string, string>;
}

export type BatchJobStateChange = EventBridgeEvent<"Batch Job State Change", BatchJobDetail>;

export async function handler(event: BatchJobStateChange): Promise<{ recorded: boolean }> {
    const detail = event.detail;
    if (event["detail-type"] !== "Batch Job State Change" || !detail?.jobId || !isBatchStatus(detail.status)) {
        console.warn(
            JSON.stringify({ level: "warn", msg: "ignoring event", id: event.id, detailType: event["detail-type"] }),
        );
        return { recorded: false };
    }
    const jobKey = detail.tags?.[jobKeyTag] ?? (await jobKeyForBatchJobId(detail.jobId));
    if (!jobKey) {
        console.warn(
            JSON.stringify({ level: "warn", msg: "Batch job not submitted through this API", jobId: detail.jobId }),
        );
        return { recorded: false };
    }
    const updated = await recordBatchState(jobKey, {
        batchJobId: detail.jobId,
        status: detail.status,
        attempts: detail.attempts?.length ?? 0,
        statusReason: detail.statusReason,
        createdAt: detail.createdAt,
        startedAt: detail.startedAt,
        stoppedAt: detail.stoppedAt,
        logStreamName: detail.container?.logStreamName ?? detail.attempts?.at(-1)?.container?.logStreamName,
    });
    return { recorded: updated?.batchJobId === detail.jobId && updated.status === detail.status };
}
