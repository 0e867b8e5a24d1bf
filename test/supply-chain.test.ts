/**
 * Supply chain: every workflow pinned to commit SHAs and clean under zizmor, PR code run without
 * write permissions, ordered PR comments, Dependabot, and the monthly image refresh.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "..");
const GITHUB = path.join(ROOT, ".github");
const WORKFLOWS = path.join(GITHUB, "workflows");

interface Step {
    readonly uses?: string;
    readonly run?: string;
    readonly with?: Record<string, unknown>;
    readonly if?: string;
}
interface Job {
    readonly permissions?: Record<string, string>;
    readonly steps: Step[];
    readonly needs?: string | string[];
    readonly if?: string;
}
interface Workflow {
    readonly name: string;
    readonly on: Record<string, unknown>;
    readonly permissions?: Record<string, string>;
    readonly concurrency?: { group: string; "cancel-in-progress": boolean };
    readonly jobs: Record<string, Job>;
}

const workflowFiles = fs
    .readdirSync(WORKFLOWS)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(WORKFLOWS, f));
const load = (file: string) => yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as Workflow;

/** A tool installed by scripts/setup.sh into .venv/bin, or from PATH. */
function findTool(name: string): string | undefined {
    const venv = path.join(ROOT, ".venv", "bin", name);
    if (fs.existsSync(venv)) {
        return venv;
    }
    const which = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    return which.status === 0 ? which.stdout.trim() : undefined;
}

function requireTool(ctx: Mocha.Context, name: string): string {
    const tool = findTool(name);
    if (tool === undefined) {
        console.warn(`      ${name} not installed (scripts/setup.sh installs it): skipping`);
        ctx.skip();
    }
    return tool;
}

