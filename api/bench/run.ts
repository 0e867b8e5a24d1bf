/**
 * `npm run bench:api`: the REST API's scale figures on moto, against their targets.
 *
 *   POST /jobs/batch answer time, p50 of POST_RUNS (5), at POST_SIZES (1000,10000)        target < 1 s at 10,000
 *   GET /jobs/batch/{id} p50/p95 of STATUS_REQUESTS (20) at STATUS_SIZES (1000,10000,100000)  target p95 < 50 ms, flat
 *   bulk submitter throughput, SUBMIT_JOBS (600) at SUBMIT_RATE_PER_SECOND (10) x 2 instances  target >= 95%
 *   peak memory of every process
 *
 * An empty size list (or SUBMIT_JOBS=0) skips that part.
 */
import { cpus, loadavg } from "node:os";
import { benchPostAnswer } from "./post-answer";
import { benchStatusLatency } from "./status-latency";
import { benchSubmitter } from "./submitter-throughput";
import { peakRssMiB, startBenchStack, type BenchStack } from "./support";

/** A comma-separated list of sizes; empty skips that part. */
const sizes = (name: string, fallback: string) =>
    (process.env[name] ?? fallback).split(",").filter(Boolean).map(Number);
const ms = (n: number) => `${n.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? "meets target" : "MISSES target");

async function posts(stack: BenchStack) {
    for (const jobs of sizes("POST_SIZES", "1000,10000")) {
        const figures = await benchPostAnswer(stack, jobs, Number(process.env.POST_RUNS ?? 5));
        const runs = figures.answersMs.map((t) => t.toFixed(0)).join(", ");
        const target = jobs === 10_000 ? `; target < 1000 ms: ${verdict(figures.p50Ms < 1000)}` : "";
        console.log(
            `POST /jobs/batch, ${jobs} jobs (${figures.bodyMiB.toFixed(2)} MiB): answer p50 ${ms(figures.p50Ms)} (runs: ${runs} ms)${target}`,
        );
    }
    console.log("POST /jobs/batch, 100000 jobs: not applicable, a request holds at most 10,000 jobs");
}

async function statuses(stack: BenchStack) {
    const p95s: number[] = [];
    for (const jobs of sizes("STATUS_SIZES", "1000,10000,100000")) {
        const figures = await benchStatusLatency(stack, jobs, Number(process.env.STATUS_REQUESTS ?? 20));
        p95s.push(figures.p95Ms);
        console.log(
            `GET /jobs/batch/{id}, ${jobs} jobs (seeded into the table in ${(figures.seedMs / 1000).toFixed(1)} s): p50 ${ms(figures.p50Ms)}, p95 ${ms(figures.p95Ms)}; target p95 < 50 ms: ${verdict(figures.p95Ms < 50)}`,
        );
    }
    if (p95s.length > 1)
        console.log(`status p95, largest batch over smallest: x${(p95s[p95s.length - 1] / p95s[0]).toFixed(2)}`);
}

async function submitter(stack: BenchStack): Promise<string> {
    const jobs = Number(process.env.SUBMIT_JOBS ?? 600);
    if (jobs === 0) return "";
    const figures = await benchSubmitter(stack, jobs, Number(process.env.SUBMIT_RATE_PER_SECOND ?? 10));
    const share = figures.measuredPerSecond / figures.configuredPerSecond;
    console.log(
        `bulk submitter, ${jobs} jobs (posted through the API, recorded and submitted in the background): ${figures.measuredPerSecond.toFixed(2)} jobs/s of ${figures.configuredPerSecond} configured (${(share * 100).toFixed(1)}%; ${figures.submitted} submitted, ${figures.failed} failed); target >= 95%: ${verdict(share >= 0.95)}`,
    );
    return `submitter ${figures.peakRssMiB} MiB, `;
}

async function main() {
    const load = loadavg()
        .map((l) => l.toFixed(1))
        .join(" ");
    console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model}), load average ${load}`);
    const stack = await startBenchStack("bench");
    try {
        await posts(stack);
        await statuses(stack);
        const submitterMemory = await submitter(stack);
        console.log(
            `peak RSS: api:local ${peakRssMiB(stack.api.pid)} MiB, ${submitterMemory}moto ${peakRssMiB(stack.moto.pid)} MiB, benchmark driver ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
        );
    } finally {
        await stack.stop();
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
