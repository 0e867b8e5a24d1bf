/**
 * `npm run preview -- [--stack prod] [--config key=value ...] [--export FILE] [--account ID]
 *                    [--policy-config FILE]`
 *
 * What `pulumi preview --policy-pack policy-pack` would show, without an engine or cloud
 * credentials: the program runs under Pulumi's mocks with the stack's configuration; the resources
 * are listed by component with the stack outputs (unknown values shown as such), then the policy
 * pack is evaluated over them and each violation is printed.
 * Exit codes: 0 success, 1 mandatory policy violations, 2 invalid configuration or arguments,
 * 3 the program failed.
 */
import * as fs from "fs";
import * as path from "path";
import { EvaluationError, evaluateSnapshot, formatText, PackConfig } from "../policy";
import { UNKNOWN } from "../shared/resource-record";
import { runProgram } from "./capture";
import { DEFAULT_ACCOUNT_ID } from "./mocks";
import { formatPreview } from "./format";
import { toStackExport } from "./export";
import { assembleStackConfig, StackConfigError } from "./stack-config";
import { ConfigError } from "../../config";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

interface CliOptions {
    stack: string;
    overrides: string[];
    exportFile?: string;
    accountId: string;
    policyConfigFile?: string;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): CliOptions {
    const options: CliOptions = { stack: "prod", overrides: [], accountId: DEFAULT_ACCOUNT_ID };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const value = () => {
            const next = argv[++i];
            if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
            return next;
        };
        switch (flag) {
            case "--stack":
            case "-s":
                options.stack = value();
                break;
            case "--config":
            case "-c":
                options.overrides.push(value());
                break;
            case "--export":
                options.exportFile = value();
                break;
            case "--policy-config":
                options.policyConfigFile = value();
                break;
            case "--account":
                options.accountId = value();
                if (!/^\d{12}$/.test(options.accountId))
                    throw new UsageError("--account must be a 12-digit account id");
                break;
            default:
                throw new UsageError(
                    `unknown argument ${flag}; usage: preview [--stack NAME] [--config key=value]... [--export FILE] [--account ID] [--policy-config FILE]`,
                );
        }
    }
    return options;
}

async function main(argv: readonly string[]): Promise<number> {
    const options = parseArgs(argv);
    const { project, config } = assembleStackConfig(PROJECT_DIR, options.stack, options.overrides);
    const packConfig = options.policyConfigFile === undefined ? undefined : readPackConfig(options.policyConfigFile);
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
    return policyResult.summary.mandatory > 0 ? 1 : 0;
}

function readPackConfig(file: string): PackConfig {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as PackConfig;
    } catch (error) {
        throw new UsageError(`--policy-config ${file}: ${(error as Error).message}`);
    }
}

function exitCodeFor(error: unknown): number {
    const invalidInput = [UsageError, StackConfigError, EvaluationError, ConfigError];
    if (invalidInput.some((kind) => error instanceof kind)) return 2;
    return 3;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error) => {
            const code = exitCodeFor(error);
            process.stderr.write(
                `error: ${code === 3 ? ((error as Error)?.stack ?? error) : (error as Error).message}\n`,
            );
            process.exit(code);
        },
    );
}
