/**
 * The command-line client (api/client): the exclusion matcher against the rules of
 * container/upload-exclusions.txt and against the container's own upload script (a differential
 * property over random trees and random lists), the zip it uploads, and every command run as a
 * child process against api:local backed by moto.
 */
import { strict as assert } from "node:assert";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DescribeJobsCommand, BatchClient } from "@aws-sdk/client-batch";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import fc from "fast-check";
import { selectFiles, writeZip } from "../client/archive";
import { parseClientArgs } from "../client/cli";
import {
    defaultExclusionsFile,
    excludedBy,
    ExclusionListError,
    globToRegex,
    loadExclusions,
    parseExclusions,
} from "../client/exclusions";
import { eventually, useMoto } from "./support/moto";
import type { BatchAnswer, JobAnswer, JobsPage, ResultsAnswer, StoredAnswer } from "./support/api-answers";
import { startApiLocal, type RunningApi } from "./support/local-api";

const repoRoot = resolve(__dirname, "../..");
const uploadScript = join(repoRoot, "container/bin/upload-results.sh");
/** A Python with detect-secrets (requirements-dev.txt), for the secret scan of both uploads. */
const scanPython = join(repoRoot, ".venv/bin/python");

function tempDir(label: string): string {
    return mkdtempSync(join(tmpdir(), `atx-client-${label}-`));
}

/** Creates files (string content), directories (objects) and symbolic links ({ link: target }). */
type Tree = { [name: string]: string | Tree | { link: string } };
function makeTree(root: string, tree: Tree) {
    mkdirSync(root, { recursive: true });
    for (const [name, node] of Object.entries(tree)) {
        const path = join(root, name);
        if (typeof node === "string") writeFileSync(path, node);
        else if ("link" in node && typeof node.link === "string") symlinkSync(node.link, path);
        else makeTree(path, node);
    }
}

const included = (root: string, file = defaultExclusionsFile) =>
    selectFiles(root, loadExclusions(file))
        .files.map((f) => f.path)
        .sort();

