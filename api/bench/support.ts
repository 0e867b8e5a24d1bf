/** Shared set-up of the benchmarks: emulator, api:local, a signed client and percentiles. */
import { bootstrapLocalResources } from "../local/bootstrap";
import { startMoto } from "../local/moto";
import { startApiLocal } from "../test/support/local-api";

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
        process.once(signal, () => stop().finally(() => process.exit(130)));
    return { moto, resources, environment, api, stop };
}

export function percentile(sortedMs: number[], p: number): number {
    return sortedMs[Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1)];
}

export function bulkJobs(count: number) {
    return Array.from({ length: count }, (_, i) => ({
        command: `atx custom def exec -n AWS/java-version-upgrade -x -t --configuration "additionalPlanContext=batch ${i}"`,
        source: `https://github.com/acme/service-${i}.git`,
        environment: { MAVEN_OPTS: "-Xmx2g" },
        tags: { team: "bench" },
    }));
}
