/**
 * One table of command lines (test/fixtures/command-lines.json) against both parsers of the
 * `atx ...` line: the API's, which turns a request's command into the job's argument vector, and
 * the job container's, which does the same for the entrypoint's `--command "<line>"` form (the
 * AWS sample's direct Batch submission). Neither may accept what the other refuses.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ApiError } from "../api/lib/errors";
import { parseCommand } from "../api/lib/validation/command";

const ROOT = path.join(__dirname, "..");
const PARSER = path.join(ROOT, "container", "lib", "command-line.sh");

interface Case {
    name: string;
    line: string;
    argv?: string[];
    error?: string;
}
type Outcome = { argv: string[] } | { error: string };

const table = JSON.parse(fs.readFileSync(path.join(ROOT, "test", "fixtures", "command-lines.json"), "utf8")) as {
    cases: Case[];
};

function typescriptParser(line: string): Outcome {
    try {
        return { argv: parseCommand(line) };
    } catch (error) {
        if (error instanceof ApiError) return { error: error.message };
        throw error;
    }
}

/** Runs container/lib/command-line.sh in bash; the vector comes back NUL-separated. */
function containerParser(line: string, locale = "C.UTF-8"): Outcome {
    const script = `source "$1" && if parse_command_line "$2"; then printf '%s\\0' "\${COMMAND_ARGV[@]}"; else printf '%s' "$COMMAND_LINE_ERROR" >&2; exit 1; fi`;
    const run = spawnSync("bash", ["--norc", "--noprofile", "-c", script, "bash", PARSER, line], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, LANG: locale, LC_ALL: locale },
    });
    if (run.status === 0) return { argv: run.stdout.split("\0").slice(0, -1) };
    assert.strictEqual(run.status, 1, `bash failed: ${run.stderr}`);
    return { error: run.stderr };
}

function check(outcome: Outcome, expected: Case) {
    if (expected.argv) {
        assert.deepStrictEqual(outcome, { argv: expected.argv });
    } else {
        assert.ok("error" in outcome, `accepted: ${JSON.stringify(outcome)}`);
        assert.ok(
            outcome.error.startsWith(expected.error!),
            `"${outcome.error}" does not start with "${expected.error}"`,
        );
    }
}

describe("the command-line table, against both parsers", () => {
    it("holds accepted and refused lines", () => {
        assert.ok(table.cases.filter((c) => c.argv).length >= 10);
        assert.ok(table.cases.filter((c) => c.error).length >= 30);
    });

    for (const parser of [
        { name: "the API's parser (TypeScript)", parse: typescriptParser },
        { name: "the container's parser (bash)", parse: (line: string) => containerParser(line) },
    ]) {
        describe(parser.name, () => {
            for (const c of table.cases) {
                it(`${c.argv ? "accepts" : "refuses"} ${c.name}`, () => check(parser.parse(c.line), c));
            }
        });
    }

    it("the container's parser answers the same in the C locale", () => {
        for (const c of table.cases) check(containerParser(c.line, "C"), c);
    });
});
