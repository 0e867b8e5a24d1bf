/**
 * `npm run api:local`: the API on http://127.0.0.1:$PORT, backed by moto (API_LOCAL: the settings, read
 * from the environment as the Lambda functions read theirs).
 */
import { resolve } from "node:path";
import { type CommandSpec, EXIT, noPositionals, numberSetting, runProgram } from "../../tools/common/cli";
import { functions, type FunctionName } from "../contract";
import { bootstrapLocalResources } from "./bootstrap";
import { MOTO_PYTHON_SETTING, startMoto, type MotoServer } from "./moto";
import { startLocalApi, type ProxyHandler } from "./server";
import { pollBatchJobStates, pollBulkQueue, type Poller } from "./wiring";

const API_LOCAL: CommandSpec = {
    program: "api:local",
    name: "npm run api:local --",
    summary:
        "The REST API on http://127.0.0.1:$PORT, its handlers run in this process, backed by moto. Without " +
        "AWS_ENDPOINT_URL it starts moto on a free loopback port and creates the resources; with it, it uses that " +
        "endpoint, creating the resources there only when JOBS_TABLE is unset. Requests must be SigV4-signed " +
        "(service execute-api, region AWS_REGION) with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. The bulk " +
        "queue's and the job state events' wiring is emulated by polling. Runs until SIGINT or SIGTERM.",
    options: [],
    environment: [
        { name: "PORT", help: "The port to listen on (default 3000; 0 picks a free one)." },
        { name: "AWS_ENDPOINT_URL", help: "An emulator already running (default: start moto)." },
        {
            name: "JOBS_TABLE",
            help: "With AWS_ENDPOINT_URL: the resources exist already, named by the handlers' variables.",
        },
        { name: "LOCAL_RESOURCE_PREFIX", help: "Prefix of the resources created (default atx-local)." },
        { name: "AWS_REGION", help: "Region of the resources and of the signatures (default us-east-1)." },
        { name: "AWS_ACCESS_KEY_ID", help: "The access key requests are signed with (default test)." },
        { name: "AWS_SECRET_ACCESS_KEY", help: "Its secret (default test)." },
        { name: "AWS_SESSION_TOKEN", help: "Its session token, for temporary credentials." },
        { name: "LOCAL_BULK_QUEUE=off", help: "No bulk submitter polling the bulk queue." },
        { name: "LOCAL_JOB_EVENTS=off", help: "No job state events polled from Batch." },
        { name: "LOCAL_JOB_EVENTS_INTERVAL_MS", help: "How often job states are polled (default 1000)." },
        MOTO_PYTHON_SETTING,
    ],
    exitCodes: "0 stopped by a signal, 2 usage or invalid setting, 3 failed to start.",
};

const integerIn = (min: number, max: number) => (n: number) => Number.isInteger(n) && n >= min && n <= max;

async function main() {
    const requestedPort = numberSetting("PORT", 3000, integerIn(0, 65535), "an integer from 0 to 65535");
    const jobEventsIntervalMs = numberSetting(
        "LOCAL_JOB_EVENTS_INTERVAL_MS",
        1000,
        integerIn(1, 3_600_000),
        "an integer from 1 to 3600000 (milliseconds)",
    );
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
        port: requestedPort,
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
                jobEventsIntervalMs,
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

runProgram(API_LOCAL, async (args) => {
    noPositionals(args);
    await main();
    // Started: the servers keep the process alive until a signal stops them.
    return EXIT.ok;
});
