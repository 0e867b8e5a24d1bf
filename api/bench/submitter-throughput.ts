/**
 * Bulk submission throughput against the configured rate: a batch posted through the API, its
 * recording step and submission run by the submitter in its own process (two workers, one rate
 * limiter each, as the event source's maximum concurrency of two Lambda instances would). The
 * window runs from the first job leaving QUEUED to the last, read from the batch's status.
 */
import { spawn } from "node:child_process";
import { PurgeQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { resolve } from "node:path";
import { bulkQueue } from "../contract";
import { callApi } from "../test/support/signed-client";
import { bulkJobs, type BenchStack } from "./support";

export interface SubmitterFigures {
    jobs: number;
    configuredPerSecond: number;
    measuredPerSecond: number;
    submitted: number;
    failed: number;
    peakRssMiB: number;
}

export async function benchSubmitter(
    stack: BenchStack,
    jobs: number,
    ratePerInstance: number,
): Promise<SubmitterFigures> {
    const configuredPerSecond = ratePerInstance * bulkQueue.eventSource.maximumConcurrency;
    // The recording messages of the POST benchmark's batches are not this benchmark's work.
    await new SQSClient({ endpoint: stack.moto.url, useQueueUrlAsEndpoint: false }).send(
        new PurgeQueueCommand({ QueueUrl: stack.resources.BULK_QUEUE_URL }),
    );
    const submitter = spawn(process.execPath, ["-r", "./scripts/register-ts.js", "api/bench/submitter-process.ts"], {
        cwd: resolve(__dirname, "../.."),
        env: { ...process.env, ...stack.environment, SUBMIT_RATE_PER_SECOND: String(ratePerInstance) },
        stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    submitter.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
        const body = JSON.stringify({ batchName: `throughput-${Date.now()}`, jobs: bulkJobs(jobs) });
        const accepted = await callApi<{ batchId: string }>(stack.api.url, "POST", "/jobs/batch", body);
        if (accepted.status !== 202) throw new Error(`POST answered ${accepted.status}`);
        let first: number | undefined;
        let counts: Record<string, number> = {};
        for (;;) {
            await new Promise((r) => setTimeout(r, 250));
            const now = performance.now();
            const status = await callApi<{ counts: Record<string, number> }>(
                stack.api.url,
                "GET",
                `/jobs/batch/${accepted.body.batchId}`,
            );
            counts = status.body.counts;
            if (first === undefined && counts.QUEUED < jobs) first = now;
            if (counts.QUEUED === 0) break;
        }
        // The first poll that saw a job out of QUEUED is up to one interval late: counted from there,
        // the window holds the jobs - 1 intervals between the first and the last submission.
        const windowSeconds = (performance.now() - first!) / 1000;
        return {
            jobs,
            configuredPerSecond,
            measuredPerSecond: (jobs - 1) / windowSeconds,
            submitted: counts.SUBMITTED,
            failed: counts.SUBMIT_FAILED,
            peakRssMiB: await stopAndReadPeak(submitter, () => output),
        };
    } finally {
        if (submitter.exitCode === null) submitter.kill("SIGKILL");
    }
}

async function stopAndReadPeak(child: ReturnType<typeof spawn>, output: () => string): Promise<number> {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    const report = JSON.parse(output().trim().split("\n").pop()!) as { maxRssMiB: number };
    return report.maxRssMiB;
}
