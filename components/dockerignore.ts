/**
 * Which files of a build context Docker sends, by the rules of its `.dockerignore`: patterns are
 * paths relative to the context with `*` and `?` inside one path segment and `**` across any
 * number of segments; a pattern that matches a directory covers everything beneath it; a pattern
 * starting with `!` lets back in what an earlier one left out; the last matching pattern decides.
 */

interface Rule {
    readonly include: boolean;
    readonly pattern: RegExp;
}

function toRegExp(glob: string): RegExp {
    let source = "";
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === "*" && glob[i + 1] === "*") {
            // `**/` is zero or more whole segments; a trailing `**` is everything.
            if (glob[i + 2] === "/") {
                source += "(?:.*/)?";
                i += 2;
            } else {
                source += ".*";
                i += 1;
            }
        } else if (c === "*") source += "[^/]*";
        else if (c === "?") source += "[^/]";
        else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
    return new RegExp(`^${source}$`);
}

function clean(pattern: string): string {
    return pattern
        .split("/")
        .filter((segment) => segment !== "" && segment !== ".")
        .join("/");
}

/** A predicate telling whether a context-relative path (`/`-separated) is sent to the builder. */
export function dockerignoreFilter(text: string): (relativePath: string) => boolean {
    const rules: Rule[] = [];
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#")) continue;
        const include = line.startsWith("!");
        const pattern = clean(include ? line.slice(1).trim() : line);
        if (pattern !== "") rules.push({ include, pattern: toRegExp(pattern) });
    }
    return (relativePath) => {
        const segments = relativePath.split("/");
        const candidates = segments.map((_, i) => segments.slice(0, i + 1).join("/"));
        let sent = true;
        for (const rule of rules) {
            if (candidates.some((candidate) => rule.pattern.test(candidate))) sent = rule.include;
        }
        return sent;
    };
}
