/**
 * `npm run bench:api`: the REST API's scale figures on moto, each against its target (BENCH_API: the
 * settings, read from the environment as the API's own settings are).
 */
import { cpus, loadavg } from "node:os";
import { type CommandSpec, EXIT, InputError, noPositionals, numberSetting, runProgram } from "../../tools/common/cli";
import { benchPostAnswer } from "./post-answer";
import { benchStatusLatency } from "./status-latency";
import { benchSubmitter } from "./submitter-throughput";
import { MOTO_PYTHON_SETTING } from "../local/moto";
import { peakRssMiB, startBenchStack, type BenchStack } from "./support";

const BENCH_API: CommandSpec = {
    program: "bench:api",
    name: "npm run bench:api --",
    summary:
        "The REST API's scale figures on moto (api:local and the bulk submitter started here), each against its " +
        "target: POST /jobs/batch answer time (< 1 s at 10,000 jobs), GET /jobs/batch/{id} p50 and p95 latency " +
        "(p95 < 50 ms, flat in the batch's size), bulk submitter throughput (>= 95% of the configured rate) and the " +
        "peak memory of every process. Settings come from the environment; an empty size list (or SUBMIT_JOBS=0) " +
        "skips that part. Takes minutes: not a test.",
    options: [],
    environment: [
        { name: "POST_SIZES", help: "Batch sizes for POST /jobs/batch (default 1000,10000)." },
        { name: "POST_RUNS", help: "Posts per size, of which the median is taken (default 5)." },
        { name: "STATUS_SIZES", help: "Batch sizes for GET /jobs/batch/{id} (default 1000,10000,100000)." },
        { name: "STATUS_REQUESTS", help: "Status requests per size (default 20)." },
        { name: "SUBMIT_JOBS", help: "Jobs for the bulk submitter (default 600; 0 skips it)." },
        { name: "SUBMIT_RATE_PER_SECOND", help: "The submitter's configured rate per instance, of two (default 10)." },
        MOTO_PYTHON_SETTING,
    ],
    exitCodes:
        "0 measured (a missed target is reported, not an error), 2 usage or invalid setting, 3 the benchmark failed.",
};

interface Settings {
    readonly postSizes: readonly number[];
    readonly postRuns: number;
    readonly statusSizes: readonly number[];
    readonly statusRequests: number;
    readonly submitJobs: number;
    readonly submitRate: number;
}

const positiveInteger = (n: number) => Number.isInteger(n) && n > 0;

/** A comma-separated list of batch sizes; empty skips that part. */
function sizesSetting(name: string, fallback: string): number[] {
    const text = process.env[name] ?? fallback;
    const sizes = text.split(",").filter(Boolean).map(Number);
    if (!sizes.every(positiveInteger))
        throw new InputError(`${name}=${text}: must be positive integers, comma-separated`);
    return sizes;
}

function readSettings(): Settings {
    return {
        postSizes: sizesSetting("POST_SIZES", "1000,10000"),
        postRuns: numberSetting("POST_RUNS", 5, positiveInteger, "a positive integer"),
        statusSizes: sizesSetting("STATUS_SIZES", "1000,10000,100000"),
        statusRequests: numberSetting("STATUS_REQUESTS", 20, positiveInteger, "a positive integer"),
        submitJobs: numberSetting("SUBMIT_JOBS", 600, (n) => Number.isInteger(n) && n >= 0, "an integer >= 0"),
        submitRate: numberSetting("SUBMIT_RATE_PER_SECOND", 10, (n) => n > 0, "a number above 0"),
    };
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const verdict = (ok: boolean) => (ok ? "meets target" : "MISSES target");

async function posts(stack: BenchStack, settings: Settings) {
    for (const jobs of settings.postSizes) {
        const figures = await benchPostAnswer(stack, jobs, settings.postRuns);
        const runs = figures.answersMs.map((t) => t.toFixed(0)).join(", ");
        const target = jobs === 10_000 ? `; target < 1000 ms: ${verdict(figures.p50Ms < 1000)}` : "";
        console.log(
            `POST /jobs/batch, ${jobs} jobs (${figures.bodyMiB.toFixed(2)} MiB): answer p50 ${ms(figures.p50Ms)} (runs: ${runs} ms)${target}`,
        );
    }
    console.log("POST /jobs/batch, 100000 jobs: not applicable, a request holds at most 10,000 jobs");
}

async function statuses(stack: BenchStack, settings: Settings) {
    const p95s: number[] = [];
    for (const jobs of settings.statusSizes) {
        const figures = await benchStatusLatency(stack, jobs, settings.statusRequests);
        p95s.push(figures.p95Ms);
        console.log(
            `GET /jobs/batch/{id}, ${jobs} jobs (seeded into the table in ${(figures.seedMs / 1000).toFixed(1)} s): p50 ${ms(figures.p50Ms)}, p95 ${ms(figures.p95Ms)}; target p95 < 50 ms: ${verdict(figures.p95Ms < 50)}`,
        );
    }
    if (p95s.length > 1)
        console.log(`status p95, largest batch over smallest: x${(p95s[p95s.length - 1] / p95s[0]).toFixed(2)}`);
}

async function submitter(stack: BenchStack, settings: Settings): Promise<string> {
    const jobs = settings.submitJobs;
    if (jobs === 0) return "";
    const figures = await benchSubmitter(stack, jobs, settings.submitRate);
    const share = figures.measuredPerSecond / figures.configuredPerSecond;
    console.log(
        `bulk submitter, ${jobs} jobs (posted through the API, recorded and submitted in the background): ${figures.measuredPerSecond.toFixed(2)} jobs/s of ${figures.configuredPerSecond} configured (${(share * 100).toFixed(1)}%; ${figures.submitted} submitted, ${figures.failed} failed); target >= 95%: ${verdict(share >= 0.95)}`,
    );
    return `submitter ${figures.peakRssMiB} MiB, `;
}

async function bench(settings: Settings) {
    const load = loadavg()
        .map((l) => l.toFixed(1))
        .join(" ");
    console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model}), load average ${load}`);
    const stack = await startBenchStack("bench");
    try {
        await posts(stack, settings);
        await statuses(stack, settings);
        const submitterMemory = await submitter(stack, settings);
        console.log(
            `peak RSS: api:local ${peakRssMiB(stack.api.pid)} MiB, ${submitterMemory}moto ${peakRssMiB(stack.moto.pid)} MiB, benchmark driver ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
        );
    } finally {
        await stack.stop();
    }
}

runProgram(BENCH_API, async (args) => {
    noPositionals(args);
    await bench(readSettings());
    return EXIT.ok;
});
