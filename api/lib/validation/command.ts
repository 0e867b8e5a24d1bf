/**
 * Turns an `atx ...` command line into an argument vector. The job receives the vector, never a
 * string for a shell, but the container's entrypoint is a shell script, so characters a shell
 * would interpret are refused anywhere (inside quotes too) rather than escaped: defence in depth.
 *
 * Grammar: words separated by spaces; a word may be wrapped in '...' or "..." to include spaces.
 * Every other character must be in `argumentCharacters`.
 */
import { invalid } from "../errors";
import { limits } from "../limits";

/** Letters, digits and the punctuation atx options use (paths, key=value, URLs, versions). */
const argumentCharacters = /^[A-Za-z0-9_\-.,:/=@+% ]*$/;

export function parseCommand(command: unknown, field = "command"): string[] {
    if (typeof command !== "string") throw invalid(field, "command must be a string");
    if (command.length > limits.commandMaxChars) {
        throw invalid(field, `command must be at most ${limits.commandMaxChars} characters`);
    }
    const argv: string[] = [];
    let word: string | undefined;
    let quote: "'" | '"' | undefined;
    for (const char of command) {
        if (quote) {
            if (char === quote) quote = undefined;
            else word += checked(char, field);
        } else if (char === "'" || char === '"') {
            quote = char;
            word ??= "";
        } else if (char === " ") {
            if (word !== undefined) argv.push(word);
            word = undefined;
        } else {
            word = (word ?? "") + checked(char, field);
        }
    }
    if (quote) throw invalid(field, "command has an unterminated quote");
    if (word !== undefined) argv.push(word);

    if (argv[0] !== "atx") throw invalid(field, "command must start with atx");
    if (argv.length < 2) throw invalid(field, "command must name an atx subcommand");
    if (argv.length > limits.commandMaxArgs) {
        throw invalid(field, `command must have at most ${limits.commandMaxArgs} arguments`);
    }
    const long = argv.find((arg) => arg.length > limits.argMaxChars);
    if (long !== undefined) throw invalid(field, `each argument must be at most ${limits.argMaxChars} characters`);
    return argv;
}

function checked(char: string, field: string): string {
    if (!argumentCharacters.test(char)) {
        const shown = /^[\x21-\x7e]$/.test(char)
            ? `'${char}'`
            : `U+${char.codePointAt(0)!.toString(16).padStart(4, "0")}`;
        throw invalid(field, `command contains a character that is not allowed: ${shown}`);
    }
    return char;
}

/** The transformation an `atx custom def exec` command runs, if named (used to derive job names). */
export function transformationName(argv: string[]): string | undefined {
    for (let i = 1; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "-n" || arg === "--transformation-name") return argv[i + 1];
        if (arg.startsWith("--transformation-name=")) return arg.slice("--transformation-name=".length);
    }
    return undefined;
}