describe("client: exclusion list matcher", () => {
    const patterns = loadExclusions();

    it("reads the container's list at run time, with its directory-only patterns", () => {
        const text = readFileSync(defaultExclusionsFile, "utf8");
        const lines = text
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l && !l.startsWith("#"));
        assert.deepEqual(
            patterns.map((p) => p.source),
            lines,
        );
        assert.ok(patterns.some((p) => p.source === ".git/" && p.directoryOnly));
        assert.ok(patterns.some((p) => p.source === ".env*" && !p.directoryOnly));
    });

    it("matches every pattern of the list by name: directory patterns only directories, the others both", () => {
        for (const p of patterns) {
            const name = p.source.replace(/\/$/, "").replace(/\*/g, "x").replace(/\?/g, "q");
            assert.ok(excludedBy(patterns, name, true), `directory ${name} (${p.source})`);
            if (p.directoryOnly)
                assert.equal(
                    excludedBy(patterns, name, false)?.directoryOnly ?? false,
                    false,
                    `file ${name} must not match ${p.source}`,
                );
            else assert.ok(excludedBy(patterns, name, false), `file ${name} (${p.source})`);
        }
        assert.equal(excludedBy(patterns, ".aws", false), undefined);
        assert.equal(excludedBy(patterns, ".aws", true)?.source, ".aws/");
    });

    it("implements fnmatch globs: *, ?, classes, negation, escapes, leading dots, case", () => {
        const cases: [string, string, boolean][] = [
            ["*.pem", "server.pem", true],
            ["*.pem", ".pem", true],
            ["*.pem", "server.PEM", true],
            ["*.pem", "Server.Pem", true],
            ["*.pem", "server.pem.bak", false],
            ["id_rsa*", "id_rsa.pub", true],
            ["id_rsa*", "my_id_rsa", false],
            [".env*", ".env", true],
            [".env*", "env", false],
            ["credentials", "credentials", true],
            ["credentials", "credentials.json", false],
            ["credentials", "CREDENTIALS", true],
            ["id_rsa*", "ID_RSA", true],
            ["[a-c]x", "Bx", true],
            ["a?c", "abc", true],
            ["a?c", "ac", false],
            ["a?c", "a.c", true],
            ["[ab]x", "bx", true],
            ["[ab]x", "cx", false],
            ["[!ab]x", "cx", true],
            ["[!ab]x", "ax", false],
            ["[^ab]x", "ax", false],
            ["[a-c]", "b", true],
            ["[a-c]", "d", false],
            ["[]x]", "]", true],
            ["[]x]", "x", true],
            ["[", "[", true],
            ["a[", "a[", true],
            ["\\*", "*", true],
            ["\\*", "a", false],
            ["[[:digit:]]*", "7up", true],
            ["[[:digit:]]*", "up", false],
            ["a.b", "axb", false],
            ["a+b", "a+b", true],
            ["(x)", "(x)", true],
            ["*", "", true],
            ["?", "", false],
            ["É*", "état", true], // Unicode case folding: the client may exclude more than find in the C locale
            ["é*", "état", true],
            ["*é", "café", true],
        ];
        for (const [pattern, name, expected] of cases)
            assert.equal(globToRegex(pattern).test(name), expected, `${pattern} vs ${name}`);
    });

    it("parses comments, blank lines, CRLF and surrounding space; refuses a / other than a trailing one", () => {
        const parsed = parseExclusions("# c\n\n  *.pem  \r\n\t# indented comment\nsecrets/\r\n");
        assert.deepEqual(
            parsed.map((p) => [p.source, p.directoryOnly]),
            [
                ["*.pem", false],
                ["secrets/", true],
            ],
        );
        for (const bad of ["a/b", "/", "a//", "/a", "a/b/"])
            assert.throws(() => parseExclusions(`ok\n${bad}\n`), /invalid exclusion pattern/, bad);
    });

    it("refuses bracket syntax glibc gives a locale-dependent meaning, and keeps the rest of bracket syntax", () => {
        for (const bad of [
            "[[.a.]]",
            "[![=a=]]",
            "[a-[.c.]]",
            "[x[.a",
            "[]x[.a.]]",
            "[[:alpha:][=a=]]",
            "[[:bogus:]]",
            "[[:alpha]",
            "[:",
            "[[:alpha:]x[:Digit:]]",
        ])
            assert.throws(() => parseExclusions(`ok\n${bad}\n`), /invalid exclusion pattern on line 2: .*\(.*\)/, bad);
        for (const good of ["[.]env", "[0-9][.]pem", "[:alpha:]", "[[:digit:][:alpha:]]x", "a[b", "[]a]", "=", ":"])
            assert.equal(parseExclusions(`${good}\n`).length, 1, good);
    });

    it("excludes names at any depth, prunes excluded directories, never follows or keeps symbolic links", () => {
        const root = tempDir("select");
        try {
            makeTree(root, {
                "README.md": "r",
                ".env": "SECRET",
                ".aws": "a file named like a credential directory",
                src: {
                    "Main.java": "class Main {}",
                    ".env.local": "S",
                    deep: { deeper: { id_ed25519: "k", "ok.txt": "ok", ".ssh": { config: "c" } } },
                },
                ".git": { config: "[core]", HEAD: "ref" },
                "app.pem": { "inside.txt": "a directory matched by a name pattern is pruned" },
                "passwd-link": { link: "/etc/passwd" },
                "dir-link": { link: "src" },
            });
            const selection = selectFiles(root, patterns);
            assert.deepEqual(selection.files.map((f) => f.path).sort(), [
                ".aws",
                "README.md",
                "src/Main.java",
                "src/deep/deeper/ok.txt",
            ]);
            assert.equal(selection.excluded["symbolic link"], 2);
            assert.equal(selection.excluded["pattern .git/"], 1);
            assert.equal(selection.excluded["pattern .env*"], 2);
            assert.equal(selection.excluded["pattern *.pem"], 1);
            assert.equal(selection.excludedTotal, 8);
        } finally {
            rmSync(root, { recursive: true, force: true });
        }
    });

    describe("against the container's upload script (container/bin/upload-results.sh with a fake aws CLI)", () => {
        let work: string;
        let fakeBin: string;
        before(() => {
            work = tempDir("oracle");
            fakeBin = join(work, "bin");
            mkdirSync(fakeBin);
            // The script ends with "aws s3 cp --recursive STAGE DEST ...": list what it staged.
            writeFileSync(
                join(fakeBin, "aws"),
                `#!/usr/bin/env bash\n[[ $1 == s3 && $2 == cp ]] || exit 1\ncd "$4" && find . -type f -printf '%P\\n' >"$FAKE_AWS_LIST"\n`,
            );
            chmodSync(join(fakeBin, "aws"), 0o755);
        });
        after(() => rmSync(work, { recursive: true, force: true }));

        /** Both readers refuse a list they find invalid: the container with exit 64, the client with ExclusionListError. */
        const REFUSED = "the exclusion list is refused";

        /** The files the container would upload from `root` with the exclusion list `file`. */
        const containerUploads = (root: string, file: string): string[] | typeof REFUSED => {
            const list = join(work, "list.txt");
            writeFileSync(list, "");
            const run = spawnSync("bash", [uploadScript, "s3://oracle-bucket/p/", `ws=${root}`], {
                env: {
                    PATH: `${fakeBin}:/usr/bin:/bin`,
                    HOME: work,
                    FAKE_AWS_LIST: list,
                    ATX_EXCLUSIONS_FILE: file,
                    ATX_WORK_DIR: join(work, "stage"),
                    ATX_SECRET_SCAN_PYTHON: scanPython,
                },
                stdio: ["ignore", "ignore", "pipe"],
                encoding: "utf8",
            });
            if (run.status === 64) return REFUSED;
            assert.equal(run.status, 0, run.stderr);
            return readFileSync(list, "utf8")
                .split("\n")
                .filter(Boolean)
                .map((p) => p.replace(/^ws\//, ""))
                .sort();
        };

        const name = (alphabet: string[]) =>
            fc
                .array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 5 })
                .map((a) => a.join(""))
                .filter((n) => n !== "." && n !== "..");
        const treeOf = (names: fc.Arbitrary<string>) =>
            fc.letrec<{ tree: Tree }>((tie) => ({
                tree: fc.dictionary(
                    names,
                    fc.oneof(
                        { maxDepth: 3 },
                        { weight: 4, arbitrary: fc.constant("x") },
                        { weight: 2, arbitrary: tie("tree") },
                        {
                            weight: 1,
                            arbitrary: fc.constantFrom({ link: "/etc/passwd" }, { link: "." }, { link: "missing" }),
                        },
                    ),
                    { maxKeys: 4 },
                ),
            })).tree;
        const realNames = [
            "src",
            "README.md",
            ".env",
            ".env.local",
            ".envrc",
            "env",
            ".git",
            ".gitignore",
            ".git-credentials",
            ".gitconfig",
            "id_rsa",
            "id_rsa.pub",
            "my_id_rsa",
            "key.pem",
            ".pem",
            "x.key",
            "Key.PEM",
            "ID_RSA",
            ".ENV",
            "CREDENTIALS",
            "Secrets.YAML",
            "credentials",
            "credentials.json",
            ".aws",
            ".ssh",
            ".kube",
            ".docker",
            ".dockercfg",
            "config",
            "terraform.tfstate",
            "a.tfstate.backup",
            ".npmrc",
            "[x]",
            "*",
            "?",
            "main.tf",
        ];

        let case_ = 0;
        const check = (tree: Tree, file: string) => {
            const root = join(work, `tree-${case_++}`);
            makeTree(root, tree);
            try {
                const container = containerUploads(root, file);
                let client: string[] | typeof REFUSED;
                try {
                    client = included(root, file);
                } catch (e) {
                    if (!(e instanceof ExclusionListError)) throw e;
                    client = REFUSED;
                }
                if (Array.isArray(client) && Array.isArray(container)) {
                    const leaked = client.filter((p) => !container.includes(p));
                    assert.deepEqual(leaked, [], "the client keeps files the container would exclude");
                }
                assert.deepEqual(client, container);
            } finally {
                rmSync(root, { recursive: true, force: true });
            }
        };

        it("keeps exactly what the container keeps, on random trees, with the real list", () => {
            fc.assert(
                fc.property(treeOf(fc.constantFrom(...realNames)), (tree) => check(tree, defaultExclusionsFile)),
                { numRuns: 60 },
            );
        });

        it("keeps exactly what the container keeps, on random trees, with random glob lists", () => {
            const alphabet = ["a", "b", ".", "-", "]", "!"];
            const patternChars = [...alphabet, ":", "=", "*", "?", "[", "[a-b]", "[!a]", "[]a]", "[:alpha:]"];
            const list = fc
                .array(
                    fc.tuple(
                        name(patternChars).filter((p) => !p.startsWith("#")),
                        fc.boolean(),
                    ),
                    { minLength: 1, maxLength: 4 },
                )
                .map((entries) => entries.map(([p, dir]) => (dir ? `${p}/` : p)).join("\n") + "\n");
            fc.assert(
                fc.property(list, treeOf(name(alphabet)), (text, tree) => {
                    const file = join(work, "list.txt.patterns");
                    writeFileSync(file, text);
                    check(tree, file);
                }),
                { numRuns: 60 },
            );
        });
    });
});

