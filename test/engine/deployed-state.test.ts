/**
 * A refactor must not replace or delete what is deployed, and here the real engine decides it: the
 * state of prod and dev as deployed before the component refactor
 * (test/fixtures/deployed-state-<stack>.json.gz, see test/fixtures/README.md) is imported into a
 * fresh stack, and `pulumi preview` of the current program with its Pulumi.<stack>.yaml must plan no
 * replacement and no deletion (but the few intended replacements listed below), and match every
 * deployed resource (same or update, under its URN or through an alias). The stand-in providers
 * replace where the AWS provider would (physical names, create-only properties), so a lost alias or
 * a changed name fails here. Needs a `pulumi` on PATH: without one the suite is skipped, loudly,
 * unless ATX_REQUIRE_PULUMI_ENGINE=1 (CI) makes that a failure.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { type EngineOutcome, type EngineStep, readEvents } from "../../tools/engine/events";
import { openWorkspace } from "../../tools/engine/preview";
import { parseUrn } from "../../tools/engine/stand-in-provider";
import { backendDir, PLATFORM_PROJECT, ROOT, type ProjectSpec } from "../../tools/engine/workspace";
import { skipWithoutEngine } from "./support/engine-required";

const BACKEND = "deployed-state";
const PLATFORM: ProjectSpec = { ...PLATFORM_PROJECT, name: "deployed-state-platform", backend: BACKEND };
const STACKS = ["prod", "dev"] as const;
type Stack = (typeof STACKS)[number];

/** Steps that would destroy a deployed resource, at once or after creating its replacement. */
const DESTRUCTIVE = new Set(["replace", "create-replacement", "delete-replaced", "delete", "discard"]);
const REPLACING = new Set(["replace", "create-replacement", "delete-replaced"]);
/** Steps that keep a deployed resource. */
const KEEPING = new Set(["same", "update"]);

interface IntendedReplacement {
    /** The only properties allowed to force it. */
    readonly keys: readonly string[];
    readonly why: string;
}

/** The API's deployment: a snapshot that API Gateway serves routes and models from. */
const API_DEPLOYMENT: IntendedReplacement = {
    keys: ["triggers"],
    why:
        "API Gateway serves changed routes and models only from a new deployment: its triggers hash them " +
        "(components/api/rest-api.ts), they changed since, and the stage moves to the new deployment",
};

/**
 * Replacements the program makes on purpose, by resource (`<type>::<name>`, under any parent). There
 * are no intended deletions: each deployed resource is still declared.
 */
const INTENDED_REPLACEMENTS: Readonly<Record<string, IntendedReplacement>> = {
    "aws:apigateway/deployment:Deployment::atx-api-deployment": API_DEPLOYMENT,
    "aws:apigateway/deployment:Deployment::atx-api-dev-deployment": API_DEPLOYMENT,
};

/** `<type>::<name>` of a URN: the same under any parent. */
function resourceKey(urn: string): string {
    const { type, name } = parseUrn(urn);
    return `${type}::${name}`;
}

function intendedReplacement(urn: string): IntendedReplacement | undefined {
    return INTENDED_REPLACEMENTS[resourceKey(urn)];
}

/** A step of a replacement listed above, forced by no other property. */
function isIntended(step: EngineStep): boolean {
    const intended = intendedReplacement(step.urn);
    return (
        intended !== undefined && REPLACING.has(step.op) && step.replaceKeys.every((key) => intended.keys.includes(key))
    );
}

interface DeployedResource {
    readonly urn: string;
    readonly type: string;
}

interface StackPreview {
    readonly status: number;
    readonly outcome: EngineOutcome;
    readonly deployed: readonly DeployedResource[];
}

function fixture(stack: Stack): string {
    const file = path.join(ROOT, "test", "fixtures", `deployed-state-${stack}.json.gz`);
    return zlib.gunzipSync(fs.readFileSync(file)).toString("utf8");
}

function resources(state: string): DeployedResource[] {
    return (JSON.parse(state) as { deployment: { resources: DeployedResource[] } }).deployment.resources;
}