describe("supply chain: workflows", () => {
    it("every workflow passes actionlint", function () {
        const r = spawnSync(requireTool(this, "actionlint"), workflowFiles, { encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it("zizmor (offline) reports no finding that .github/zizmor.yml does not explain", function () {
        const r = spawnSync(requireTool(this, "zizmor"), ["--offline", "--no-progress", GITHUB], {
            encoding: "utf8",
            cwd: ROOT,
        });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout + r.stderr, /No findings to report/);
    });

    it("every accepted zizmor finding names a workflow line and carries its reason", () => {
        const text = fs.readFileSync(path.join(GITHUB, "zizmor.yml"), "utf8");
        const lines = text.split("\n");
        const ignores = lines.flatMap((line, i) => (/^\s+- \S+\.ya?ml:\d+/.test(line) ? [i] : []));
        assert.ok(ignores.length > 0);
        for (const i of ignores) {
            assert.match(lines[i - 1], /^\s+#/, `no explanation above "${lines[i].trim()}"`);
            const [file, line] = lines[i].trim().slice(2).split(":");
            assert.ok(fs.existsSync(path.join(WORKFLOWS, file)), `${file} does not exist`);
            assert.ok(Number(line) <= fs.readFileSync(path.join(WORKFLOWS, file), "utf8").split("\n").length);
        }
    });

    it("pins every action to a full commit SHA with its version in a comment", () => {
        let count = 0;
        for (const file of workflowFiles) {
            for (const line of fs.readFileSync(file, "utf8").split("\n")) {
                const m = /^\s*(?:- )?uses:\s*(\S+)(.*)$/.exec(line);
                if (m === null || m[1].startsWith("./")) {
                    continue;
                }
                count++;
                assert.match(m[1], /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${path.basename(file)}: ${line.trim()}`);
                assert.match(m[2], /^ # v\d+(\.\d+)*$/, `${path.basename(file)}: no version comment: ${line.trim()}`);
            }
        }
        assert.ok(count >= 10, `only ${count} uses: lines found`);
    });

    it("no workflow grants write permissions at the top level", () => {
        for (const file of workflowFiles) {
            const wf = yaml.load(fs.readFileSync(file, "utf8")) as Workflow;
            const top = Object.values(wf.permissions ?? {});
            assert.ok(!top.includes("write"), `${path.basename(file)} grants write to every job`);
        }
    });

    it("the job that runs the PR's code holds no write permission; a separate job uploads its SARIF", () => {
        const preview = load("pr-preview.yml");
        const offline = preview.jobs.offline;
        assert.ok(offline.steps.some((s) => /npm ci/.test(s.run ?? "")));
        assert.deepEqual(offline.permissions, { contents: "read" });
        assert.ok(!offline.steps.some((s) => String(s.uses).startsWith("github/codeql-action/")));

        const sarif = preview.jobs.sarif;
        assert.equal(sarif.needs, "offline");
        assert.equal(sarif.permissions?.["security-events"], "write");
        assert.ok(!sarif.steps.some((s) => s.run !== undefined || String(s.uses).startsWith("actions/checkout@")));
        assert.ok(sarif.steps.some((s) => String(s.uses).startsWith("github/codeql-action/upload-sarif@")));
    });

    it("the comment workflow runs one at a time per pull request, never cancelling a newer report", () => {
        const comment = load("pr-preview-comment.yml");
        assert.ok(comment.concurrency, "no concurrency group");
        assert.match(comment.concurrency.group, /workflow_run\.head_repository\.full_name/);
        assert.match(comment.concurrency.group, /workflow_run\.head_branch/);
        assert.equal(comment.concurrency["cancel-in-progress"], false);
    });
});

describe("supply chain: automatic updates", () => {
    const dependabot = yaml.load(fs.readFileSync(path.join(GITHUB, "dependabot.yml"), "utf8")) as {
        version: number;
        updates: { "package-ecosystem": string; directory: string; schedule: { interval: string } }[];
    };

    it("Dependabot watches npm (root lockfile with the policy pack workspace), pip and the actions", () => {
        assert.equal(dependabot.version, 2);
        const watched = dependabot.updates.map((u) => `${u["package-ecosystem"]} ${u.directory}`).sort();
        assert.deepEqual(watched, ["github-actions /", "npm /", "pip /"]);
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { workspaces: string[] };
        assert.ok(pkg.workspaces.includes("policy-pack"), "the policy pack must stay a workspace of the root lockfile");
        assert.ok(fs.existsSync(path.join(ROOT, "requirements-dev.txt")));
    });

    describe("the monthly image refresh", () => {
        const refresh = load("image-refresh.yml");
        const uses = (job: Job, prefix: string) => job.steps.filter((s) => String(s.uses).startsWith(prefix));

        it("runs monthly (and on demand) with no default permissions", () => {
            const schedule = refresh.on.schedule as { cron: string }[];
            assert.match(schedule[0].cron, /^\d+ \d+ \d+ \* \*$/, "once a month");
            assert.ok("workflow_dispatch" in refresh.on);
            assert.deepEqual(refresh.permissions, {});
        });

        it("rebuilds on the newest base digest, scans with Trivy and fails on critical findings", () => {
            const job = refresh.jobs.rebuild;
            assert.deepEqual(job.permissions, { contents: "read" });
            const script = job.steps.map((s) => s.run ?? "").join("\n");
            assert.match(script, /imagetools inspect/);
            assert.match(script, /scripts\/bump-base-image\.sh/);
            assert.match(script, /docker build --pull --no-cache/);
            const scans = uses(job, "aquasecurity/trivy-action@");
            assert.ok(scans.some((s) => s.with?.format === "sarif" && s.with?.["exit-code"] === "0"));
            assert.ok(scans.some((s) => s.with?.severity === "CRITICAL" && s.with?.["exit-code"] === "1"));
        });

        it("uploads the SARIF from its own job, even when the scan failed", () => {
            const job = refresh.jobs.sarif;
            assert.equal(job.if, "${{ !cancelled() }}");
            assert.equal(job.permissions?.["security-events"], "write");
            assert.equal(uses(job, "github/codeql-action/upload-sarif@").length, 1);
        });

        it("opens the pull request only after a clean rebuild", () => {
            const job = refresh.jobs["pull-request"];
            assert.equal(job.needs, "rebuild");
            assert.equal(job.if, undefined, "must not run when the rebuild failed");
            const pr = uses(job, "peter-evans/create-pull-request@")[0];
            assert.equal(pr.with?.["add-paths"], "container/Dockerfile");
        });
    });
});

describe("scripts/bump-base-image.sh", () => {
    const SCRIPT = path.join(ROOT, "scripts", "bump-base-image.sh");
    const digest = (c: string) => `sha256:${c.repeat(64)}`;
    let dir: string;
    let dockerfile: string;

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "bump-"));
        dockerfile = path.join(dir, "Dockerfile");
        fs.copyFileSync(path.join(ROOT, "container", "Dockerfile"), dockerfile);
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const run = (...args: string[]) => spawnSync("bash", [SCRIPT, ...args], { encoding: "utf8" });

    it("moves the ARG pin and the base.digest label together, and nothing else", () => {
        const before = fs.readFileSync(dockerfile, "utf8");
        const r = run(digest("a"), dockerfile);
        assert.equal(r.status, 0, r.stderr);
        const after = fs.readFileSync(dockerfile, "utf8");
        assert.match(
            after,
            new RegExp(`^ARG BASE_IMAGE=public\\.ecr\\.aws/amazonlinux/amazonlinux:2023@${digest("a")}$`, "m"),
        );
        assert.match(after, new RegExp(`org\\.opencontainers\\.image\\.base\\.digest="${digest("a")}"`));
        const changed = before.split("\n").filter((line, i) => line !== after.split("\n")[i]);
        assert.equal(changed.length, 2);
    });

    it("rejects anything but a sha256 digest with exit 2 and leaves the file alone", () => {
        const before = fs.readFileSync(dockerfile, "utf8");
        for (const bad of ["latest", "sha256:ABC", `sha256:${"a".repeat(63)}`, `${digest("a")}; rm -rf /`]) {
            const r = run(bad, dockerfile);
            assert.equal(r.status, 2, bad);
            assert.match(r.stderr, /not a sha256 digest/);
        }
        assert.equal(fs.readFileSync(dockerfile, "utf8"), before);
    });

    it("refuses a Dockerfile whose pins it cannot find (exit 3), writing nothing", () => {
        fs.writeFileSync(dockerfile, "FROM scratch\n");
        const r = run(digest("b"), dockerfile);
        assert.equal(r.status, 3);
        assert.equal(fs.readFileSync(dockerfile, "utf8"), "FROM scratch\n");
    });
});
