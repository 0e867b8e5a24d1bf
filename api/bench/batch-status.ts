/**
 * Benchmark: p50 and p95 latency of GET /jobs/batch/{batchId} through api:local for a batch of
 * JOBS jobs (default 10,000), every one of them past QUEUED (the most the status read has to count)
 * and 1% failed. The jobs are written straight to the table, so only the read path is measured.
 */
import { resetClients } from "../lib/clients";
import { newBatchRecord, newJobRecord, putBatch, putItems } from "../lib/store";
import { validateJobRequest } from "../lib/validation/requests";
import { callApi } from "../test/support/signed-client";
import { bulkJobs, percentile, startBenchStack } from "./support";

async function main() {
    const total = Number(process.env.JOBS ?? 10_000);
    // Few by default: moto answers each in seconds (see the README); on DynamoDB use more.
    const requests = Number(process.env.REQUESTS ?? 20);
    const stack = await startBenchStack("bench-status");
    try {
        Object.assign(process.env, stack.environment);
        resetClients();
        const rules = {
            allowedHosts: ["github.com"],
            sourceBucket: stack.resources.SOURCE_BUCKET,
            jobTimeoutSeconds: 43200,
        };
        const batchId = "00000000-0000-4000-8000-000000000001";
        const statuses = ["SUCCEEDED", "RUNNING", "RUNNABLE", "SUBMITTED"] as const;
        const jobs = bulkJobs(total).map((job, index) => {
            const record = newJobRecord(validateJobRequest(job, rules), { batchId, index });
            const failed = index % 100 === 0;
            const status = failed ? "FAILED" : statuses[index % statuses.length];
            return {
                ...record,
                status,
                listStatus: status,
                trackedBatchId: batchId,
                batchJobId: record.jobKey,
                ...(failed ? { failedBatchId: batchId, statusReason: "exit code 1" } : {}),
            };
        });
        const seeded = performance.now();
        await putItems(jobs);
        await putBatch(newBatchRecord(batchId, "bench", total, new Date().toISOString()));
        console.log(`seeded ${total} jobs in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

        const latencies: number[] = [];
        for (let i = 0; i < requests; i++) {
            const started = performance.now();
            const response = await callApi(stack.api.url, "GET", `/jobs/batch/${batchId}`);
            latencies.push(performance.now() - started);
            process.stderr.write(`  request ${i + 1}: ${latencies[i].toFixed(0)} ms\n`);
            if (response.status !== 200 || response.body.totalJobs !== total)
                throw new Error(`unexpected answer: ${JSON.stringify(response.body).slice(0, 300)}`);
            if (i === 0)
                console.log(
                    `answer: status ${response.body.status}, counts ${JSON.stringify(response.body.counts)}, ${response.body.failedJobs.length} failed jobs listed`,
                );
        }
        latencies.sort((a, b) => a - b);
        console.log(
            `GET /jobs/batch/{batchId} for ${total} jobs, ${requests} sequential requests: p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`,
        );
    } finally {
        await stack.stop();
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
