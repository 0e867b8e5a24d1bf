/**
 * Messages on the bulk queue. POST /jobs/batch sends one `record` message per batch; the recording
 * step writes the batch's job items from its manifest and sends one `submit` message per
 * `jobsPerMessage` jobs, naming them by index range. Job keys derive from the batch id and the
 * index, so a redelivered or duplicated message names the same jobs (the submitter skips settled
 * ones) and never a job twice.
 */
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { sqsClient } from "./clients";
import { env } from "./config";
import { fullJitterDelay, sleep } from "./retry";

export const jobsPerMessage = 100;

export type BulkMessage =
    | { kind: "record"; batchId: string }
    /** Jobs `from` (inclusive) to `to` (exclusive) of the batch. */
    | { kind: "submit"; batchId: string; from: number; to: number };

export function submitMessages(batchId: string, total: number): BulkMessage[] {
    const messages: BulkMessage[] = [];
    for (let from = 0; from < total; from += jobsPerMessage)
        messages.push({ kind: "submit", batchId, from, to: Math.min(total, from + jobsPerMessage) });
    return messages;
}

export async function sendBulkMessages(messages: BulkMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
        let entries = messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) }));
        for (let attempt = 1; entries.length; attempt++) {
            if (attempt > 8) throw new Error(`could not queue messages for batch ${messages[i].batchId}`);
            if (attempt > 1) await sleep(fullJitterDelay(attempt, { baseDelayMs: 50, maxDelayMs: 2000 }));
            const out = await sqsClient().send(
                new SendMessageBatchCommand({ QueueUrl: env.bulkQueueUrl(), Entries: entries }),
            );
            const failed = new Set((out.Failed ?? []).map((f) => f.Id));
            entries = entries.filter((e) => failed.has(e.Id));
        }
    }
}

export function parseBulkMessage(body: string): BulkMessage {
    const message = JSON.parse(body) as Record<string, unknown> | null;
    const isIndex = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
    if (typeof message?.batchId !== "string") throw new Error("malformed bulk message");
    const { batchId, kind, from, to } = message;
    if (kind === "record") return { kind, batchId };
    if (kind === "submit" && isIndex(from) && isIndex(to) && from < to) return { kind, batchId, from, to };
    throw new Error("malformed bulk message");
}
