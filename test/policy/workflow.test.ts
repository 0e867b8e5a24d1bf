import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const PREVIEW = path.join(WORKFLOWS, "pr-preview.yml");
const COMMENT = path.join(WORKFLOWS, "pr-preview-comment.yml");

/** The parts of a GitHub Actions workflow these tests read. */
interface Step {
    readonly uses?: string;
    readonly run?: string;
    readonly with: Record<string, unknown>;
}
interface Job {
    readonly if: string;
    readonly strategy: { readonly matrix: Record<string, unknown> };
    readonly steps: Step[];
    readonly permissions: Record<string, string>;
}
interface Workflow {
    readonly name: string;
    readonly on: { readonly pull_request?: unknown; readonly workflow_run: { readonly workflows: string[] } };
    readonly jobs: Record<string, Job>;
}
const loadWorkflow = (file: string) => yaml.load(fs.readFileSync(file, "utf8")) as Workflow;

describe("PR preview workflows", () => {
    const preview = loadWorkflow(PREVIEW);
    const comment = loadWorkflow(COMMENT);

    it("run the offline preview and policy check on pull requests, per stack, without secrets", () => {
        assert.ok(preview.on.pull_request);
        const offline = preview.jobs.offline;
        assert.deepEqual(offline.strategy.matrix.stack, ["prod", "dev"]);
        const text = JSON.stringify(offline);
        assert.doesNotMatch(text, /secrets\./, "the offline job must work for forks, which get no secrets");
        assert.match(text, /npm run --silent preview -- [^\n]*--policy-config policy-config.json/);
        assert.match(text, /npm run --silent policy -- check \S+ --policy-config policy-config.json/);
        assert.ok(offline.steps.some((s) => String(s.uses).startsWith("actions/upload-artifact@")));
    });

    it("run pulumi preview with the policy pack through pulumi/actions only when credentials exist", () => {
        const job = preview.jobs.pulumi;
        assert.match(job.if, /needs\.credentials\.outputs\.available == 'true'/);
        const step = job.steps.find((s) => String(s.uses).startsWith("pulumi/actions@"));
        assert.ok(step, "no pulumi/actions step");
        assert.equal(step.with.command, "preview");
        assert.equal(step.with.policyPacks, "policy-pack");
        assert.equal(step.with.policyPackConfigs, "policy-config.json", "the same accepted exceptions as offline");
        assert.equal(step.with["comment-on-pr"], true);
        assert.equal(job.permissions["id-token"], "write");
    });

    it("comment from a workflow_run job that never checks out or runs the PR's code", () => {
        assert.deepEqual(comment.on.workflow_run.workflows, [preview.name]);
        const steps = comment.jobs.comment.steps;
        assert.ok(!steps.some((s) => String(s.uses).startsWith("actions/checkout@")));
        assert.ok(!steps.some((s) => s.run !== undefined));
        assert.equal(comment.jobs.comment.permissions["pull-requests"], "write");
    });
});
