/**
 * What the repository's command lines share: option parsing with `--help` (and subcommands), usage and input errors,
 * the exit codes, and reading the policy pack config.
 *
 * Exit codes: 0 success, 1 policy violations (or an API error), 2 usage or invalid input,
 * 3 internal error.
 */
import * as fs from "fs";
import * as path from "path";
import type { PackConfig } from "../policy/evaluate";

export const EXIT = { ok: 0, violations: 1, usage: 2, internal: 3 } as const;

/** A wrong command line: reported with the usage line (of the subcommand it concerns, when named), exit 2. */
export class UsageError extends Error {
    constructor(
        message: string,
        readonly command?: string,
    ) {
        super(message);
    }
}

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

/** An environment variable a command reads, listed in its help. */
export interface EnvironmentSpec {
    readonly name: string;
    readonly help: string;
}

/** One command of a program that has several (`client status JOB_ID`). */
export interface SubcommandSpec {
    readonly name: string;
    /** Its positional arguments, all required, e.g. `["JOB_ID"]`. */
    readonly positionals?: readonly string[];
    readonly summary: string;
    /** Its own options, accepted after the command word. */
    readonly options?: readonly OptionSpec[];
}

export interface CommandSpec {
    /** The program's short name, prefixed to its error messages (`preview`). */
    readonly program: string;
    /** As typed, e.g. `npm run preview --`. */
    readonly name: string;
    /** Positional arguments in the usage line, e.g. `check FILE`. */
    readonly positionals?: string;
    readonly summary: string;
    /** The options; with `commands`, the ones every command takes (anywhere on the line). */
    readonly options: readonly OptionSpec[];
    /** The first word that is not an option picks one of these; the rest follow its spec. */
    readonly commands?: readonly SubcommandSpec[];
    readonly environment?: readonly EnvironmentSpec[];
    /** The exit codes line of the help, when the command's differ from {@link EXIT}'s meanings. */
    readonly exitCodes?: string;
}

export interface ParsedArgs {
    /** Option values by flag (without the dashes); a switch has `["true"]`. */
    readonly values: ReadonlyMap<string, readonly string[]>;
    readonly positionals: readonly string[];
    /** The subcommand, for a spec with `commands` (with `help`, when one was named). */
    readonly command?: string;
    readonly help: boolean;
}

const HELP: OptionSpec = { flag: "--help", alias: "-h", help: "Show this help and exit." };

/** Everything after it is a positional argument, even when it starts with a dash. */
const END_OF_OPTIONS = "--";

const optionsUsage = (options: readonly OptionSpec[]) =>
    options.map((o) => `[${o.flag}${o.value ? ` ${o.value}` : ""}]${o.repeatable ? "..." : ""}`);

const subcommand = (spec: CommandSpec, name: string | undefined) => spec.commands?.find((c) => c.name === name);

export function usageLine(spec: CommandSpec, command?: string): string {
    const sub = subcommand(spec, command);
    const words = sub ? [sub.name, ...(sub.positionals ?? []), ...optionsUsage(sub.options ?? [])] : [spec.positionals];
    return ["usage:", spec.name, ...words, ...optionsUsage(spec.options)].filter(Boolean).join(" ");
}

/** Two-column lines: labels padded to the widest. */
function table(rows: readonly (readonly [string, string])[]): string[] {
    const width = Math.max(...rows.map(([label]) => label.length));
    return rows.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`);
}

const optionRows = (options: readonly OptionSpec[]) =>
    options.map(
        (o) => [[o.alias, `${o.flag}${o.value ? ` ${o.value}` : ""}`].filter(Boolean).join(", "), o.help] as const,
    );

/** The help of the program, or of one of its commands. */
export function helpText(spec: CommandSpec, command?: string): string {
    const sub = subcommand(spec, command);
    const commandList =
        spec.commands && !sub
            ? [
                  "Commands:",
                  ...table(spec.commands.map((c) => [[c.name, ...(c.positionals ?? [])].join(" "), c.summary])),
                  `  (${spec.name} COMMAND --help: a command's own options)`,
                  "",
              ]
            : [];
    const environment = spec.environment
        ? ["Environment:", ...table(spec.environment.map((e) => [e.name, e.help])), ""]
        : [];
    return [
        usageLine(spec, sub?.name),
        "",
        sub?.summary ?? spec.summary,
        "",
        ...commandList,
        "Options:",
        ...table(optionRows([...(sub?.options ?? []), ...spec.options, HELP])),
        "",
        ...environment,
        `Exit codes: ${spec.exitCodes ?? "0 success, 1 mandatory policy violations, 2 usage or invalid input, 3 internal error."}`,
        "",
    ].join("\n");
}

const isOption = (arg: string) => arg.startsWith("-") && arg !== "-";

function optionIndex(options: readonly OptionSpec[]): Map<string, OptionSpec> {
    const byName = new Map<string, OptionSpec>();
    for (const o of options) {
        byName.set(o.flag, o);
        if (o.alias) byName.set(o.alias, o);
    }
    return byName;
}