/** Imports the deployed state into a fresh `stack` and previews the current program over it. */
async function previewOverDeployed(stack: Stack): Promise<StackPreview> {
    const workspace = openWorkspace({ stack, project: PLATFORM });
    const state = fixture(stack);
    const stateFile = path.join(workspace.projectDir, `deployed-state-${stack}.json`);
    fs.writeFileSync(stateFile, state);
    const imported = await workspace.runAsync(["stack", "import", "--file", stateFile, "--stack", stack]);
    assert.strictEqual(imported.status, 0, `pulumi stack import: ${imported.stderr}`);
    const preview = await workspace.runAsync(["preview", "--json", "--stack", stack]);
    return { status: preview.status, outcome: readEvents(preview.stdout, preview.stderr), deployed: resources(state) };
}

function describeStep(step: EngineStep): string {
    const keys = step.replaceKeys.length > 0 ? `; replaced on: ${step.replaceKeys.join(", ")}` : "";
    const diffs = step.diffs.length > 0 ? ` (changed: ${step.diffs.join(", ")}${keys})` : "";
    return `${step.op} ${step.urn}${diffs}`;
}

function counts(outcome: EngineOutcome): string {
    return Object.entries(outcome.operations)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([op, n]) => `${n} ${op}`)
        .join(", ");
}

describe("deployed-state fixtures", () => {
    for (const stack of STACKS) {
        it(`${stack}: the state holds the deployed URNs the offline check reads (deployed-urns-${stack}.txt)`, () => {
            const listed = fs.readFileSync(path.join(ROOT, "test", "fixtures", `deployed-urns-${stack}.txt`), "utf8");
            assert.deepStrictEqual(
                resources(fixture(stack))
                    .filter((r) => !r.type.startsWith("pulumi:providers:"))
                    .map((r) => r.urn)
                    .sort(),
                listed
                    .split("\n")
                    .filter((line) => line !== "")
                    .sort(),
            );
        });
    }
});

describe("deployed stacks under the real engine (imported state, pulumi preview of the current program)", function () {
    this.timeout(20 * 60 * 1000);
    let previews: Record<Stack, Promise<StackPreview>>;

    before(function () {
        skipWithoutEngine(this, "deployed-state engine test");
        fs.rmSync(backendDir(BACKEND), { recursive: true, force: true });
        previews = { prod: previewOverDeployed("prod"), dev: previewOverDeployed("dev") };
        for (const preview of Object.values(previews)) preview.catch(() => undefined);
    });

    for (const stack of STACKS) {
        describe(stack, () => {
            it("previews cleanly", async () => {
                const { status, outcome } = await previews[stack];
                assert.strictEqual(status, 0, outcome.errors.join("\n"));
                console.log(`      ${stack}: ${counts(outcome)}`);
            });

            it("replaces and deletes nothing that is deployed", async () => {
                const { outcome } = await previews[stack];
                const destructive = outcome.steps.filter((step) => DESTRUCTIVE.has(step.op) && !isIntended(step));
                assert.deepStrictEqual(destructive.map(describeStep), []);
                for (const step of outcome.steps.filter((s) => s.op === "replace")) {
                    console.log(
                        `      intended: replace ${resourceKey(step.urn)}: ${intendedReplacement(step.urn)?.why}`,
                    );
                }
            });

            it("matches every deployed resource, under its URN or through an alias", async () => {
                const { outcome, deployed } = await previews[stack];
                const matched = outcome.steps.filter((s) => KEEPING.has(s.op) || (s.op === "replace" && isIntended(s)));
                const kept = new Set(matched.map((s) => s.oldUrn));
                // Default providers are the engine's own, not the program's: it shows no step for them.
                const lost = deployed
                    .filter((r) => !r.type.startsWith("pulumi:providers:") && !kept.has(r.urn))
                    .map((r) => r.urn);
                assert.deepStrictEqual(lost, []);
            });
        });
    }
});
