/**
 * `npm run preview -- [--stack prod] [--config key=value ...] [--export FILE] [--account ID]`
 *
 * What `pulumi preview` would show, without an engine or cloud credentials: the program runs under
 * Pulumi's mocks with the stack's configuration; the resources are listed by component with the
 * stack outputs (unknown values shown as such).
 * Exit codes: 0 success, 2 invalid configuration or arguments, 3 the program failed.
 */
import * as fs from "fs";
import * as path from "path";
import { UNKNOWN } from "../shared/resource-record";
import { runProgram } from "./capture";
import { DEFAULT_ACCOUNT_ID } from "./mocks";
import { formatPreview } from "./format";
import { toStackExport } from "./export";
import { assembleStackConfig, StackConfigError } from "./stack-config";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

interface CliOptions {
    stack: string;
    overrides: string[];
    exportFile?: string;
    accountId: string;
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
            case "--account":
                options.accountId = value();
                if (!/^\d{12}$/.test(options.accountId)) throw new UsageError("--account must be a 12-digit account id");
                break;
            default:
                throw new UsageError(`unknown argument ${flag}; usage: preview [--stack NAME] [--config key=value]... [--export FILE] [--account ID]`);
        }
    }
    return options;
}

async function main(argv: readonly string[]): Promise<number> {
    const options = parseArgs(argv);
    const { project, config } = assembleStackConfig(PROJECT_DIR, options.stack, options.overrides);
    const run = await runProgram({
        programPath: path.join(PROJECT_DIR, "index.ts"),
        project,
        stack: options.stack,
        config,
        preview: true,
        accountId: options.accountId,
    });
    process.stdout.write(formatPreview(run.snapshot, run.outputs, { region: config["aws:region"], accountId: options.accountId }));
    if (options.exportFile !== undefined) {
        fs.writeFileSync(options.exportFile, JSON.stringify(toStackExport(run.snapshot), null, 2) + "\n");
        process.stdout.write(`\nWrote the would-be state (pulumi stack export format, unknowns as ${UNKNOWN}) to ${options.exportFile}\n`);
    }
    return 0;
}

function exitCodeFor(error: unknown): number {
    const name = (error as Error)?.name;
    if (error instanceof UsageError || error instanceof StackConfigError || name === "ConfigError") return 2;
    return 3;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error) => {
            const code = exitCodeFor(error);
            process.stderr.write(`error: ${code === 3 ? (error as Error)?.stack ?? error : (error as Error).message}\n`);
            process.exit(code);
        },
    );
}