/** The command a help request names: the first word that is neither an option nor an option's value. */
function commandForHelp(spec: CommandSpec, argv: readonly string[]): string | undefined {
    const global = optionIndex(spec.options);
    for (let i = 0; i < argv.length; i++) {
        if (!isOption(argv[i])) return subcommand(spec, argv[i])?.name;
        if (global.get(argv[i])?.value) i++;
    }
    return undefined;
}

/**
 * Parses `argv` against the spec, GNU style: `--flag value` or `--flag=value`, options anywhere, `--`
 * ends them. `--help` anywhere before `--` wins over every other argument.
 */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
    const end = argv.indexOf(END_OF_OPTIONS);
    const options = end < 0 ? argv : argv.slice(0, end);
    if (options.some((a) => a === HELP.flag || a === HELP.alias)) {
        return { values: new Map(), positionals: [], command: commandForHelp(spec, options), help: true };
    }
    let byName = optionIndex(spec.options);
    let command: SubcommandSpec | undefined;
    const values = new Map<string, string[]>();
    const positionals: string[] = [];
    // Errors after the command word concern that command: its usage line goes with them.
    const usage = (message: string) => new UsageError(message, command?.name);
    for (let i = 0; i < options.length; i++) {
        const arg = options[i];
        if (!isOption(arg)) {
            if (spec.commands && command === undefined) {
                command = subcommand(spec, arg);
                if (command === undefined) throw new UsageError(`unknown command '${arg}'`);
                byName = optionIndex([...spec.options, ...(command.options ?? [])]);
            } else positionals.push(arg);
            continue;
        }
        const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
        const name = eq < 0 ? arg : arg.slice(0, eq);
        const option = byName.get(name);
        if (!option) throw usage(`unknown option ${name}`);
        const key = option.flag.slice(2);
        if (!option.value) {
            if (eq >= 0) throw usage(`${option.flag} takes no value`);
            values.set(key, ["true"]);
            continue;
        }
        let value = arg.slice(eq + 1);
        if (eq < 0) {
            const next = options[++i];
            // A value that looks like an option is a forgotten value; `--flag=-value` passes one.
            if (next === undefined || isOption(next)) throw usage(`${name} needs a value (${option.value})`);
            value = next;
        }
        if (values.has(key) && !option.repeatable) throw usage(`${option.flag} given twice`);
        values.set(key, [...(values.get(key) ?? []), value]);
    }
    if (end >= 0) positionals.push(...argv.slice(end + 1));
    if (spec.commands) checkPositionals(command, positionals);
    return { values, positionals, command: command?.name, help: false };
}

const unexpectedArgument = (arg: string) => `unexpected argument '${arg}'`;

/** For a command that takes options only. */
export function noPositionals(args: ParsedArgs): void {
    if (args.positionals.length > 0) throw new UsageError(unexpectedArgument(args.positionals[0]));
}

/** A subcommand takes exactly its positionals, none of them empty. */
function checkPositionals(command: SubcommandSpec | undefined, positionals: readonly string[]): void {
    if (command === undefined) throw new UsageError("missing command");
    const expected = command.positionals ?? [];
    const usage = (message: string) => new UsageError(message, command.name);
    if (positionals.length > expected.length) throw usage(unexpectedArgument(positionals[expected.length]));
    const missing = expected.find((_, i) => positionals[i] === undefined);
    if (missing !== undefined) throw usage(`missing ${missing}`);
    const empty = expected.find((_, i) => positionals[i] === "");
    if (empty !== undefined) throw usage(`${empty} is empty`);
}

/** The last value of an option, if given. */
export const optionValue = (args: ParsedArgs, flag: string): string | undefined => args.values.get(flag)?.at(-1);

/**
 * A number read from the environment (for the commands configured as the Lambda functions they run
 * are); a value `valid` refuses is an input error naming the variable, its value and what it must be.
 */
export function numberSetting(
    name: string,
    fallback: number,
    valid: (n: number) => boolean,
    expected: string,
    env: NodeJS.ProcessEnv = process.env,
): number {
    const text = env[name];
    const value = text === undefined ? fallback : Number(text);
    if (text?.trim() === "" || !valid(value)) throw new InputError(`${name}=${text}: must be ${expected}`);
    return value;
}

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

/** Where error messages go: stderr, or a test's or a caller's own sink. */
export interface TextSink {
    write(text: string): unknown;
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
    err: TextSink = process.stderr,
): Promise<number> {
    const program = spec.program;
    try {
        return await main();
    } catch (e) {
        if (e instanceof UsageError) {
            err.write(`${program}: ${e.message}\n${usageLine(spec, e.command)}\n`);
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

/**
 * A program's entry point: parses its command line, answers `--help`, else runs `main` with the
 * arguments, through {@link runCommand}; the exit code is the process's.
 */
export function runProgram(
    spec: CommandSpec,
    main: (args: ParsedArgs) => Promise<number>,
    inputErrors: readonly (abstract new (...args: never[]) => Error)[] = [],
): void {
    void runCommand(
        spec,
        async () => {
            const args = parseArgs(spec, process.argv.slice(2));
            if (!args.help) return main(args);
            process.stdout.write(helpText(spec, args.command));
            return EXIT.ok;
        },
        inputErrors,
    ).then((code) => {
        process.exitCode = code;
    });
}
