/**
 * GET /jobs/batch/{batchId} latency through api:local for a batch of N jobs, all past QUEUED and 1%
 * failed, or more where 1% would not fill the first page of failures: every size then reads and
 * answers as many items, so the figures compare sizes and nothing else. Seeded straight into the
 * table (the path measured reads it, it does not need the API to write it): the batch item, its
 * counter shards and failure entries as the job transitions leave them, and every job item, so the
 * table is as large as it would be.
 */
import { BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mapWithConcurrency } from "../lib/concurrency";
import { failuresShown } from "../handlers/batches";
import { counterShards } from "../lib/store";
import { callApi } from "../test/support/signed-client";
import { percentile, type BenchStack } from "./support";

export interface StatusFigures {
    jobs: number;
    seedMs: number;
    p50Ms: number;
    p95Ms: number;
}

const statuses = ["SUCCEEDED", "RUNNING", "RUNNABLE", "SUBMITTED"] as const;

function seedItems(batchId: string, total: number): Record<string, unknown>[] {
    const pk = `BATCH#${batchId}`;
    const shards = Array.from({ length: counterShards }, (_, shard) => ({
        pk,
        sk: `COUNT#${String(shard).padStart(2, "0")}`,
    })) as Record<string, unknown>[];
    const items: Record<string, unknown>[] = [
        {
            pk,
            sk: "BATCH",
            batchId,
            batchName: "bench",
            total,
            createdAt: new Date().toISOString(),
            requestHash: "seeded",
            manifestKey: "seeded",
            jobsRecordedAt: new Date().toISOString(),
        },
    ];
    const failEvery = Math.min(100, Math.floor(total / (failuresShown + 1)));
    for (let index = 0; index < total; index++) {
        const jobKey = `${batchId}.${index}`;
        const status = index % failEvery === 0 ? "FAILED" : statuses[index % statuses.length];
        const shard = shards[index % counterShards];
        shard[status] = ((shard[status] as number | undefined) ?? 0) + 1;
        items.push({
            pk: `JOB#${jobKey}`,
            sk: "JOB",
            jobKey,
            batchId,
            batchIndex: index,
            jobName: `service-${index}`,
            status,
            rev: 5,
            batchJobId: `bench-${index}`,
        });
        if (status === "FAILED")
            items.push({
                pk,
                sk: `FAILED#${String(index).padStart(6, "0")}`,
                jobKey,
                jobName: `service-${index}`,
                status,
                statusReason: "Essential container in task exited",
                batchJobId: `bench-${index}`,
            });
    }
    return [...items, ...shards];
}

async function seed(stack: BenchStack, items: Record<string, unknown>[]): Promise<void> {
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.moto.url }));
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
    await mapWithConcurrency(chunks, 4, async (chunk) => {
        let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length) {
            const out = await db.send(
                new BatchWriteCommand({ RequestItems: { [stack.resources.JOBS_TABLE]: requests } }),
            );
            requests = (out.UnprocessedItems?.[stack.resources.JOBS_TABLE] ?? []) as typeof requests;
        }
    });
}

export async function benchStatusLatency(stack: BenchStack, jobs: number, requests: number): Promise<StatusFigures> {
    const batchId = `00000000-0000-4000-8000-${String(jobs).padStart(12, "0")}`;
    const seeded = performance.now();
    await seed(stack, seedItems(batchId, jobs));
    const seedMs = performance.now() - seeded;
    const latencies: number[] = [];
    for (let i = 0; i < requests; i++) {
        const started = performance.now();
        const response = await callApi<{ counts?: Record<string, number> }>(
            stack.api.url,
            "GET",
            `/jobs/batch/${batchId}`,
        );
        latencies.push(performance.now() - started);
        const counts = response.body.counts ?? {};
        const counted = Object.values(counts).reduce((a, n) => a + n, 0);
        if (response.status !== 200 || counted !== jobs || counts.QUEUED !== 0)
            throw new Error(`unexpected answer: ${JSON.stringify(response.body).slice(0, 300)}`);
    }
    latencies.sort((a, b) => a - b);
    return { jobs, seedMs, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95) };
}
