/**
 * `npm run policy -- check FILE [--json OUT] [--sarif OUT] [--markdown OUT] [--policy-config FILE]`
 *
 * Evaluates the atx-security policy pack over a `pulumi stack export` document, the output of
 * `pulumi preview --json`, or a StackSnapshot, without credentials. Prints the violations and
 * writes the requested reports. The pack config is the repository's policy-config.json unless
 * `--policy-config` names another. Exit codes (tools/common/cli.ts): 0 no mandatory violation,
 * 1 mandatory violations, 2 usage, unreadable or unrecognised input or invalid pack config,
 * 3 internal error.
 */
import * as fs from "fs";
import * as path from "path";
import {
    type CommandSpec,
    DEFAULT_PACK_CONFIG,
    EXIT,
    helpText,
    optionValue,
    parseArgs,
    readPackConfig,
    runCommand,
    UsageError,
} from "../common/cli";
import { EvaluationError } from "./evaluate";
import { evaluateSnapshot } from "./index";
import { readSnapshotDocument } from "./readers";
import { formatJson, formatMarkdown, formatSarif, formatText } from "./reporters";

export const COMMAND: CommandSpec = {
    program: "policy",
    name: "npm run policy --",
    positionals: "check FILE",
    summary:
        "Evaluates the atx-security policy pack over a `pulumi stack export` document, `pulumi preview --json` output or a StackSnapshot, offline.",
    options: [
        { flag: "--json", value: "OUT", help: "Write the violations and the summary as JSON." },
        { flag: "--sarif", value: "OUT", help: "Write SARIF 2.1.0 for code scanning." },
        { flag: "--markdown", value: "OUT", help: "Write a markdown report (a PR comment)." },
        {
            flag: "--policy-config",
            value: "FILE",
            help: `Pack config (default: ${path.basename(DEFAULT_PACK_CONFIG)} at the repository root).`,
        },
    ],
};

export interface CheckOptions {
    readonly file: string;
    readonly json?: string;
    readonly sarif?: string;
    readonly markdown?: string;
    readonly policyConfig: string;
}

/** The `check` command's options; `undefined` when help was asked for. */
export function parseCheckArgs(argv: readonly string[]): CheckOptions | undefined {
    const args = parseArgs(COMMAND, argv);
    if (args.help) {
        return undefined;
    }
    const [command, file, ...extra] = args.positionals;
    if (command !== "check") {
        throw new UsageError(command ? `unknown command '${command}'` : "missing command");
    }
    if (!file) {
        throw new UsageError("missing FILE");
    }
    if (extra.length > 0) {
        throw new UsageError(`unexpected argument '${extra[0]}'`);
    }
    return {
        file,
        json: optionValue(args, "json"),
        sarif: optionValue(args, "sarif"),
        markdown: optionValue(args, "markdown"),
        policyConfig: optionValue(args, "policy-config") ?? DEFAULT_PACK_CONFIG,
    };
}

function write(file: string, content: string) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, content);
}

async function check(options: CheckOptions, out: NodeJS.WritableStream): Promise<number> {
    const packConfig = readPackConfig(options.policyConfig);
    const snapshot = readSnapshotDocument(options.file);
    const result = await evaluateSnapshot(snapshot, { packConfig });
    out.write(formatText(result) + "\n");
    if (options.json) {
        write(options.json, formatJson(result));
    }
    if (options.sarif) {
        const artifactUri = path.relative(process.cwd(), path.resolve(options.file)).split(path.sep).join("/");
        write(options.sarif, formatSarif(result, { artifactUri }));
    }
    if (options.markdown) {
        const title = `Policy check of ${snapshot.stack || path.basename(options.file)}`;
        write(options.markdown, formatMarkdown(result, { title }));
    }
    return result.summary.mandatory > 0 ? EXIT.violations : EXIT.ok;
}

/** Runs the CLI; returns the exit code. */
export async function main(
    argv: readonly string[],
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
    return runCommand(
        COMMAND,
        async () => {
            const options = parseCheckArgs(argv);
            if (options === undefined) {
                out.write(helpText(COMMAND));
                return EXIT.ok;
            }
            return check(options, out);
        },
        [EvaluationError],
        err,
    );
}

if (require.main === module) {
    void main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
