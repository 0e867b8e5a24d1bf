/**
 * `npm run api:local`: the API on http://127.0.0.1:$PORT, backed by moto.
 *
 * Without AWS_ENDPOINT_URL it starts moto on a free loopback port and creates the resources
 * (local/bootstrap.ts). With AWS_ENDPOINT_URL it uses that endpoint, creating the resources there
 * only when JOBS_TABLE is unset. Requests must be SigV4-signed (service execute-api, region
 * AWS_REGION) with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (default test / test).
 *
 * Other settings: PORT (default 3000; 0 picks a free one), LOCAL_BULK_QUEUE=off and
 * LOCAL_JOB_EVENTS=off disable the emulated event wiring, LOCAL_JOB_EVENTS_INTERVAL_MS (default 1000).
 */
import { resolve } from "node:path";
import { functions, type FunctionName } from "../contract";
import { bootstrapLocalResources } from "./bootstrap";
import { startMoto, type MotoServer } from "./moto";
import { startLocalApi, type ProxyHandler } from "./server";
import { pollBatchJobStates, pollBulkQueue, type Poller } from "./wiring";

async function main() {
    process.env.AWS_REGION ??= "us-east-1";
    process.env.AWS_ACCESS_KEY_ID ??= "test";
    process.env.AWS_SECRET_ACCESS_KEY ??= "test";
    const region = process.env.AWS_REGION;

    let moto: MotoServer | undefined;
    if (!process.env.AWS_ENDPOINT_URL) {
        moto = await startMoto();
        process.env.AWS_ENDPOINT_URL = moto.url;
        console.log(`moto on ${moto.url}`);
    }
    if (!process.env.JOBS_TABLE) {
        Object.assign(
            process.env,
            await bootstrapLocalResources(
                process.env.AWS_ENDPOINT_URL,
                process.env.LOCAL_RESOURCE_PREFIX ?? "atx-local",
                region,
            ),
        );
    }

    // Handlers are loaded after the environment is complete, as Lambda would.
    const load = (name: FunctionName) =>
        (require(resolve(__dirname, "../..", functions[name].source)) as { handler: ProxyHandler }).handler;
    const handlers = Object.fromEntries(
        (Object.keys(functions) as FunctionName[]).map((name) => [name, load(name)]),
    ) as Record<FunctionName, ProxyHandler>;

    const server = await startLocalApi({
        port: Number(process.env.PORT ?? 3000),
        region,
        credentials: {
            accessKeyId: process.env.AWS_ACCESS_KEY_ID,
            secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
            sessionToken: process.env.AWS_SESSION_TOKEN,
        },
        handlers,
    });

    const pollers: Poller[] = [];
    if (process.env.LOCAL_BULK_QUEUE !== "off") {
        const queueArn =
            process.env.BULK_QUEUE_ARN ??
            `arn:aws:sqs:${region}:123456789012:${process.env.BULK_QUEUE_URL!.split("/").pop()}`;
        const { createSubmitter } = require(
            resolve(__dirname, "../..", functions["bulk-submitter"].source),
        ) as typeof import("../handlers/bulk-submitter");
        pollers.push(pollBulkQueue(process.env.BULK_QUEUE_URL!, queueArn, region, createSubmitter));
    }
    if (process.env.LOCAL_JOB_EVENTS !== "off") {
        pollers.push(
            pollBatchJobStates(
                process.env.JOB_QUEUE_ARN!,
                region,
                Number(process.env.LOCAL_JOB_EVENTS_INTERVAL_MS ?? 1000),
                handlers["job-events"] as never,
            ),
        );
    }

    const { port } = server.address() as { port: number };
    console.log(`listening on http://127.0.0.1:${port}`);

    let stopping = false;
    const stop = async () => {
        if (stopping) return;
        stopping = true;
        server.close();
        server.closeAllConnections();
        await Promise.all(pollers.map((p) => p.stop()));
        await moto?.stop();
        process.exit(0);
    };
    process.on("SIGINT", () => void stop());
    process.on("SIGTERM", () => void stop());
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