describe("client: zip archive", () => {
    it("writes an archive unzip accepts, deflated and stored entries, contents and modes intact", () => {
        const root = tempDir("zip");
        try {
            const big = "line of a compressible file\n".repeat(5000);
            makeTree(root, {
                "big.txt": big,
                tiny: "x",
                empty: "",
                sub: { "ünï.txt": "utf-8 name", mvnw: "#!/bin/sh\n" },
            });
            chmodSync(join(root, "sub/mvnw"), 0o755);
            const zip = join(root, "..", `${root.split("/").pop()}.zip`);
            const size = writeZip(selectFiles(root, []).files, zip);
            assert.equal(size, readFileSync(zip).length);
            execFileSync("unzip", ["-tq", zip]);
            assert.deepEqual(execFileSync("unzip", ["-Z1", zip], { encoding: "utf8" }).trim().split("\n").sort(), [
                "big.txt",
                "empty",
                "sub/mvnw",
                "sub/ünï.txt",
                "tiny",
            ]);
            assert.equal(execFileSync("unzip", ["-p", zip, "big.txt"], { encoding: "utf8", maxBuffer: 1 << 24 }), big);
            assert.ok(size < big.length / 10, "big.txt is deflated");
            assert.match(execFileSync("zipinfo", [zip, "sub/mvnw"], { encoding: "utf8" }), /^-rwxr-xr-x/);
            rmSync(zip);
        } finally {
            rmSync(root, { recursive: true, force: true });
        }
    });
});

