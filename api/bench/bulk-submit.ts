/**
 * Benchmark: POST /jobs/batch with JOBS jobs (default 10,000) against moto. Prints the time to the
 * API's answer, the submitter's throughput until every job is in Batch, and the submitter's peak
 * memory. The submitter runs in its own process at SUBMIT_RATE_PER_SECOND (default 1000, so the
 * emulator, not the limiter, sets the pace) with SUBMIT_CONCURRENCY (default 8).
 *
 *   npm run bench:api        (or: node -r ./scripts/register-ts.js api/bench/bulk-submit.ts)
 */
import { spawn } from "node:child_process";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { resolve } from "node:path";
import { callApi } from "../test/support/signed-client";
import { bulkJobs, startBenchStack } from "./support";

async function main() {
    const total = Number(process.env.JOBS ?? 10_000);
    const stack = await startBenchStack("bench-bulk");
    process.env.AWS_ENDPOINT_URL = stack.moto.url;
    try {
        const body = JSON.stringify({ batchName: "bench", jobs: bulkJobs(total) });
        const started = performance.now();
        const accepted = await callApi(stack.api.url, "POST", "/jobs/batch", body);
        const answerMs = performance.now() - started;
        if (accepted.status !== 202)
            throw new Error(`POST /jobs/batch answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
        console.log(`jobs: ${total}; request body: ${(body.length / 1024 / 1024).toFixed(2)} MiB`);
        console.log(`time to the API's answer (validate + record + enqueue): ${(answerMs / 1000).toFixed(2)} s`);

        const submitter = spawn(
            process.execPath,
            ["-r", "./scripts/register-ts.js", "api/bench/submitter-process.ts"],
            {
                cwd: resolve(__dirname, "../.."),
                env: {
                    ...process.env,
                    ...stack.environment,
                    SUBMIT_RATE_PER_SECOND: process.env.SUBMIT_RATE_PER_SECOND ?? "1000",
                    SUBMIT_CONCURRENCY: process.env.SUBMIT_CONCURRENCY ?? "8",
                },
                stdio: ["ignore", "pipe", "inherit"],
            },
        );
        let output = "";
        submitter.stdout!.on("data", (chunk) => (output += chunk));
        const submitStart = performance.now();
        // Done when the queue holds no message, visible or in flight: cheap to ask, unlike counting
        // the batch through the table, which would compete with the submitter for the emulator.
        const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
        for (let tick = 1; ; tick++) {
            await new Promise((r) => setTimeout(r, 1000));
            const { Attributes = {} } = await sqs.send(
                new GetQueueAttributesCommand({
                    QueueUrl: stack.resources.BULK_QUEUE_URL,
                    AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                }),
            );
            const left =
                Number(Attributes.ApproximateNumberOfMessages) +
                Number(Attributes.ApproximateNumberOfMessagesNotVisible);
            if (tick % 15 === 0) process.stderr.write(`  ${tick} s: ${left} messages of 100 jobs left\n`);
            if (left === 0) break;
        }
        const submitSeconds = (performance.now() - submitStart) / 1000;
        const { counts } = (await callApi(stack.api.url, "GET", `/jobs/batch/${accepted.body.batchId}`)).body;
        const exited = new Promise((r) => submitter.once("exit", r));
        submitter.kill("SIGTERM");
        await exited;
        const memory = JSON.parse(output.trim().split("\n").pop()!);
        console.log(
            `submission: ${counts.SUBMITTED} submitted, ${counts.SUBMIT_FAILED} failed in ${submitSeconds.toFixed(1)} s = ${(total / submitSeconds).toFixed(1)} jobs/s`,
        );
        console.log(`submitter peak RSS: ${memory.maxRssMiB} MiB`);
    } finally {
        await stack.stop();
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
