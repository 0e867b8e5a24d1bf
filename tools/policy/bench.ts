/**
 * `npm run bench:policy`: the offline preview plus the policy evaluation, timed (BENCH_COMMAND: the
 * options). Each run is a fresh process, as `npm run preview` is (Node start, TypeScript
 * transpilation, the program under mocks, every policy), so the figures compare with one
 * `cdk synth` + cdk-nag run (2.4 s, 206 MiB for about 70 resources here). The baseline comparison
 * reads each side's peak memory from GNU time's maximum RSS of the process tree.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    type CommandSpec,
    EXIT,
    InputError,
    noPositionals,
    optionValue,
    type ParsedArgs,
    runProgram,
    UsageError,
} from "../common/cli";
import { type NodeSettings, previewNodeSettings } from "../common/preview-node";

const ROOT = path.resolve(__dirname, "..", "..");

interface Measure {
    readonly wallMs: number;
    readonly peakRssMiB: number;
    readonly resources: number;
    readonly previewMs: number;
    readonly evaluateMs: number;
    readonly loadPackMs: number;
    readonly previewRssMiB: number;
    /** User + system CPU time of the measured process: what the wall time would be on an idle core. */
    readonly cpuMs: number;
    readonly mandatory: number;
    readonly advisory: number;
}

