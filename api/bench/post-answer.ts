/**
 * POST /jobs/batch answer time through api:local: validation, the manifest, the batch item and
 * the recording message. The background steps are off (their cost is the submitter's, measured
 * apart), so each figure is the time a caller waits.
 */
import { callApi } from "../test/support/signed-client";
import { bulkJobs, median, type BenchStack } from "./support";

export interface PostFigures {
    jobs: number;
    bodyMiB: number;
    answersMs: number[];
    p50Ms: number;
}

export async function benchPostAnswer(stack: BenchStack, jobs: number, runs: number): Promise<PostFigures> {
    const answersMs: number[] = [];
    let bodyMiB = 0;
    for (let run = 0; run < runs; run++) {
        // A new batch name per run: a new body, so a new batch rather than a replay of the last one.
        const body = JSON.stringify({ batchName: `bench-${jobs}-${run}`, jobs: bulkJobs(jobs) });
        bodyMiB = body.length / 1024 / 1024;
        const started = performance.now();
        const response = await callApi<{ totalJobs?: number }>(stack.api.url, "POST", "/jobs/batch", body);
        answersMs.push(performance.now() - started);
        if (response.status !== 202 || response.body.totalJobs !== jobs)
            throw new Error(`POST /jobs/batch answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return { jobs, bodyMiB, answersMs, p50Ms: median(answersMs) };
}
