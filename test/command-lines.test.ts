/**
 * Every program's command line behaves alike (tools/common/cli.ts): `--help` prints the usage and a
 * summary and exits 0; an unknown flag or a bad value exits 2 with `<program>: <message>` and the
 * usage line, no stack trace. Each program runs as `npm run` runs it, in a child process.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { type CommandSpec, parseArgs, UsageError } from "../tools/common/cli";

const ROOT = path.resolve(__dirname, "..");

interface Run {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

function run(entry: string, argv: readonly string[], env: Record<string, string> = {}): Run {
    const child = spawnSync(process.execPath, ["-r", "./scripts/register-ts.js", entry, ...argv], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, ...env },
        timeout: 60_000,
    });
    return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** Each program: its npm script, entry point, and a bad value (an argument or a setting) it refuses. */
const PROGRAMS = [
    {
        script: "bench:policy",
        entry: "tools/policy/bench.ts",
        bad: { argv: ["--loader", "babel"], env: {}, message: "--loader must be ts-node or esbuild, got babel" },
    },
    {
        script: "bench:api",
        entry: "api/bench/run.ts",
        bad: { argv: [], env: { POST_RUNS: "ten" }, message: "POST_RUNS=ten: must be a positive integer" },
    },
    {
        script: "api:local",
        entry: "api/local/main.ts",
        bad: { argv: [], env: { PORT: "http" }, message: "PORT=http: must be an integer from 0 to 65535" },
    },
    {
        script: "api:build",
        entry: "api/build.ts",
        bad: { argv: ["out"], env: {}, message: "unexpected argument 'out'" },
    },
    {
        script: "client",
        entry: "api/client/cli.ts",
        bad: {
            argv: ["list", "--limit", "ten"],
            env: { ATX_API_URL: "http://127.0.0.1:9" },
            message: "--limit takes a number",
        },
    },
] as const;

/** The first line of a program's help: its usage line. */
const usageOf = (help: string) => help.slice(0, help.indexOf("\n"));

describe("command lines: --help and bad arguments, as npm run runs them", function () {
    this.timeout(120_000);

    for (const { script, entry, bad } of PROGRAMS) {
        describe(`npm run ${script}`, () => {
            let help: Run;
            before(() => {
                help = run(entry, ["--help"]);
            });

            it("answers --help and -h with the usage line, a summary, the options and the exit codes; exit 0", () => {
                assert.equal(help.status, 0, help.stderr);
                assert.equal(help.stderr, "");
                assert.match(help.stdout, new RegExp(`^usage: npm run ${script} --.*\\n\\n[A-Z].+\\n\\n`));
                assert.match(help.stdout, /\nOptions:\n(.*\n)* {2}-h, --help +Show this help and exit\.\n/);
                assert.match(help.stdout, /\nExit codes: 0 [^\n]*, 2 usage[^\n]*\n$/);
                assert.equal(run(entry, ["-h"]).stdout, help.stdout);
            });

            it("exits 2 on an unknown flag, naming it, with the usage line and no stack", () => {
                const r = run(entry, ["--no-such-flag"]);
                assert.equal(r.status, 2);
                assert.equal(r.stdout, "");
                assert.equal(r.stderr, `${script}: unknown option --no-such-flag\n${usageOf(help.stdout)}\n`);
            });

            it("exits 2 on a bad value, saying why, with no stack", () => {
                const r = run(entry, bad.argv, bad.env);
                assert.equal(r.status, 2, r.stderr);
                assert.equal(r.stdout, "");
                assert.ok(r.stderr.startsWith(`${script}: ${bad.message}\n`), r.stderr);
                assert.doesNotMatch(r.stderr, /\n\s+at /);
            });
        });
    }

    describe("npm run client, a command's own line", () => {
        it("answers `<command> --help` with that command's usage and options", () => {
            const r = run("api/client/cli.ts", ["results", "--help"]);
            assert.equal(r.status, 0, r.stderr);
            assert.match(r.stdout, /^usage: npm run client -- results JOB_ID \[--download DIR\] \[--api-url URL\]/);
            assert.match(r.stdout, /\n {2}--download DIR +Download the objects into DIR\.\n/);
            assert.doesNotMatch(r.stdout, /Commands:/);
        });

        it("refuses another command's flag with that command's usage line", () => {
            const r = run("api/client/cli.ts", ["status", "abc", "--download", "out"]);
            assert.equal(r.status, 2);
            assert.equal(
                r.stderr,
                "client: unknown option --download\nusage: npm run client -- status JOB_ID [--api-url URL] [--region REGION] [--pretty]\n",
            );
        });
    });
});

describe("command lines: the shared parser", () => {
    const spec: CommandSpec = {
        program: "tool",
        name: "tool",
        summary: "A tool.",
        options: [
            { flag: "--out", value: "FILE", help: "Output." },
            { flag: "--tag", value: "K=V", repeatable: true, help: "A tag." },
            { flag: "--dry-run", help: "Change nothing." },
        ],
        commands: [
            { name: "show", positionals: ["ID"], summary: "Shows one.", options: [{ flag: "--all", help: "All." }] },
        ],
    };
    const values = (argv: string[]) => Object.fromEntries(parseArgs(spec, argv).values);
    const refusal = (argv: string[]) => {
        try {
            parseArgs(spec, argv);
        } catch (e) {
            if (e instanceof UsageError) return { message: e.message, command: e.command };
            throw e;
        }
        assert.fail(`accepted ${argv.join(" ")}`);
    };

    it("takes --flag value and --flag=value, repeats a repeatable option, and ends options at --", () => {
        assert.deepEqual(values(["show", "--out=-", "--tag", "a=1", "x", "--tag=b=2", "--dry-run", "--dry-run"]), {
            out: ["-"],
            tag: ["a=1", "b=2"],
            "dry-run": ["true"],
        });
        const parsed = parseArgs(spec, ["show", "--", "--not-an-option"]);
        assert.deepEqual([parsed.command, parsed.positionals], ["show", ["--not-an-option"]]);
    });

    it("refuses what it cannot read, naming the command it concerns", () => {
        assert.deepEqual(refusal(["show", "x", "--out", "a", "--out", "b"]), {
            message: "--out given twice",
            command: "show",
        });
        assert.deepEqual(refusal(["show", "x", "--dry-run=yes"]), {
            message: "--dry-run takes no value",
            command: "show",
        });
        assert.deepEqual(refusal(["show", "x", "--out", "--dry-run"]), {
            message: "--out needs a value (FILE)",
            command: "show",
        });
        assert.deepEqual(refusal(["--all", "show", "x"]), { message: "unknown option --all", command: undefined });
        assert.deepEqual(refusal(["list"]), { message: "unknown command 'list'", command: undefined });
        assert.deepEqual(refusal(["--dry-run"]), { message: "missing command", command: undefined });
        assert.deepEqual(refusal(["show"]), { message: "missing ID", command: "show" });
        assert.deepEqual(refusal(["show", ""]), { message: "ID is empty", command: "show" });
        assert.deepEqual(refusal(["show", "x", "y"]), { message: "unexpected argument 'y'", command: "show" });
    });

    it("answers --help for the command named before or after it", () => {
        for (const argv of [
            ["show", "--help"],
            ["--out", "f", "-h", "show"],
            ["--help", "show", "--bogus"],
        ])
            assert.deepEqual(parseArgs(spec, argv), {
                values: new Map(),
                positionals: [],
                command: "show",
                help: true,
            });
        assert.equal(parseArgs(spec, ["--help"]).command, undefined);
    });
});
