/**
 * What the repository's command lines share: option parsing with `--help`, usage and input errors,
 * the exit codes, and reading the policy pack config.
 *
 * Exit codes: 0 success, 1 policy violations (or an API error), 2 usage or invalid input,
 * 3 internal error.
 */
import * as fs from "fs";
import * as path from "path";
import type { PackConfig } from "../policy/evaluate";

export const EXIT = { ok: 0, violations: 1, usage: 2, internal: 3 } as const;

/** A wrong command line: reported with the usage line, exit 2. */
export class UsageError extends Error {}

/** Input the user can fix (an unreadable or invalid file or config): reported as is, exit 2. */
export class InputError extends Error {}

export interface OptionSpec {
    /** `--name` */
    readonly flag: string;
    readonly alias?: string;
    /** The value's placeholder in the help (`FILE`, `NAME`); omitted for a switch. */
    readonly value?: string;
    readonly repeatable?: boolean;
    readonly help: string;
}

export interface CommandSpec {
    /** The program's short name, prefixed to its error messages (`preview`). */
    readonly program: string;
    /** As typed, e.g. `npm run preview --`. */
    readonly name: string;
    /** Positional arguments in the usage line, e.g. `check FILE`. */
    readonly positionals?: string;
    readonly summary: string;
    readonly options: readonly OptionSpec[];
    /** The exit codes line of the help, when the command's differ from {@link EXIT}'s meanings. */
    readonly exitCodes?: string;
}

export interface ParsedArgs {
    /** Option values by flag (without the dashes); a switch has `["true"]`. */
    readonly values: ReadonlyMap<string, readonly string[]>;
    readonly positionals: readonly string[];
    readonly help: boolean;
}

const HELP: OptionSpec = { flag: "--help", alias: "-h", help: "Show this help and exit." };

export function usageLine(spec: CommandSpec): string {
    const options = spec.options.map((o) => `[${o.flag}${o.value ? ` ${o.value}` : ""}]${o.repeatable ? "..." : ""}`);
    return ["usage:", spec.name, spec.positionals, ...options].filter(Boolean).join(" ");
}

export function helpText(spec: CommandSpec): string {
    const options = [...spec.options, HELP];
    const labels = options.map((o) => [o.alias, `${o.flag}${o.value ? ` ${o.value}` : ""}`].filter(Boolean).join(", "));
    const width = Math.max(...labels.map((l) => l.length));
    return [
        usageLine(spec),
        "",
        spec.summary,
        "",
        "Options:",
        ...options.map((o, i) => `  ${labels[i].padEnd(width)}  ${o.help}`),
        "",
        `Exit codes: ${spec.exitCodes ?? "0 success, 1 mandatory policy violations, 2 usage or invalid input, 3 internal error."}`,
        "",
    ].join("\n");
}

/** Parses `argv` against the spec; `--help` anywhere wins over every other argument. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
    if (argv.some((a) => a === HELP.flag || a === HELP.alias)) {
        return { values: new Map(), positionals: [], help: true };
    }
    const byName = new Map<string, OptionSpec>();
    for (const o of spec.options) {
        byName.set(o.flag, o);
        if (o.alias) byName.set(o.alias, o);
    }
    const values = new Map<string, string[]>();
    const positionals: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const option = byName.get(arg);
        if (!option) {
            if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
            positionals.push(arg);
            continue;
        }
        const key = option.flag.slice(2);
        let value = "true";
        if (option.value) {
            const next = argv[++i];
            if (next === undefined || next.startsWith("-"))
                throw new UsageError(`${arg} needs a value (${option.value})`);
            value = next;
        }
        if (values.has(key) && !option.repeatable) throw new UsageError(`${option.flag} given twice`);
        values.set(key, [...(values.get(key) ?? []), value]);
    }
    return { values, positionals, help: false };
}

/** The last value of an option, if given. */
export const optionValue = (args: ParsedArgs, flag: string): string | undefined => args.values.get(flag)?.at(-1);

/** The pack config checked in at the repository root, used when no other is named. */
export const DEFAULT_PACK_CONFIG = path.resolve(__dirname, "..", "..", "policy-config.json");

/** Reads a pack config file (the JSON `pulumi preview --policy-pack-config` takes). */
export function readPackConfig(file: string): PackConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new InputError(
            `cannot read pack config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
    }
    let config: unknown;
    try {
        config = JSON.parse(text);
    } catch (e) {
        throw new InputError(`pack config ${file} is not valid JSON: ${(e as Error).message}`);
    }
    if (!config || typeof config !== "object" || Array.isArray(config)) {
        throw new InputError(`pack config ${file} is not a JSON object`);
    }
    return config as PackConfig;
}

/**
 * Runs a command's `main` and maps what it throws to an exit code: usage errors (with the usage
 * line) and the given input error classes exit 2, anything else is an internal error (3, with
 * its stack).
 */
export async function runCommand(
    spec: CommandSpec,
    main: () => Promise<number>,
    inputErrors: readonly (abstract new (...args: never[]) => Error)[],
    err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
    const program = spec.program;
    try {
        return await main();
    } catch (e) {
        if (e instanceof UsageError) {
            err.write(`${program}: ${e.message}\n${usageLine(spec)}\n`);
            return EXIT.usage;
        }
        if (e instanceof InputError || inputErrors.some((kind) => e instanceof kind)) {
            err.write(`${program}: ${(e as Error).message}\n`);
            return EXIT.usage;
        }
        err.write(`${program}: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
        return EXIT.internal;
    }
}
