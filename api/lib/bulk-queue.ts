/**
 * Messages from POST /jobs/batch to the bulk submitter. A message names up to `jobsPerMessage`
 * recorded jobs of one batch; the jobs themselves stay in the table, so a message is small and a
 * redelivered or duplicated one is harmless (the submitter skips settled jobs).
 */
import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { sqsClient } from "./clients";
import { env } from "./config";
import { fullJitterDelay, sleep } from "./retry";

export const jobsPerMessage = 100;

export interface BulkMessage {
    batchId: string;
    jobKeys: string[];
}

export async function enqueueBatch(batchId: string, jobKeys: string[]): Promise<void> {
    const messages: BulkMessage[] = [];
    for (let i = 0; i < jobKeys.length; i += jobsPerMessage)
        messages.push({ batchId, jobKeys: jobKeys.slice(i, i + jobsPerMessage) });
    for (let i = 0; i < messages.length; i += 10) {
        let entries = messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) }));
        for (let attempt = 1; entries.length; attempt++) {
            if (attempt > 8) throw new Error(`could not enqueue batch ${batchId}`);
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
    const message = JSON.parse(body);
    if (
        typeof message?.batchId !== "string" ||
        !Array.isArray(message.jobKeys) ||
        !message.jobKeys.every((k: unknown) => typeof k === "string")
    ) {
        throw new Error("malformed bulk message");
    }
    return message;
}
