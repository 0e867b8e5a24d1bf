/**
 * `npm run policy -- check FILE [--json OUT] [--sarif OUT] [--markdown OUT] [--config PACKCONFIG]`
 *
 * Evaluates the atx-security policy pack over a `pulumi stack export` document, the output of
 * `pulumi preview --json`, or a StackSnapshot, without credentials. Prints the violations and
 * writes the requested reports. Exit codes: 0 no mandatory violation, 1 mandatory violations,
 * 2 unreadable or unrecognised input, invalid pack config or usage.
 */
import * as fs from "fs";
import * as path from "path";
import { EvaluationError, PackConfig } from "./evaluate";
import { evaluateSnapshot } from "./index";
import { InputError, readSnapshotDocument } from "./readers";
import { formatJson, formatMarkdown, formatSarif, formatText } from "./reporters";

export const USAGE = "usage: policy check FILE [--json OUT] [--sarif OUT] [--markdown OUT] [--config PACKCONFIG.json]";

export class UsageError extends Error {}

export interface CheckOptions {
    readonly file: string;
    readonly json?: string;
    readonly sarif?: string;
    readonly markdown?: string;
    readonly config?: string;
}

export function parseArgs(argv: readonly string[]): CheckOptions {
    const [command, ...rest] = argv;
    if (command !== "check") {
        throw new UsageError(command ? `unknown command '${command}'` : "missing command");
    }
    const options: Record<string, string> = {};
    let file: string | undefined;
    for (let i = 0; i < rest.length; i++) {
        const arg = rest[i];
        const flag = /^--(json|sarif|markdown|config)$/.exec(arg);
        if (flag) {
            const value = rest[++i];
            if (value === undefined || value.startsWith("--")) {
                throw new UsageError(`${arg} needs a file name`);
            }
            options[flag[1]] = value;
        } else if (arg.startsWith("--") || file !== undefined) {
            throw new UsageError(`unexpected argument '${arg}'`);
        } else {
            file = arg;
        }
    }
    if (!file) {
        throw new UsageError("missing FILE");
    }
    return { file, ...options };
}

function readPackConfig(file: string): PackConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new InputError(
            `cannot read pack config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
    }
    try {
        const config = JSON.parse(text);
        if (!config || typeof config !== "object" || Array.isArray(config)) {
            throw new Error("not a JSON object");
        }
        return config;
    } catch (e) {
        throw new InputError(`pack config ${file} is not a JSON object: ${(e as Error).message}`);
    }
}

function write(file: string, content: string) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, content);
}

/** Runs the CLI; returns the exit code. */
export async function main(
    argv: readonly string[],
    out: NodeJS.WritableStream = process.stdout,
    err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
    try {
        const options = parseArgs(argv);
        const packConfig = options.config ? readPackConfig(options.config) : undefined;
        const snapshot = readSnapshotDocument(options.file);
        const result = await evaluateSnapshot(snapshot, { packConfig });
        out.write(formatText(result) + "\n");
        if (options.json) {
            write(options.json, formatJson(result));
        }
        if (options.sarif) {
            write(
                options.sarif,
                formatSarif(result, {
                    artifactUri: path.relative(process.cwd(), path.resolve(options.file)).split(path.sep).join("/"),
                }),
            );
        }
        if (options.markdown) {
            write(
                options.markdown,
                formatMarkdown(result, { title: `Policy check of ${snapshot.stack || path.basename(options.file)}` }),
            );
        }
        return result.summary.mandatory > 0 ? 1 : 0;
    } catch (e) {
        if (e instanceof UsageError) {
            err.write(`policy: ${e.message}\n${USAGE}\n`);
            return 2;
        }
        if (e instanceof InputError || e instanceof EvaluationError) {
            err.write(`policy: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (e) => {
            process.stderr.write(`policy: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
            process.exitCode = 2;
        },
    );
}
