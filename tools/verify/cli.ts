/**
 * `npm run verify -- --stack NAME [--outputs FILE] [--json] [--submit-test-job]`
 *
 * The after-deployment checklist, automated: reads the stack's outputs (`pulumi stack output --json`,
 * or a JSON file of them with --outputs) and checks the deployed resources through the AWS APIs with
 * the caller's credentials. Prints a checklist (or JSON with --json). With --submit-test-job it also
 * submits an `atx --version` job and waits for it.
 * Exit codes: 0 every check passed, 1 a check failed, 2 usage or unreadable outputs.
 */
import { type BatchClient, DescribeJobsCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { execFileSync } from "child_process";
import * as fs from "fs";
import { type CheckResult, createClients, REQUIRED_OUTPUTS, runChecks, type VerifyOutputs } from "./checks";

export const USAGE = "usage: verify --stack NAME [--outputs FILE] [--json] [--submit-test-job] [--wait-seconds N]";

export class UsageError extends Error {}

export interface VerifyOptions {
    readonly stack?: string;
    readonly outputsFile?: string;
    readonly json: boolean;
    readonly submitTestJob: boolean;
    readonly waitSeconds: number;
}

export function parseArgs(argv: readonly string[]): VerifyOptions {
    let stack: string | undefined;
    let outputsFile: string | undefined;
    let json = false;
    let submitTestJob = false;
    let waitSeconds = 900;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${arg} needs a value`);
            return v;
        };
        if (arg === "--stack") stack = value();
        else if (arg === "--outputs") outputsFile = value();
        else if (arg === "--json") json = true;
        else if (arg === "--submit-test-job") submitTestJob = true;
        else if (arg === "--wait-seconds") {
            waitSeconds = Number(value());
            if (!Number.isInteger(waitSeconds) || waitSeconds < 1)
                throw new UsageError("--wait-seconds must be a whole number above 0");
        } else throw new UsageError(`unexpected argument '${arg}'`);
    }
    if (stack === undefined && outputsFile === undefined) throw new UsageError("give --stack or --outputs");
    return { stack, outputsFile, json, submitTestJob, waitSeconds };
}

/** The outputs the checks need, from a file or the Pulumi CLI; every missing one is named. */
export function readOutputs(options: VerifyOptions): VerifyOutputs {
    const text =
        options.outputsFile !== undefined
            ? fs.readFileSync(options.outputsFile, "utf8")
            : execFileSync("pulumi", ["stack", "output", "--json", "--stack", options.stack!], { encoding: "utf8" });
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null) throw new UsageError("the stack outputs are not a JSON object");
    const record = parsed as Record<string, unknown>;
    const missing = REQUIRED_OUTPUTS.filter((k) => typeof record[k] !== "string" || record[k] === "");
    if (missing.length > 0) throw new UsageError(`stack outputs missing: ${missing.join(", ")}`);
    return record as unknown as VerifyOutputs;
}

/** Submits `atx --version` to the queue and waits for its end. */
export async function testJob(
    batch: BatchClient,
    outputs: VerifyOutputs,
    waitSeconds: number,
    pollMs = 5000,
): Promise<CheckResult> {
    const check = "test-job";
    const { jobId } = await batch.send(
        new SubmitJobCommand({
            jobName: `verify-${Date.now()}`,
            jobQueue: outputs.jobQueueArn,
            jobDefinition: outputs.jobDefinitionArn,
            containerOverrides: { command: ["--output", "verify", "--", "atx", "--version"] },
        }),
    );
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
        const job = (await batch.send(new DescribeJobsCommand({ jobs: [jobId!] }))).jobs?.[0];
        if (job?.status === "SUCCEEDED") return { check, ok: true, detail: `${jobId} SUCCEEDED` };
        if (job?.status === "FAILED") return { check, ok: false, detail: `${jobId} FAILED: ${job.statusReason ?? ""}` };
        if (Date.now() > deadline)
            return { check, ok: false, detail: `${jobId} still ${job?.status} after ${waitSeconds} s` };
        await new Promise((r) => setTimeout(r, pollMs));
    }
}

export function formatChecklist(results: readonly CheckResult[]): string {
    const lines = results.map((r) => `${r.ok ? "[x]" : "[ ]"} ${r.check}: ${r.detail}`);
    const failed = results.filter((r) => !r.ok).length;
    lines.push(`${results.length - failed} passed, ${failed} failed`);
    return lines.join("\n");
}

export async function main(argv: readonly string[]): Promise<number> {
    let options: VerifyOptions;
    let outputs: VerifyOutputs;
    try {
        options = parseArgs(argv);
        outputs = readOutputs(options);
    } catch (error) {
        console.error(`verify: ${(error as Error).message}\n${USAGE}`);
        return 2;
    }
    const region = outputs.jobQueueArn.split(":")[3];
    const clients = createClients(region);
    const results = await runChecks(clients, outputs);
    if (options.submitTestJob) results.push(await testJob(clients.batch, outputs, options.waitSeconds));
    console.log(
        options.json ? JSON.stringify({ results, ok: results.every((r) => r.ok) }, null, 2) : formatChecklist(results),
    );
    return results.every((r) => r.ok) ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error) => {
            console.error(error);
            process.exit(2);
        },
    );
}
