import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const PREVIEW = path.join(WORKFLOWS, "pr-preview.yml");
const COMMENT = path.join(WORKFLOWS, "pr-preview-comment.yml");

describe("PR preview workflows", () => {
    const preview = yaml.load(fs.readFileSync(PREVIEW, "utf8")) as any;
    const comment = yaml.load(fs.readFileSync(COMMENT, "utf8")) as any;

    it("run the offline preview and policy check on pull requests, per stack, without secrets", () => {
        assert.ok(preview.on.pull_request);
        const offline = preview.jobs.offline;
        assert.deepEqual(offline.strategy.matrix.stack, ["prod", "dev"]);
        const text = JSON.stringify(offline);
        assert.doesNotMatch(text, /secrets\./, "the offline job must work for forks, which get no secrets");
        assert.match(text, /npm run --silent preview -- [^\n]*--policy-config policy-config.json/);
        assert.match(text, /npm run --silent policy -- check \S+ --policy-config policy-config.json/);
        assert.ok(offline.steps.some((s: any) => String(s.uses).startsWith("actions/upload-artifact@")));
    });

    it("run pulumi preview with the policy pack through pulumi/actions only when credentials exist", () => {
        const job = preview.jobs.pulumi;
        assert.match(job.if, /needs\.credentials\.outputs\.available == 'true'/);
        const step = job.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        assert.equal(step.with.command, "preview");
        assert.equal(step.with.policyPacks, "policy-pack");
        assert.equal(step.with.policyPackConfigs, "policy-config.json", "the same accepted exceptions as offline");
        assert.equal(step.with["comment-on-pr"], true);
        assert.equal(job.permissions["id-token"], "write");
    });

    it("comment from a workflow_run job that never checks out or runs the PR's code", () => {
        assert.deepEqual(comment.on.workflow_run.workflows, [preview.name]);
        const steps = comment.jobs.comment.steps;
        assert.ok(!steps.some((s: any) => String(s.uses).startsWith("actions/checkout@")));
        assert.ok(!steps.some((s: any) => s.run !== undefined));
        assert.equal(comment.jobs.comment.permissions["pull-requests"], "write");
    });
});