/** The measured step, run in the child: preview the program, evaluate the pack, report figures on stdout. */
async function child(stack: string): Promise<void> {
    const t0 = performance.now();
    // `require`, not `import()`: loaded when measured, through whichever TypeScript hook is installed.
    const { runProgramSnapshot } = require("./program") as typeof import("./program");
    const snapshot = await runProgramSnapshot(stack);
    const t1 = performance.now();
    const previewRssMiB = process.resourceUsage().maxRSS / 1024;
    const { evaluateSnapshot } = require("./index") as typeof import("./index");
    const t2a = performance.now();
    const result = await evaluateSnapshot(snapshot);
    const t2 = performance.now();
    process.stdout.write(
        JSON.stringify({
            resources: snapshot.resources.length,
            previewMs: t1 - t0,
            evaluateMs: t2 - t1,
            loadPackMs: t2a - t1,
            mandatory: result.summary.mandatory,
            advisory: result.summary.advisory,
            peakRssMiB: process.resourceUsage().maxRSS / 1024,
            previewRssMiB,
            cpuMs: (process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1000,
        }) + "\n",
    );
}

/** How the child loads TypeScript: the esbuild hook the npm scripts use, or ts-node (as `pulumi` itself does). */
type Loader = "ts-node" | "esbuild";
const LOADERS: Record<Loader, string> = {
    "ts-node": "ts-node/register",
    esbuild: path.join(ROOT, "scripts", "register-ts.js"),
};

function measure(stack: string, loader: Loader, settings: NodeSettings): Measure {
    const node = path.join(ROOT, "node_modules", ".bin", "node");
    const start = performance.now();
    const r = spawnSync(node, [...settings.flags, "-r", LOADERS[loader], __filename, "--child", stack], {
        cwd: ROOT,
        env: { ...process.env, ...settings.env, TS_NODE_TRANSPILE_ONLY: "1" },
        encoding: "utf8",
    });
    const wallMs = performance.now() - start;
    if (r.status !== 0) {
        throw new Error(`the measured run failed (${r.status}): ${r.stderr}`);
    }
    const figures = JSON.parse(r.stdout.trim().split("\n").pop()!) as Omit<Measure, "wallMs">;
    return { wallMs, ...figures };
}

interface PreviewRun {
    readonly wallS: number;
    readonly peakMiB: number;
    /** What the preview printed. */
    readonly output: string;
}

const GNU_TIME = "/usr/bin/time";

/** One `npm run preview` in `dir`, timed by GNU time (wall seconds, maximum RSS of the process tree). */
function timePreview(dir: string, stack: string): PreviewRun {
    const r = spawnSync(GNU_TIME, ["-f", "%e %M", "npm", "run", "-s", "preview", "--", "--stack", stack], {
        cwd: dir,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    const figures = /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(r.stderr);
    if (r.status !== 0 || figures === null)
        throw new Error(`npm run preview in ${dir} failed (${r.status}): ${r.stderr}`);
    return { wallS: Number(figures[1]), peakMiB: Number(figures[2]) / 1024, output: r.stdout };
}

const medianOf = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Pairs of runs, this checkout then the baseline: the median of per-pair ratios survives a machine whose load drifts. */
function compareWithBaseline(baseline: string, stack: string, pairs: number): void {
    if (!fs.existsSync(GNU_TIME)) throw new InputError(`--baseline needs GNU time at ${GNU_TIME}`);
    const loadBefore = os.loadavg()[0];
    const firstOutput = timePreview(ROOT, stack).output;
    const baselineOutput = timePreview(baseline, stack).output; // warm-up: fills both checkouts' transpile and compile caches
    const results = Array.from({ length: pairs }, () => ({
        now: timePreview(ROOT, stack),
        then: timePreview(baseline, stack),
    }));
    const speedups = results.map(({ now, then }) => then.wallS / now.wallS);
    const f = (x: number) => x.toFixed(2);
    console.log(`npm run preview, stack ${stack}, ${pairs} pairs alternating with ${baseline} (median [min, max]):`);
    console.log(
        `  speed-up (baseline wall / this wall, per pair): ${f(medianOf(speedups))}x [${f(Math.min(...speedups))}, ${f(Math.max(...speedups))}]   (target >= 3)`,
    );
    console.log(
        `  wall time:   this ${f(medianOf(results.map((r) => r.now.wallS)))} s, baseline ${f(medianOf(results.map((r) => r.then.wallS)))} s`,
    );
    console.log(
        `  peak memory: this ${medianOf(results.map((r) => r.now.peakMiB)).toFixed(0)} MiB (max ${Math.max(...results.map((r) => r.now.peakMiB)).toFixed(0)}), baseline ${medianOf(results.map((r) => r.then.peakMiB)).toFixed(0)} MiB   (target <= 150 MiB)`,
    );
    console.log(`  output:      ${outputComparison(firstOutput, baselineOutput, results)}`);
    console.log(
        `  machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "unknown CPU"}; load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after`,
    );
}

/** Whether both checkouts printed the same preview (a speed-up must not change it), and whether every run of this one did. */
function outputComparison(
    first: string,
    baseline: string,
    results: readonly { readonly now: PreviewRun; readonly then: PreviewRun }[],
): string {
    const stable = results.every((r) => r.now.output === first) ? "the same in every run" : "NOT the same in every run";
    if (first === baseline) return `identical to the baseline's; ${stable}`;
    const lines = first.split("\n");
    const baselineLines = new Set(baseline.split("\n"));
    const differing = lines.filter((line) => !baselineLines.has(line)).length;
    return `differs from the baseline's (${differing} of ${lines.length} lines not in it); ${stable}`;
}

const BENCH_COMMAND: CommandSpec = {
    program: "bench:policy",
    name: "npm run bench:policy --",
    summary:
        "Wall time and peak memory (RSS) of the offline preview plus the full policy evaluation of a stack, each run " +
        "a fresh process as `npm run preview` is, and the number of resources. With --baseline DIR (an older checkout " +
        "of this repository, dependencies installed) it instead times `npm run preview` here and in DIR, alternating, " +
        "and prints the median of the per-pair speed-ups and each side's peak memory. Not a test.",
    options: [
        {
            flag: "--runs",
            value: "N",
            help: "Runs (with --baseline: pairs of runs) to take the median of (default 5).",
        },
        { flag: "--stack", value: "NAME", help: "Stack to preview (default prod)." },
        {
            flag: "--loader",
            value: "LOADER",
            help: "How the measured process loads TypeScript: esbuild (as the npm scripts do, default) or ts-node (as `pulumi` does).",
        },
        {
            flag: "--baseline",
            value: "DIR",
            help: `Compare \`npm run preview\` with DIR's (needs GNU time at ${GNU_TIME}).`,
        },
    ],
    exitCodes: "0 measured, 2 usage or invalid input, 3 a measured run failed or another internal error.",
};

interface BenchOptions {
    readonly runs: number;
    readonly stack: string;
    readonly loader: Loader;
    readonly baseline?: string;
}

const isLoader = (name: string): name is Loader => Object.hasOwn(LOADERS, name);

function benchOptions(args: ParsedArgs): BenchOptions {
    noPositionals(args);
    const runs = Number(optionValue(args, "runs") ?? 5);
    if (!Number.isInteger(runs) || runs < 1) throw new UsageError("--runs must be a positive integer");
    const loader = optionValue(args, "loader") ?? "esbuild";
    if (!isLoader(loader)) throw new UsageError(`--loader must be ${Object.keys(LOADERS).join(" or ")}, got ${loader}`);
    const baseline = optionValue(args, "baseline");
    if (baseline !== undefined && !fs.statSync(baseline, { throwIfNoEntry: false })?.isDirectory())
        throw new InputError(`--baseline ${baseline} is not a directory`);
    return { runs, stack: optionValue(args, "stack") ?? "prod", loader, baseline: baseline && path.resolve(baseline) };
}

function bench({ runs, stack, loader, baseline }: BenchOptions): void {
    if (baseline !== undefined) {
        compareWithBaseline(baseline, stack, runs);
        return;
    }
    const settings = previewNodeSettings();
    const results = Array.from({ length: runs }, () => measure(stack, loader, settings));
    const median = (f: (m: Measure) => number) => medianOf(results.map(f));
    const max = (f: (m: Measure) => number) => Math.max(...results.map(f));
    console.log(
        `offline preview + policy evaluation, stack ${stack}, ${runs} fresh processes with ${loader} (median / worst):`,
    );
    console.log(
        `  resources:          ${results[0].resources} (${results[0].mandatory} mandatory, ${results[0].advisory} advisory violations)`,
    );
    console.log(
        `  wall time:          ${(median((m) => m.wallMs) / 1000).toFixed(2)} s / ${(max((m) => m.wallMs) / 1000).toFixed(2)} s   (target < 2.4 s, aim 1.2 s)`,
    );
    console.log(
        `  CPU time:           ${(median((m) => m.cpuMs) / 1000).toFixed(2)} s   (user + system; close to the wall time on an idle machine)`,
    );
    console.log(
        `    of which preview: ${(median((m) => m.previewMs) / 1000).toFixed(2)} s, evaluation: ${(median((m) => m.evaluateMs) / 1000).toFixed(3)} s (of which loading the pack ${(median((m) => m.loadPackMs) / 1000).toFixed(3)} s)`,
    );
    console.log(
        `  peak memory (RSS):  ${median((m) => m.peakRssMiB).toFixed(0)} MiB / ${max((m) => m.peakRssMiB).toFixed(0)} MiB   (target <= 150 MiB)`,
    );
    console.log(
        `    peak when the preview is done: ${median((m) => m.previewRssMiB).toFixed(0)} MiB (the evaluation adds the rest)`,
    );
}

if (process.argv[2] === "--child") {
    child(process.argv[3] ?? "prod").catch((e) => {
        process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
        process.exitCode = 3;
    });
} else if (require.main === module) {
    runProgram(BENCH_COMMAND, (args) => {
        bench(benchOptions(args));
        return Promise.resolve(EXIT.ok);
    });
}