describe("client: argument parsing", () => {
    it("parses options before and after arguments, repeated options, --opt=value and --", () => {
        const parsed = parseClientArgs([
            "submit",
            "--command=atx custom def list",
            "--env",
            "A=1",
            "--env",
            "B=2",
            "--pretty",
        ]);
        assert.equal(parsed.command, "submit");
        assert.deepEqual(Object.fromEntries(parsed.values), {
            command: ["atx custom def list"],
            env: ["A=1", "B=2"],
            pretty: ["true"],
        });
        assert.deepEqual(parseClientArgs(["status", "--", "--weird-id"]).positionals, ["--weird-id"]);
    });
});

interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** What the CLI prints on stderr when the API or the client refuses. */
interface CliError {
    status?: number;
    message?: string;
    error: { code: string; message: string; field?: string };
}

/** What `upload` prints. */
interface UploadedArchive {
    s3Uri: string;
    files: number;
    bytes: number;
    excluded: { total: number; reasons: Record<string, number> };
}

const parse = <T>(text: string) => JSON.parse(text) as T;

describe("client CLI end to end through api:local", function () {
    this.timeout(120_000);
    const moto = useMoto("cli");
    /** A second stack without job events: jobs stay SUBMITTED, so they can be cancelled. */
    const quiet = useMoto("cli-quiet");
    const credentials = {
        AWS_ACCESS_KEY_ID: "AKIACLIENTTEST000001",
        AWS_SECRET_ACCESS_KEY: "cli-test-secret-9f8e7d6c5b4a3210",
    };
    let api: RunningApi;
    let quietApi: RunningApi;
    let work: string;
    const outputs: string[] = [];
    const s3 = () => new S3Client({ endpoint: moto.url, region: "us-east-1", forcePathStyle: true });

    /** Runs the CLI as a child process, with only the given credentials in its provider chain. */
    const cli = (args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> => {
        const base: Record<string, string> = {};
        for (const [key, value] of Object.entries(process.env))
            if (value !== undefined && !/^(AWS_|ATX_)/.test(key)) base[key] = value;
        const childEnv: Record<string, string> = {
            ...base,
            ...credentials,
            AWS_REGION: "us-east-1",
            ATX_API_URL: api.url,
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_CONFIG_FILE: join(work, "no-config"),
            AWS_SHARED_CREDENTIALS_FILE: join(work, "no-credentials"),
            ATX_SECRET_SCAN_PYTHON: scanPython,
        };
        for (const [key, value] of Object.entries(env)) {
            if (value === undefined) delete childEnv[key];
            else childEnv[key] = value;
        }
        return new Promise((done) => {
            execFile(
                process.execPath,
                ["-r", "./scripts/register-ts.js", "api/client/cli.ts", ...args],
                { cwd: repoRoot, env: childEnv, maxBuffer: 1 << 24 },
                (error, stdout, stderr) => {
                    outputs.push(stdout, stderr);
                    done({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
                },
            );
        });
    };
    const ok = async <T>(args: string[], env?: Record<string, string | undefined>) => {
        const result = await cli(args, env);
        assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
        return parse<T>(result.stdout);
    };
    const sourceObject = async (s3Uri: string): Promise<Buffer> => {
        const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(s3Uri)!;
        const object = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(await object.Body!.transformToByteArray());
    };

    before(async () => {
        work = tempDir("e2e");
        const common = { ...credentials, LOCAL_JOB_EVENTS_INTERVAL_MS: "200", SUBMIT_RATE_PER_SECOND: "200" };
        [api, quietApi] = await Promise.all([
            startApiLocal({ ...moto.environment, ...common }),
            startApiLocal({ ...quiet.environment, ...common, LOCAL_JOB_EVENTS: "off" }),
        ]);
    });
    after(async () => {
        await Promise.all([api?.stop(), quietApi?.stop()]);
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("submits, shows and cancels a job", async () => {
        const env = { ATX_API_URL: `${quietApi.url}/prod/` };
        const submitted = await ok<JobAnswer>(
            [
                "submit",
                "--command",
                "atx custom def exec -n AWS/java-version-upgrade -x",
                "--source",
                "https://github.com/acme/billing.git",
                "--name",
                "billing-cli",
                "--env",
                "MAVEN_OPTS=-Xmx2g",
                "--tag",
                "team=payments",
            ],
            env,
        );
        assert.equal(submitted.status, "SUBMITTED");
        assert.equal(submitted.jobName, "billing-cli");
        const jobId = submitted.batchJobId;
        const [job] = (
            await new BatchClient({ endpoint: quiet.url, region: "us-east-1" }).send(
                new DescribeJobsCommand({ jobs: [jobId] }),
            )
        ).jobs!;
        assert.ok(job.container!.environment!.some((e) => e.name === "MAVEN_OPTS" && e.value === "-Xmx2g"));
        assert.equal(job.tags!.team, "payments");

        const pretty = await cli(["status", jobId, "--pretty"], env);
        assert.equal(pretty.code, 0);
        assert.match(pretty.stdout, /^\{\n {2}"jobId"/);
        const status = parse<JobAnswer>(pretty.stdout);
        assert.equal(status.jobId, jobId);
        assert.equal(status.source, "https://github.com/acme/billing.git");

        assert.deepEqual(await ok(["cancel", jobId], env), {
            message: "Job cancellation initiated",
            jobId,
            previousStatus: "SUBMITTED",
            action: "CANCEL",
        });
    });

    it("prints the API's error and exits 1 for a bad request, an unknown job and a finished job", async () => {
        const bad = await cli(["submit", "--command", "atx custom def exec; rm -rf /"]);
        assert.equal(bad.code, 1);
        assert.equal(bad.stdout, "");
        const error = parse<CliError>(bad.stderr);
        assert.equal(error.status, 400);
        assert.equal(error.error.code, "ValidationError");
        assert.equal(error.error.field, "command");

        const missing = await cli(["status", "00000000-0000-0000-0000-000000000000"]);
        assert.equal(missing.code, 1);
        assert.equal(parse<CliError>(missing.stderr).error.code, "NotFound");

        const submitted = await ok<JobAnswer>(["submit", "--command", "atx custom def exec -n Y"]);
        await eventually(async () =>
            (await ok<JobAnswer>(["status", submitted.batchJobId])).status === "SUCCEEDED" ? true : undefined,
        );
        const finished = await cli(["cancel", submitted.batchJobId]);
        assert.equal(finished.code, 1);
        assert.deepEqual(parse<CliError>(finished.stderr), {
            status: 409,
            error: { code: "Conflict", message: `job ${submitted.batchJobId} already finished with status SUCCEEDED` },
        });
    });

    it("exits 1 with the 403 for wrong credentials, printing no secret", async () => {
        const wrongSecret = "wrong-secret-value-0123456789";
        for (const env of [
            { AWS_SECRET_ACCESS_KEY: wrongSecret },
            { AWS_ACCESS_KEY_ID: "AKIAUNKNOWN000000000", AWS_SECRET_ACCESS_KEY: wrongSecret },
        ]) {
            const result = await cli(["list"], env);
            assert.equal(result.code, 1);
            assert.equal(result.stdout, "");
            const error = parse<CliError>(result.stderr);
            assert.equal(error.status, 403);
            assert.equal(typeof error.message, "string");
            assert.ok(!result.stderr.includes(wrongSecret));
        }
    });

    it("exits 2 with a usage message for bad usage, and with the reason for unusable input", async () => {
        const file = join(work, "not-json.json");
        writeFileSync(file, "{");
        const usage: [string[], Record<string, string | undefined>?][] = [
            [[]],
            [["frobnicate"]],
            [["status"]],
            [["status", "a", "b"]],
            [["status", "a", "--bogus"]],
            [["submit"]],
            [["submit", "--command"]],
            [["submit", "--command", "atx x", "--env", "NOEQUALS"]],
            [["submit", "--command", "atx x", "--source", "https://github.com/a/b", "--dir", "."]],
            [["list", "--limit", "ten"]],
            [["list", "--all=yes"]],
            [["batch-status", "b", "--interval", "0"]],
            [["list"], { ATX_API_URL: undefined }],
            [["list"], { ATX_API_URL: "ftp://x" }],
        ];
        const input = [
            ["batch-submit", join(work, "missing.json")],
            ["mcp-config", file],
            ["upload", join(work, "missing-dir")],
        ];
        for (const [args, env] of usage) {
            const result = await cli(args, env);
            assert.equal(result.code, 2, `${JSON.stringify(args)}: ${result.stderr}`);
            assert.match(result.stderr, /^client: .*\nusage: npm run client -- \S+ .*\n$/, JSON.stringify(args));
            assert.equal(result.stdout, "");
        }
        for (const args of input) {
            const result = await cli(args);
            assert.equal(result.code, 2, `${JSON.stringify(args)}: ${result.stderr}`);
            assert.match(result.stderr, /^client: .*\n$/, JSON.stringify(args));
            assert.equal(result.stdout, "");
        }
        const help = await cli(["--help"]);
        assert.equal(help.code, 0);
        assert.match(help.stdout, /^usage: /);
    });

    it("exits 3 when the API cannot be reached", async () => {
        const port = await new Promise<number>((done) => {
            const server = createServer().listen(0, "127.0.0.1", () => {
                const { port } = server.address() as { port: number };
                server.close(() => done(port));
            });
        });
        const result = await cli(["status", "abc"], { ATX_API_URL: `http://127.0.0.1:${port}` });
        assert.equal(result.code, 3, result.stderr);
        assert.equal(parse<CliError>(result.stderr).error.code, "NetworkError");
    });

    it("uploads a directory without the sensitive files, symbolic links or their contents", async () => {
        const dir = join(work, "workspace");
        const secret = "SUPER-SECRET-TOKEN-42";
        makeTree(dir, {
            ".env": `TOKEN=${secret}\n`,
            id_rsa: `-----BEGIN ${secret}-----`,
            "README.md": "# app\n",
            ".git": { config: `[credential] ${secret}`, HEAD: "ref: refs/heads/main\n" },
            passwd: { link: "/etc/passwd" },
            src: { main: { "App.java": "class App {}\n".repeat(200) }, ".env.production": secret },
            "pom.xml": "<project/>",
        });
        const result = await cli(["upload", dir]);
        assert.equal(result.code, 0, result.stderr);
        const answer = parse<UploadedArchive>(result.stdout);
        assert.match(
            answer.s3Uri,
            new RegExp(`^s3://${moto.resources.SOURCE_BUCKET}/uploads/[0-9a-f-]{36}/workspace\\.zip$`),
        );
        assert.equal(answer.files, 3);
        assert.deepEqual(answer.excluded, {
            total: 5,
            reasons: { "pattern .env*": 2, "pattern .git/": 1, "pattern id_rsa*": 1, "symbolic link": 1 },
        });
        assert.match(result.stderr, /excluded 5: /);
        assert.ok(!(result.stdout + result.stderr).includes(secret));

        const zip = join(work, "uploaded.zip");
        writeFileSync(zip, await sourceObject(answer.s3Uri));
        assert.equal(readFileSync(zip).length, answer.bytes);
        execFileSync("unzip", ["-tq", zip]);
        const entries = execFileSync("unzip", ["-Z1", zip], { encoding: "utf8" }).trim().split("\n").sort();
        assert.deepEqual(entries, ["README.md", "pom.xml", "src/main/App.java"]);
        for (const absent of [".env", "id_rsa", ".git/config", ".git/HEAD", "passwd", "src/.env.production"])
            assert.ok(!entries.includes(absent), absent);
        for (const present of ["README.md", "pom.xml", "src/main/App.java"])
            assert.ok(entries.includes(present), present);
        assert.equal(
            execFileSync("unzip", ["-p", zip, "src/main/App.java"], { encoding: "utf8" }),
            "class App {}\n".repeat(200),
        );
        assert.ok(!readFileSync(zip).includes(secret));
    });

    it("holds back files in which the secret scan finds a secret, naming the file and kind, never the value", async () => {
        const dir = join(work, "with-secrets");
        const awsKey = "AKIAIOSFODNN7EXAMPLE";
        const ghToken = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        makeTree(dir, {
            "README.md": "# app\n",
            "settings.ini": `aws_access_key_id = ${awsKey}\n`,
            src: { "notes.txt": `token: ${ghToken}\n`, "App.java": "class App {}\n" },
        });
        const result = await cli(["upload", dir]);
        assert.equal(result.code, 0, result.stderr);
        const answer = parse<UploadedArchive>(result.stdout);
        assert.equal(answer.files, 2);
        assert.deepEqual(answer.excluded, { total: 2, reasons: { "secret detected": 2 } });
        assert.match(result.stderr, /held back settings\.ini: secret detected \(AWS Access Key\)/);
        assert.match(result.stderr, /held back src\/notes\.txt: secret detected \(GitHub Token\)/);
        for (const value of [awsKey, ghToken]) assert.ok(!(result.stdout + result.stderr).includes(value));
        const zip = join(work, "with-secrets.zip");
        writeFileSync(zip, await sourceObject(answer.s3Uri));
        const entries = execFileSync("unzip", ["-Z1", zip], { encoding: "utf8" }).trim().split("\n").sort();
        assert.deepEqual(entries, ["README.md", "src/App.java"]);
    });

    it("refuses to upload when the secret scan cannot run (exit 1, nothing uploaded)", async () => {
        const dir = join(work, "unscanned");
        makeTree(dir, { "a.txt": "a" });
        const result = await cli(["upload", dir], { ATX_SECRET_SCAN_PYTHON: "/usr/bin/python3" });
        assert.equal(result.code, 1, result.stderr);
        assert.equal(result.stdout, "");
        const { error } = parse<CliError>(result.stderr);
        assert.equal(error.code, "SecretScanError");
        assert.match(error.message, /detect-secrets/);
    });

    it("refuses to upload when the exclusion list is invalid or missing (never uploads unfiltered)", async () => {
        const dir = join(work, "guarded");
        makeTree(dir, { ".env": "S", "a.txt": "a" });
        const invalid = join(work, "invalid-exclusions.txt");
        writeFileSync(invalid, "*.pem\nsecrets/keys\n");
        for (const file of [invalid, join(work, "no-such-list.txt")]) {
            const result = await cli(["upload", dir], { ATX_EXCLUSIONS_FILE: file });
            assert.equal(result.code, 1, result.stderr);
            assert.equal(result.stdout, "");
            assert.equal(parse<CliError>(result.stderr).error.code, "ExclusionListError");
        }
    });

    it("submit --dir uploads and submits the s3:// source in one go", async () => {
        const dir = join(work, "second_app");
        makeTree(dir, { "build.gradle": "plugins {}", ".npmrc": "//registry/:_authToken=x" });
        const result = await cli([
            "submit",
            "--dir",
            dir,
            "--command",
            "atx custom def exec -n AWS/java-version-upgrade",
        ]);
        assert.equal(result.code, 0, result.stderr);
        const submitted = parse<JobAnswer>(result.stdout);
        const status = await ok<JobAnswer>(["status", submitted.batchJobId]);
        assert.match(
            status.source!,
            new RegExp(`^s3://${moto.resources.SOURCE_BUCKET}/uploads/[0-9a-f-]{36}/second_app\\.zip$`),
        );
        const zip = join(work, "second.zip");
        writeFileSync(zip, await sourceObject(status.source!));
        assert.deepEqual(execFileSync("unzip", ["-Z1", zip], { encoding: "utf8" }).trim().split("\n"), [
            "build.gradle",
        ]);
    });

    it("lists jobs following nextToken with --all, and downloads results", async () => {
        const a = await ok<JobAnswer>(["submit", "--command", "atx custom def exec -n A1"]);
        const b = await ok<JobAnswer>(["submit", "--command", "atx custom def exec -n B1"]);
        const ids = await eventually(async () => {
            const all = await ok<JobsPage>(["list", "--status", "SUCCEEDED", "--limit", "1", "--all"]);
            const jobIds = all.jobs.map((j) => j.jobId);
            return jobIds.includes(a.batchJobId) && jobIds.includes(b.batchJobId) ? jobIds : undefined;
        });
        assert.equal(new Set(ids).size, ids.length);
        assert.ok(ids.length >= 2);
        const page = await ok<JobsPage>(["list", "--status", "SUCCEEDED", "--limit", "1"]);
        assert.equal(page.jobs.length, 1);
        assert.ok(page.nextToken);

        await s3().send(
            new PutObjectCommand({
                Bucket: a.results.bucket,
                Key: `${a.results.prefix}reports/summary.md`,
                Body: "# done",
            }),
        );
        const results = await ok<ResultsAnswer>(["results", a.batchJobId]);
        assert.equal(results.objects.length, 1);
        assert.match(results.objects[0].url, /X-Amz-Signature=/);
        const target = join(work, "results");
        const downloaded = await ok<{ downloaded: unknown[] }>(["results", a.batchJobId, "--download", target]);
        assert.equal(downloaded.downloaded.length, 1);
        assert.equal(readFileSync(join(target, "reports/summary.md"), "utf8"), "# done");
    });

    it("submits a batch and waits for it with a progress line", async () => {
        const file = join(work, "batch.json");
        writeFileSync(
            file,
            JSON.stringify({
                batchName: "cli-nightly",
                jobs: Array.from({ length: 5 }, (_, i) => ({
                    command: `atx custom def exec -n T${i}`,
                    source: `https://gitlab.com/acme/repo-${i}`,
                })),
            }),
        );
        const batch = await ok<BatchAnswer>(["batch-submit", file]);
        assert.equal(batch.totalJobs, 5);
        assert.equal(batch.status, "SUBMITTING");
        const result = await cli(["batch-status", batch.batchId, "--wait", "--interval", "0.2"]);
        assert.equal(result.code, 0, result.stderr);
        const final = parse<BatchAnswer>(result.stdout);
        assert.equal(final.status, "SUCCEEDED");
        assert.equal(final.counts.SUCCEEDED, 5);
        // One progress line per poll before the end (none if it finished before the first answer).
        for (const line of result.stderr.split("\n").filter(Boolean))
            assert.match(
                line,
                new RegExp(`^batch ${batch.batchId}: (SUBMITTING|RUNNING) \\[[#-]{20}\\] [\\d.]+% of 5 \\(`),
            );
        const once = await ok<BatchAnswer>(["batch-status", batch.batchId]);
        assert.equal(once.progressPercent, 100);
    });

    it("stores an MCP configuration", async () => {
        const file = join(work, "mcp.json");
        writeFileSync(
            file,
            JSON.stringify({
                mcpServers: {
                    docs: { url: "https://mcp.example.com/sse" },
                    fs: { command: "npx", args: ["-y", "server-filesystem"] },
                },
            }),
        );
        const answer = await ok<StoredAnswer>(["mcp-config", file]);
        assert.deepEqual(answer.servers.sort(), ["docs", "fs"]);
        assert.match(answer.s3Uri, new RegExp(`^s3://${moto.resources.SOURCE_BUCKET}/`));
    });

    it("never printed the secret access key", () => {
        assert.ok(outputs.length > 20);
        for (const text of outputs) assert.ok(!text.includes(credentials.AWS_SECRET_ACCESS_KEY));
    });
});
