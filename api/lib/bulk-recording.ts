/**
 * The recording step of a bulk request, run by the bulk submitter for a `record` message: write one
 * QUEUED item per job of the batch's manifest (deterministic keys), mark the batch recorded, queue
 * `submit` messages, delete the manifest. Every step can run again: a redelivered message finds the
 * jobs recorded and only queues the (idempotent) submit messages again.
 */
import { deleteManifest, readManifest } from "./bulk-manifest";
import { sendBulkMessages, submitMessages } from "./bulk-queue";
import { describeError } from "./retry";
import {
    claimBatchRecording,
    getBatch,
    markBatchRecording,
    newJobRecord,
    putItems,
    releaseBatchRecording,
    type BatchRecord,
} from "./store";

export interface RecordingOptions {
    leaseMs: number;
    /** On the message's last delivery a failure is recorded on the batch instead of thrown. */
    lastDelivery: boolean;
}

/** True when the message is done with; false when another recorder is at work (try again later). */
export async function recordBatchJobs(batchId: string, options: RecordingOptions): Promise<boolean> {
    let batch = await getBatch(batchId);
    if (!batch) {
        console.error(JSON.stringify({ level: "error", msg: "record message for an unknown batch", batchId }));
        return true;
    }
    if (!batch.jobsRecordedAt && !batch.recordingFailure) {
        if (!(await claimBatchRecording(batchId, options.leaseMs))) {
            batch = await getBatch(batchId);
            if (!batch?.jobsRecordedAt) return false;
        } else if (!(await writeJobs(batch, options.lastDelivery))) {
            return true;
        }
    }
    if (!batch.jobsRecordedAt && batch.recordingFailure) return true;
    await sendBulkMessages(submitMessages(batchId, batch.total));
    await deleteManifest(batch.manifestKey);
    return true;
}

/** False when the jobs could not be written and the batch now says so. */
async function writeJobs(batch: BatchRecord, lastDelivery: boolean): Promise<boolean> {
    try {
        const specs = await readManifest(batch.manifestKey);
        if (specs.length !== batch.total)
            throw new Error(`manifest holds ${specs.length} jobs, the batch ${batch.total}`);
        await putItems(
            specs.map((spec, index) => newJobRecord(spec, { batchId: batch.batchId, index }, batch.createdAt)),
        );
        await markBatchRecording(batch.batchId, {});
        return true;
    } catch (error) {
        if (!lastDelivery) {
            await releaseBatchRecording(batch.batchId).catch(() => undefined);
            throw error;
        }
        await markBatchRecording(batch.batchId, { failure: `jobs not recorded: ${describeError(error)}` });
        return false;
    }
}
