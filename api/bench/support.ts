/** Shared set-up of the benchmarks: emulator, api:local, percentiles, peak memory, job bodies. */
import { readFileSync } from "node:fs";
import { bootstrapLocalResources } from "../local/bootstrap";
import { startMoto } from "../local/moto";
import { startApiLocal } from "../test/support/local-api";

/** moto and api:local with the emulated event wiring off: each benchmark drives what it measures. */
export async function startBenchStack(prefix: string, apiEnvironment: Record<string, string> = {}) {
    process.env.AWS_ACCESS_KEY_ID ??= "test";
    process.env.AWS_SECRET_ACCESS_KEY ??= "test";
    process.env.AWS_REGION ??= "us-east-1";
    const moto = await startMoto();
    const resources = await bootstrapLocalResources(moto.url, prefix);
    const environment = { ...resources, AWS_ENDPOINT_URL: moto.url };
    const api = await startApiLocal({
        ...environment,
        LOCAL_BULK_QUEUE: "off",
        LOCAL_JOB_EVENTS: "off",
        ...apiEnvironment,
    });
    const stop = async () => {
        await api.stop();
        await moto.stop();
    };
    // An interrupted benchmark still stops the processes it started.
    for (const signal of ["SIGINT", "SIGTERM"] as const)
        process.once(signal, () => void stop().finally(() => process.exit(130)));
    return { moto, resources, environment, api, stop };
}

export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

export function percentile(sortedMs: number[], p: number): number {
    return sortedMs[Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1)];
}

export function median(values: number[]): number {
    return percentile(
        [...values].sort((a, b) => a - b),
        50,
    );
}

/** Peak resident memory of a running process (Linux: VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round(Number(match[1]) / 1024) : NaN;
}

export function bulkJobs(count: number) {
    return Array.from({ length: count }, (_, i) => ({
        command: `atx custom def exec -n AWS/java-version-upgrade -x -t --configuration "additionalPlanContext=batch ${i}"`,
        source: `https://github.com/acme/service-${i}.git`,
        environment: { MAVEN_OPTS: "-Xmx2g" },
        tags: { team: "bench" },
    }));
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
