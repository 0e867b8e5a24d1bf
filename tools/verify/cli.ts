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
import {
    type CommandSpec,
    EXIT,
    helpText,
    InputError,
    noPositionals,
    optionValue,
    parseArgs as parseCommandLine,
    runCommand,
    UsageError,
} from "../common/cli";
import { type CheckResult, createClients, REQUIRED_OUTPUTS, runChecks, type VerifyOutputs } from "./checks";

export { UsageError };

export const VERIFY_COMMAND: CommandSpec = {
    program: "verify",
    name: "npm run verify --",
    summary:
        "The after-deployment checklist: checks the stack's deployed resources through the AWS APIs with your credentials.",
    options: [
        { flag: "--stack", value: "NAME", help: "Stack whose outputs to read (`pulumi stack output --json`)." },
        { flag: "--outputs", value: "FILE", help: "Read the stack outputs from a JSON file instead." },
        { flag: "--json", help: "Print the results as JSON." },
        { flag: "--submit-test-job", help: "Also submit an `atx --version` job and wait for it." },
        { flag: "--wait-seconds", value: "N", help: "How long to wait for the test job (default 900)." },
    ],
    exitCodes: "0 every check passed, 1 a check failed, 2 usage or unreadable outputs, 3 internal error.",
};

export interface VerifyOptions {
    readonly stack?: string;
    readonly outputsFile?: string;
    readonly json: boolean;
    readonly submitTestJob: boolean;
    readonly waitSeconds: number;
}

/** The options, or `"help"` when help was asked for. */
export function parseArgs(argv: readonly string[]): VerifyOptions | "help" {
    const args = parseCommandLine(VERIFY_COMMAND, argv);
    if (args.help) return "help";
    noPositionals(args);
    const stack = optionValue(args, "stack");
    const outputsFile = optionValue(args, "outputs");
    const wait = optionValue(args, "wait-seconds");
    const waitSeconds = wait === undefined ? 900 : Number(wait);
    if (!Number.isInteger(waitSeconds) || waitSeconds < 1)
        throw new UsageError("--wait-seconds must be a whole number above 0");
    if (stack === undefined && outputsFile === undefined) throw new UsageError("give --stack or --outputs");
    return {
        stack,
        outputsFile,
        json: args.values.has("json"),
        submitTestJob: args.values.has("submit-test-job"),
        waitSeconds,
    };
}

/** The outputs the checks need, from a file or the Pulumi CLI; every missing one is named. */
export function readOutputs(options: VerifyOptions): VerifyOutputs {
    let text: string;
    try {
        text =
            options.outputsFile !== undefined
                ? fs.readFileSync(options.outputsFile, "utf8")
                : execFileSync("pulumi", ["stack", "output", "--json", "--stack", options.stack!], {
                      encoding: "utf8",
                  });
    } catch (e) {
        throw new InputError(`cannot read the stack outputs: ${(e as Error).message}`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        throw new InputError(`the stack outputs are not JSON: ${(e as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null) throw new InputError("the stack outputs are not a JSON object");
    const record = parsed as Record<string, unknown>;
    const missing = REQUIRED_OUTPUTS.filter((k) => typeof record[k] !== "string" || record[k] === "");
    if (missing.length > 0) throw new InputError(`stack outputs missing: ${missing.join(", ")}`);
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
    return runCommand(VERIFY_COMMAND, async () => {
        const options = parseArgs(argv);
        if (options === "help") {
            process.stdout.write(helpText(VERIFY_COMMAND));
            return EXIT.ok;
        }
        const outputs = readOutputs(options);
        const region = outputs.jobQueueArn.split(":")[3];
        const clients = createClients(region);
        const results = await runChecks(clients, outputs);
        if (options.submitTestJob) results.push(await testJob(clients.batch, outputs, options.waitSeconds));
        console.log(
            options.json
                ? JSON.stringify({ results, ok: results.every((r) => r.ok) }, null, 2)
                : formatChecklist(results),
        );
        return results.every((r) => r.ok) ? EXIT.ok : EXIT.violations;
    }, [SyntaxError]);
}

if (require.main === module) {
    void main(process.argv.slice(2)).then((code) => process.exit(code));
}
