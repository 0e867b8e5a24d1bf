/**
 * The sensitive-file exclusion list (container/upload-exclusions.txt), read at run time and matched
 * with the rules its header states, the way container/bin/upload-results.sh applies them with
 * `find -iname` (glibc fnmatch with FNM_CASEFOLD):
 *   - a pattern matches the NAME of a file or directory at any depth; `*`, `?`, `[...]`;
 *     case is ignored; `*` and `?` also match a leading dot;
 *   - a pattern ending with "/" matches directories only; a matched directory is skipped whole;
 *   - a pattern without a trailing "/" matches files and directories alike;
 *   - a pattern containing "/" anywhere else is invalid (the whole list is refused), and so is one
 *     with bracket syntax whose glibc meaning depends on the locale and on the name matched: "[." or
 *     "[=" inside a bracket expression (collating symbols, equivalence classes), and "[:" not starting
 *     a POSIX class.
 * Lines are trimmed of surrounding white space (and a CR); blank lines and `#` lines are ignored.
 * Symbolic links are never uploaded whatever their name: archive.ts skips them.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export const defaultExclusionsFile = resolve(__dirname, "../../container/upload-exclusions.txt");

export interface ExclusionPattern {
    /** The line as written (with its trailing "/" for directory patterns). */
    source: string;
    directoryOnly: boolean;
    regex: RegExp;
}

export class ExclusionListError extends Error {}

const posixClasses: Record<string, string> = {
    alpha: "A-Za-z",
    digit: "0-9",
    alnum: "A-Za-z0-9",
    upper: "A-Z",
    lower: "a-z",
    space: " \\t\\n\\v\\f\\r",
    blank: " \\t",
    punct: "!-\\/:-@\\[-`{-~",
    xdigit: "0-9A-Fa-f",
    cntrl: "\\x00-\\x1f\\x7f",
    print: " -~",
    graph: "!-~",
};

const POSIX_CLASS = new RegExp(`\\[:(?:${Object.keys(posixClasses).join("|")}):\\]`, "gu");
/** "[." or "[=" inside a bracket expression: after "[", "!" or "^", a first "]", escapes and other characters but "]". */
const SYMBOL_IN_BRACKET = /\[[!^]?\]?(?:\\.|[^\]\\])*\[[.=]/u;

/** Why a pattern's bracket syntax is refused (see the header), or undefined. */
function unsupportedBrackets(pattern: string): string | undefined {
    const withoutClasses = pattern.replace(POSIX_CLASS, "c");
    if (withoutClasses.includes("[:")) return "[: must start a POSIX character class";
    if (SYMBOL_IN_BRACKET.test(withoutClasses)) return "collating symbols and equivalence classes are not supported";
    return undefined;
}

/** Escapes a character for a regular expression with the `u` flag (`-` only inside a class). */
const escapeRegex = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
const escapeClass = (c: string) => (c === "-" ? "\\-" : escapeRegex(c));

/**
 * Compiles an fnmatch(3) pattern (FNM_CASEFOLD only: backslash escapes, no special leading dot,
 * case ignored) to an anchored regular expression over code points. An unterminated `[` is a
 * literal `[`.
 */
export function globToRegex(pattern: string): RegExp {
    const chars = Array.from(pattern);
    let out = "";
    for (let i = 0; i < chars.length; i++) {
        const c = chars[i];
        if (c === "*") out += "[^]*";
        else if (c === "?") out += "[^]";
        else if (c === "\\" && i + 1 < chars.length) out += escapeRegex(chars[++i]);
        else if (c === "[") {
            const parsed = parseBracket(chars, i);
            if (parsed) {
                out += parsed.regex;
                i = parsed.end;
            } else out += "\\[";
        } else out += escapeRegex(c);
    }
    return new RegExp(`^${out}$`, "iu");
}

/** Parses the bracket expression starting at chars[start] === "["; undefined when unterminated. */
function parseBracket(chars: string[], start: number): { regex: string; end: number } | undefined {
    let i = start + 1;
    let negate = false;
    if (chars[i] === "!" || chars[i] === "^") {
        negate = true;
        i++;
    }
    const items: string[] = [];
    let first = true;
    for (; i < chars.length; i++) {
        let c = chars[i];
        if (c === "]" && !first)
            return { regex: items.length ? `[${negate ? "^" : ""}${items.join("")}]` : negate ? "[^]" : "[]", end: i };
        first = false;
        if (c === "[" && chars[i + 1] === ":") {
            const close = chars.indexOf(":", i + 2);
            if (close > 0 && chars[close + 1] === "]") {
                const name = chars.slice(i + 2, close).join("");
                const cls = posixClasses[name];
                if (cls === undefined) return undefined; // invalid class: fnmatch treats the pattern as not matching "["-wise; be strict
                items.push(cls);
                i = close + 1;
                continue;
            }
        }
        if (c === "\\" && i + 1 < chars.length) c = chars[++i];
        if (chars[i + 1] === "-" && i + 2 < chars.length && chars[i + 2] !== "]") {
            let high = chars[i + 2];
            let next = i + 2;
            if (high === "\\" && i + 3 < chars.length) high = chars[++next];
            if (high.codePointAt(0)! >= c.codePointAt(0)!) items.push(`${escapeClass(c)}-${escapeClass(high)}`);
            i = next;
            continue;
        }
        items.push(escapeClass(c));
    }
    return undefined;
}

/** Parses the text of an exclusion list; throws ExclusionListError on an invalid pattern. */
export function parseExclusions(text: string): ExclusionPattern[] {
    const patterns: ExclusionPattern[] = [];
    text.split("\n").forEach((raw, index) => {
        const line = raw.replace(/\r$/, "").replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "");
        if (line === "" || line.startsWith("#")) return;
        const directoryOnly = line.endsWith("/");
        const name = directoryOnly ? line.slice(0, -1) : line;
        const invalid = name === "" || name.includes("/") ? "a / other than a trailing one" : unsupportedBrackets(name);
        if (invalid !== undefined)
            throw new ExclusionListError(
                `invalid exclusion pattern on line ${index + 1}: ${JSON.stringify(line)} (${invalid})`,
            );
        patterns.push({ source: line, directoryOnly, regex: globToRegex(name) });
    });
    return patterns;
}

export function loadExclusions(file = process.env.ATX_EXCLUSIONS_FILE || defaultExclusionsFile): ExclusionPattern[] {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        throw new ExclusionListError(
            `exclusion list not readable: ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        );
    }
    return parseExclusions(text);
}

/** The first pattern that excludes an entry with this name, or undefined. */
export function excludedBy(
    patterns: ExclusionPattern[],
    name: string,
    isDirectory: boolean,
): ExclusionPattern | undefined {
    return patterns.find((p) => (isDirectory || !p.directoryOnly) && p.regex.test(name));
}
