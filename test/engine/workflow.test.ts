import * as assert from "assert";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
}

describe("PR workflow: the real engine for PRs without credentials", () => {
    const workflow = yaml.load(fs.readFileSync(path.join(ROOT, ".github", "workflows", "pr-preview.yml"), "utf8")) as {
        jobs: Record<string, { if: string; steps: Step[]; strategy: { matrix: { stack: string[] } } }>;
    };
    const job = workflow.jobs.engine;

    it("runs npm run preview -- --engine per stack, exactly when the credentialed preview does not run", () => {
        assert.deepStrictEqual(job.strategy.matrix.stack, ["prod", "dev"]);
        assert.match(
            job.if,
            /available != 'true' \|\| github\.event\.pull_request\.head\.repo\.full_name != github\.repository/,
        );
        assert.ok(job.steps.some((s) => /npm run --silent preview -- --engine --stack "\$STACK"/.test(s.run ?? "")));
        assert.doesNotMatch(JSON.stringify(job), /secrets\./, "forks get no secrets");
    });

    it("installs the CLI with the official action, at the version of @pulumi/pulumi, and runs no command with it", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
            dependencies: Record<string, string>;
        };
        const sdk = manifest.dependencies["@pulumi/pulumi"];
        const install = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
        assert.ok(install, "a pulumi/actions step");
        assert.strictEqual(String(install.with?.["pulumi-version"]), sdk);
        assert.strictEqual(install.with?.command, undefined);
    });
});
