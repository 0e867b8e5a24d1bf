/**
 * The real Pulumi engine against the offline preview: `pulumi preview --policy-pack policy-pack`
 * with the stand-in provider plugins must register the same resources (by URN) and report the same
 * violations as the harness, on prod and dev and on a broken program; `pulumi up` must deploy dev
 * so that another program reads its outputs through stack-outputs.ts. Needs a `pulumi` on PATH:
 * without one the suite is skipped, loudly, unless ATX_REQUIRE_PULUMI_ENGINE=1 (CI) makes that a failure.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PLATFORM_OUTPUTS } from "../../stack-outputs";
import { type EngineViolation } from "../../tools/engine/events";
import { engineRun, type EnginePreviewResult, openWorkspace } from "../../tools/engine/preview";
import { backendDir, PLATFORM_PROJECT, type ProjectSpec } from "../../tools/engine/workspace";
import { evaluateSnapshot, type Violation } from "../../tools/policy";
import { programSnapshot } from "../../tools/policy/program";
import { DEFAULT_SUBNET_IDS } from "../../tools/preview/stand-ins";
import { type StackSnapshot } from "../../tools/common/resource-record";
import { harnessSnapshot } from "./support/harness-snapshot";
import { skipWithoutEngine } from "./support/engine-required";

const BACKEND = "conformance";
const PLATFORM: ProjectSpec = { ...PLATFORM_PROJECT, name: "conformance-platform", backend: BACKEND };
const PROJECT_FILES = {
    "package.json": "package.json",
    "tsconfig.json": "tsconfig.json",
    node_modules: "node_modules",
};
const BROKEN_PROGRAM = "test/engine/fixtures/broken-program.ts";
const BROKEN: ProjectSpec = {
    name: "conformance-broken",
    backend: "conformance-broken",
    links: { ...PROJECT_FILES, "program.ts": BROKEN_PROGRAM },
    files: {
        "Pulumi.yaml":
            "name: atx-platform\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: program.ts\n",
    },
};
const CONSUMER: ProjectSpec = {
    name: "conformance-consumer",
    backend: BACKEND,
    links: { ...PROJECT_FILES, "program.ts": "test/engine/fixtures/consumer-program.ts" },
    files: {
        "Pulumi.yaml":
            "name: atx-consumer\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: program.ts\n",
    },
};
const REGION_ONLY = { "aws:region": "us-east-1" };

type Keyed = Pick<EngineViolation, "level" | "policy" | "urn">;
const keys = (violations: readonly Keyed[]) => violations.map((v) => `${v.level} ${v.policy} ${v.urn}`).sort();
const fromHarness = (violations: readonly Violation[]): Keyed[] =>
    violations.map((v) => ({ level: v.enforcementLevel, policy: v.policy, urn: v.urn }));

async function harnessViolations(snapshot: StackSnapshot): Promise<Keyed[]> {
    return fromHarness((await evaluateSnapshot(snapshot)).violations);
}

function failureText(run: EnginePreviewResult): string {
    const mandatory = run.outcome.violations.filter((v) => v.level === "mandatory");
    return [`exit ${run.exitCode}:`, ...run.outcome.errors, ...mandatory.map((v) => `${v.policy} ${v.urn}`)].join("\n");
}

describe("real engine conformance (pulumi preview --policy-pack, stand-in providers)", function () {
    this.timeout(20 * 60 * 1000);
    let previews: Record<"prod" | "dev" | "broken", Promise<EnginePreviewResult>>;

    before(function () {
        skipWithoutEngine(this, "real-engine conformance test");
        for (const backend of [BACKEND, "conformance-broken"])
            fs.rmSync(backendDir(backend), { recursive: true, force: true });
        // One engine setup; the three previews run at once.
        previews = {
            prod: engineRun({ stack: "prod", project: PLATFORM }),
            dev: engineRun({ stack: "dev", project: PLATFORM }),
            broken: engineRun({ stack: "dev", project: BROKEN, config: REGION_ONLY }),
        };
        for (const preview of Object.values(previews)) preview.catch(() => undefined);
    });

    for (const stack of ["prod", "dev"] as const) {
        it(`${stack}: the same resources and policy violations as the offline preview`, async () => {
            const engine = await previews[stack];
            assert.strictEqual(engine.exitCode, 0, failureText(engine));
            const snapshot = programSnapshot(stack);
            assert.deepStrictEqual([...engine.outcome.urns].sort(), snapshot.resources.map((r) => r.urn).sort());
            assert.deepStrictEqual(keys(engine.outcome.violations), keys(await harnessViolations(snapshot)));
        });
    }

    it("a broken program (all egress, unencrypted bucket, wildcard IAM): the same mandatory violations on both", async () => {
        const engine = await previews.broken;
        assert.strictEqual(engine.exitCode, 1, failureText(engine));
        const mandatory = (vs: Keyed[]) => keys(vs.filter((v) => v.level === "mandatory"));
        const harness = await harnessViolations(harnessSnapshot(path.resolve(BROKEN_PROGRAM), "dev"));
        assert.deepStrictEqual(mandatory(engine.outcome.violations), mandatory(harness));
        const policies = new Set(engine.outcome.violations.filter((v) => v.level === "mandatory").map((v) => v.policy));
        for (const policy of [
            "security-group-egress-allowed-ports",
            "s3-bucket-kms-encryption",
            "iam-no-admin-wildcards",
        ]) {
            assert.ok(policies.has(policy), `${policy} among ${[...policies].join(", ")}`);
        }
    });

    it("pulumi up deploys dev with the stand-ins; another program reads its outputs through platformOutputs", async () => {
        await previews.dev.catch(() => undefined);
        const up = await engineRun({ stack: "dev", project: PLATFORM }, "up");
        assert.strictEqual(up.exitCode, 0, failureText(up));
        const consumer = openWorkspace({
            stack: "dev",
            project: CONSUMER,
            config: { "atx-consumer:platformStack": "organization/atx-platform/dev" },
        });
        const deployed = await consumer.runAsync(["up", "--yes", "--skip-preview", "--stack", "dev"]);
        assert.strictEqual(deployed.status, 0, deployed.stdout + deployed.stderr);
        const shown = consumer.run(["stack", "output", "outputs", "--json", "--show-secrets", "--stack", "dev"]);
        const outputs = JSON.parse(shown.stdout) as Record<string, unknown>;
        assert.deepStrictEqual(Object.keys(outputs).sort(), Object.keys(PLATFORM_OUTPUTS).sort());
        assert.deepStrictEqual(outputs.subnetIds, DEFAULT_SUBNET_IDS);
        assert.strictEqual(outputs.jobRoleArn, "arn:aws:iam::123456789012:role/ATXBatchJobRole-dev");
        for (const [name, value] of Object.entries(outputs).filter(([name]) => name !== "subnetIds")) {
            assert.ok(typeof value === "string" && value.length > 0, `${name} = ${JSON.stringify(value)}`);
        }
    });
});
