/**
 * `npm run preview -- [--stack prod] [--config key=value ...] [--export FILE] [--account ID]
 *                    [--policy-config FILE] [--engine]`
 *
 * What `pulumi preview --policy-pack policy-pack` would show, without an engine or cloud
 * credentials: the program runs under Pulumi's mocks with the stack's configuration; the resources
 * are listed by component with the stack outputs (unknown values shown as such), then the policy
 * pack is evaluated over them and each violation is printed. With `--engine`, the real Pulumi CLI on
 * PATH runs `pulumi preview --policy-pack policy-pack` instead, offline, with the stand-in providers
 * (tools/engine), and the same exit codes.
 * Exit codes: 0 success, 1 mandatory policy violations, 2 invalid configuration or arguments (or
 * --engine without a `pulumi` on PATH), 3 the program failed.
 */
// First: keeps the SDKs' unused modules from loading (see the module).
import "./defer-modules";
import * as fs from "fs";
import * as path from "path";
import { EvaluationError, evaluateSnapshot, formatText } from "../policy";
import { UNKNOWN } from "../common/resource-record";
import {
    type CommandSpec,
    DEFAULT_PACK_CONFIG,
    EXIT,
    helpText,
    noPositionals,
    optionValue,
    parseArgs as parseCommandLine,
    readPackConfig,
    runCommand,
    UsageError,
} from "../common/cli";
import { runProgram } from "./capture";
import { DEFAULT_ACCOUNT_ID } from "./mocks";
import { formatPreview } from "./format";
import { toStackExport } from "./export";
import { assembleStackConfig, StackConfigError } from "./stack-config";
import { ConfigError } from "../../config";
import { EngineMissingError } from "../engine/workspace";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export const COMMAND: CommandSpec = {
    program: "preview",
    name: "npm run preview --",
    summary:
        "What `pulumi preview --policy-pack policy-pack` would show, offline: the program under Pulumi's mocks with the stack's configuration, then the policy pack.",
    options: [
        { flag: "--stack", alias: "-s", value: "NAME", help: "Stack whose Pulumi.<NAME>.yaml is used (default prod)." },
        { flag: "--config", alias: "-c", value: "KEY=VALUE", repeatable: true, help: "Override a config value." },
        { flag: "--export", value: "FILE", help: "Write the would-be state in `pulumi stack export` format." },
        { flag: "--account", value: "ID", help: `Stand-in 12-digit account id (default ${DEFAULT_ACCOUNT_ID}).` },
        {
            flag: "--policy-config",
            value: "FILE",
            help: `Pack config (default: ${path.basename(DEFAULT_PACK_CONFIG)} at the repository root).`,
        },
        {
            flag: "--engine",
            help: "Run the real `pulumi preview --policy-pack policy-pack` (a `pulumi` on PATH) offline, with the stand-in providers.",
        },
    ],
};

interface CliOptions {
    stack: string;
    overrides: string[];
    exportFile?: string;
    accountId: string;
    /** The pack config; the repository's policy-config.json when not given. */
    policyConfigFile?: string;
    /** Run the real engine (with the stand-in providers) instead of the mocks. */
    engine?: boolean;
}

/** The preview's options; `undefined` when help was asked for. */
export function parseArgs(argv: readonly string[]): CliOptions | undefined {
    const args = parseCommandLine(COMMAND, argv);
    if (args.help) {
        return undefined;
    }
    noPositionals(args);
    const accountId = optionValue(args, "account") ?? DEFAULT_ACCOUNT_ID;
    if (!/^\d{12}$/.test(accountId)) {
        throw new UsageError("--account must be a 12-digit account id");
    }
    const options: CliOptions = {
        stack: optionValue(args, "stack") ?? "prod",
        overrides: [...(args.values.get("config") ?? [])],
        accountId,
    };
    const exportFile = optionValue(args, "export");
    const policyConfigFile = optionValue(args, "policy-config");
    const engine = args.values.has("engine");
    if (engine && exportFile !== undefined) {
        throw new UsageError(
            "--export is the offline preview's: with --engine, use pulumi stack export after pulumi up",
        );
    }
    return {
        ...options,
        ...(exportFile !== undefined ? { exportFile } : {}),
        ...(policyConfigFile !== undefined ? { policyConfigFile } : {}),
        ...(engine ? { engine } : {}),
    };
}

async function preview(options: CliOptions): Promise<number> {
    const { project, config } = assembleStackConfig(PROJECT_DIR, options.stack, options.overrides);
    const packConfig = readPackConfig(options.policyConfigFile ?? DEFAULT_PACK_CONFIG);
    const run = await runProgram({
        programPath: path.join(PROJECT_DIR, "index.ts"),
        project,
        stack: options.stack,
        config,
        preview: true,
        accountId: options.accountId,
    });
    process.stdout.write(
        formatPreview(run.snapshot, run.outputs, { region: config["aws:region"], accountId: options.accountId }),
    );
    if (options.exportFile !== undefined) {
        fs.writeFileSync(options.exportFile, JSON.stringify(toStackExport(run.snapshot), null, 2) + "\n");
        process.stdout.write(
            `\nWrote the would-be state (pulumi stack export format, unknowns as ${UNKNOWN}) to ${options.exportFile}\n`,
        );
    }
    const policyResult = await evaluateSnapshot(run.snapshot, { packConfig });
    process.stdout.write(`\n${formatText(policyResult)}\n`);
    return policyResult.summary.mandatory > 0 ? EXIT.violations : EXIT.ok;
}

/** The same preview by the real engine (loaded only here: it needs no mocks). */
async function enginePreview(options: CliOptions): Promise<number> {
    const engine = await import("../engine/preview");
    const { outcome, exitCode } = await engine.engineRun({
        stack: options.stack,
        overrides: options.overrides,
        accountId: options.accountId,
        policyConfigFile: options.policyConfigFile ?? DEFAULT_PACK_CONFIG,
    });
    process.stdout.write(engine.formatOutcome(options.stack, outcome));
    return exitCode;
}

/** Runs the preview; returns the exit code (tools/common/cli.ts). */
export function main(argv: readonly string[]): Promise<number> {
    return runCommand(COMMAND, async () => {
        const options = parseArgs(argv);
        if (options === undefined) {
            process.stdout.write(helpText(COMMAND));
            return EXIT.ok;
        }
        return options.engine ? enginePreview(options) : preview(options);
    }, [StackConfigError, EvaluationError, ConfigError, EngineMissingError]);
}

if (require.main === module) {
    void main(process.argv.slice(2)).then((code) => process.exit(code));
}
