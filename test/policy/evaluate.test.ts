import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    type ReportViolation,
    type ResourceValidation,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type StackValidationArgs,
    type StackValidationPolicy,
} from "@pulumi/policy";
import { evaluate, EvaluationError, type PackConfig, type PackInfo } from "../../tools/policy/evaluate";
import { resource, snapshot, UNKNOWN } from "../../tools/policy/snapshot-builder";
import { SECRET_SIG, SECRET_SIG_KEY } from "../../tools/policy/args";
import { policies } from "../../policy-pack/policies";

const pack: PackInfo = { name: "test-pack", version: "1.2.3", enforcementLevel: "advisory" };
const BUCKET = "aws:s3/bucket:Bucket";
const typed = (type: string, fn: ResourceValidation) =>
    Object.assign((args: ResourceValidationArgs, report: ReportViolation) => fn(args, report), { __pulumiType: type });

describe("evaluate: what resource policies are given", () => {
    it("gives inputs as props, the name, URN, type, stack tags and resource options", async () => {
        let seen: ResourceValidationArgs | undefined;
        const p: ResourceValidationPolicy = {
            name: "spy",
            description: "d",
            validateResource: (a) => {
                seen = a;
            },
        };
        const b = resource(BUCKET, "b", { bucket: "in" }, { outputs: { bucket: "out" }, secretProperties: ["bucket"] });
        await evaluate({ ...snapshot([b]), stackTags: { "pulumi:project": "atx" } }, [p], { pack });
        assert.equal(seen!.props.bucket, "in");
        assert.equal(seen!.urn, b.urn);
        assert.equal(seen!.name, "b");
        assert.equal(seen!.type, BUCKET);
        assert.equal(seen!.stackTags.get("pulumi:project"), "atx");
        assert.deepEqual(seen!.opts.additionalSecretOutputs, ["bucket"]);
        assert.equal(
            seen!.isType({ __pulumiType: BUCKET } as unknown as Parameters<ResourceValidationArgs["isType"]>[0]),
            true,
        );
    });
    it("unwraps secrets the way deserializeProperties does for validation", async () => {
        let value: unknown;
        const p: ResourceValidationPolicy = {
            name: "spy",
            description: "d",
            validateResource: (a) => {
                value = a.props.secretString;
            },
        };
        const sv = resource("aws:secretsmanager/secretVersion:SecretVersion", "sv", {
            secretString: { [SECRET_SIG_KEY]: SECRET_SIG, value: "s3cr3t" },
        });
        await evaluate(snapshot([sv]), [p], { pack });
        assert.equal(value, "s3cr3t");
    });
    it("turns reading an UNKNOWN into the engine's advisory, never a pass or a mandatory violation", async () => {
        const p: ResourceValidationPolicy = {
            name: "reads-unknown",
            description: "d",
            enforcementLevel: "mandatory",
            validateResource: (a, report) => {
                if ((a.props.nested as { value?: unknown }).value !== "ok") {
                    report("bad");
                }
            },
        };
        const vs = await evaluate(
            snapshot([resource(BUCKET, "b", { nested: { value: UNKNOWN } })], { preview: true }),
            [p],
            { pack },
        );
        assert.deepEqual(vs, [
            {
                policyPack: "test-pack",
                policy: "reads-unknown",
                enforcementLevel: "advisory",
                urn: resource(BUCKET, "b", {}).urn,
                message:
                    "can't run policy 'reads-unknown' from policy pack 'test-pack@v1.2.3' during preview: string value at .nested.value can't be known during preview",
            },
        ]);
    });
    it("makes notApplicable throw, so nothing after it runs and nothing is reported", async () => {
        let after = false;
        const p: ResourceValidationPolicy = {
            name: "na",
            description: "d",
            validateResource: (a, report) => {
                a.notApplicable("no");
                after = true;
                report("x");
            },
        };
        assert.deepEqual(await evaluate(snapshot([resource(BUCKET, "b", {})]), [p], { pack }), []);
        assert.equal(after, false);
    });
    it("skips resources of other types for a typed validation, as the engine's type filter does", async () => {
        let calls = 0;
        const p: ResourceValidationPolicy = {
            name: "typed",
            description: "d",
            validateResource: typed(BUCKET, () => {
                calls++;
            }),
        };
        await evaluate(snapshot([resource(BUCKET, "b", {}), resource("aws:kms/key:Key", "k", {})]), [p], { pack });
        assert.equal(calls, 1);
    });
    it("reports description and message on two lines, on the resource's URN", async () => {
        const p: ResourceValidationPolicy = {
            name: "r",
            description: "Desc.",
            enforcementLevel: "mandatory",
            validateResource: (_a, report) => report("Msg."),
        };
        const b = resource(BUCKET, "b", {});
        const [v] = await evaluate(snapshot([b]), [p], { pack });
        assert.equal(v.message, "Desc.\nMsg.");
        assert.equal(v.urn, b.urn);
    });
    it("gives each policy a fresh copy of the props", async () => {
        const writer: ResourceValidationPolicy = {
            name: "w",
            description: "d",
            validateResource: (a) => {
                a.props.bucket = "changed";
            },
        };
        let seen: unknown;
        const reader: ResourceValidationPolicy = {
            name: "r",
            description: "d",
            validateResource: (a) => {
                seen = a.props.bucket;
            },
        };
        await evaluate(snapshot([resource(BUCKET, "b", { bucket: "orig" })]), [writer, reader], { pack });
        assert.equal(seen, "orig");
    });
    it("fails the run when a policy throws another error, as the engine does", async () => {
        const p: ResourceValidationPolicy = {
            name: "boom",
            description: "d",
            validateResource: () => {
                throw new TypeError("oops");
            },
        };
        await assert.rejects(
            evaluate(snapshot([resource(BUCKET, "b", {})]), [p], { pack }),
            (e: Error) => e instanceof EvaluationError && /policy 'boom'.*oops/s.test(e.message),
        );
    });
});

describe("evaluate: what stack policies are given", () => {
    it("gives outputs as props and resolves parent, dependencies and propertyDependencies to resource objects", async () => {
        let seen: StackValidationArgs | undefined;
        const p: StackValidationPolicy = {
            name: "spy",
            description: "d",
            validateStack: (a) => {
                seen = a;
            },
        };
        const parent = resource("atx:storage:SecureBucket", "sb", {}, { custom: false });
        const b = resource(BUCKET, "b", { bucket: "in" }, { outputs: { bucket: "out", id: UNKNOWN }, parent });
        const v = resource(
            "aws:s3/bucketVersioning:BucketVersioning",
            "v",
            { bucket: UNKNOWN },
            { propertyDependencies: { bucket: [b] }, parent, dependencies: ["urn:pulumi:dev::x::not:in:Stack::gone"] },
        );
        await evaluate(snapshot([parent, b, v], { preview: true }), [p], { pack });
        const [rp, rb, rv] = seen!.resources;
        assert.equal(rb.props.bucket, "out");
        assert.equal(rv.parent, rp);
        assert.equal(rb.parent, rp);
        assert.equal(rv.propertyDependencies.bucket[0], rb);
        assert.deepEqual(rv.dependencies, [rb], "dependencies resolve to objects; unknown URNs are dropped");
        assert.throws(
            () => rb.props.id,
            (e: Error) => e.constructor.name === "UnknownValueError",
        );
    });
    it("reports a stack policy's unknown read as one advisory without a URN", async () => {
        const p: StackValidationPolicy = {
            name: "s",
            description: "d",
            enforcementLevel: "mandatory",
            validateStack: (a) => {
                void a.resources[0].props.id;
            },
        };
        const vs = await evaluate(
            snapshot([resource(BUCKET, "b", {}, { outputs: { id: UNKNOWN } })], { preview: true }),
            [p],
            { pack },
        );
        assert.deepEqual(
            vs.map((v) => [v.enforcementLevel, v.urn]),
            [["advisory", ""]],
        );
    });
    it("keeps violations reported before the unknown read, as the engine does", async () => {
        const p: StackValidationPolicy = {
            name: "s",
            description: "d",
            enforcementLevel: "mandatory",
            validateStack: (a, report) => {
                report("first", a.resources[0].urn);
                void a.resources[0].props.id;
            },
        };
        const vs = await evaluate(
            snapshot([resource(BUCKET, "b", {}, { outputs: { id: UNKNOWN } })], { preview: true }),
            [p],
            { pack },
        );
        assert.deepEqual(
            vs.map((v) => v.enforcementLevel),
            ["mandatory", "advisory"],
        );
    });
});

describe("evaluate: enforcement levels and config", () => {
    const policy = (level?: "advisory" | "mandatory" | "remediate" | "disabled"): ResourceValidationPolicy => ({
        name: "p",
        description: "d",
        ...(level ? { enforcementLevel: level } : {}),
        validateResource: (_a, r) => r("x"),
        configSchema: { properties: { limit: { type: "integer", default: 3 } } },
    });
    // The config is parsed JSON, so the tests give it malformed shapes too.
    const run = (
        p: ResourceValidationPolicy,
        packConfig?: Record<string, unknown>,
        packLevel: "advisory" | "mandatory" = "advisory",
    ) =>
        evaluate(snapshot([resource(BUCKET, "b", {})]), [p], {
            pack: { ...pack, enforcementLevel: packLevel },
            packConfig: packConfig as PackConfig | undefined,
        });
    it("uses the pack's level when the policy has none", async () => {
        assert.equal((await run(policy(), undefined, "mandatory"))[0].enforcementLevel, "mandatory");
    });
    it("prefers the policy's level over the pack's", async () => {
        assert.equal((await run(policy("advisory"), undefined, "mandatory"))[0].enforcementLevel, "advisory");
    });
    it("prefers the pack config over the policy's level (string and object forms)", async () => {
        assert.equal((await run(policy("mandatory"), { p: "advisory" }))[0].enforcementLevel, "advisory");
        assert.equal(
            (await run(policy("advisory"), { p: { enforcementLevel: "mandatory" } }))[0].enforcementLevel,
            "mandatory",
        );
    });
    it("applies 'all' to policies the config does not name", async () => {
        assert.equal((await run(policy("mandatory"), { all: "advisory" }))[0].enforcementLevel, "advisory");
    });
    it("skips disabled policies and reports remediate ones as mandatory", async () => {
        assert.deepEqual(await run(policy("mandatory"), { p: "disabled" }), []);
        assert.equal((await run(policy("remediate")))[0].enforcementLevel, "mandatory");
    });
    it("gives getConfig the schema defaults under the configured settings, without enforcementLevel", async () => {
        const seen: object[] = [];
        const p = {
            ...policy(),
            validateResource: (a: ResourceValidationArgs) => {
                seen.push(a.getConfig());
            },
        };
        await run(p);
        await run(p, { p: { enforcementLevel: "mandatory", limit: 7 } });
        assert.deepEqual(seen, [{ limit: 3 }, { limit: 7 }]);
    });
    it("rejects config for unknown policies, unknown settings, wrong types and bad levels", async () => {
        await assert.rejects(run(policy(), { nope: "advisory" }), EvaluationError);
        await assert.rejects(run(policy(), { p: { other: 1 } }), EvaluationError);
        await assert.rejects(run(policy(), { p: { limit: "seven" } }), EvaluationError);
        await assert.rejects(run(policy(), { p: "loud" }), EvaluationError);
    });
});

describe("the pack's policies", () => {
    it("have unique kebab-case names, a description, and a default enforcement level", () => {
        const names = policies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        for (const p of policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(p.description.length > 20, p.name);
            assert.ok(["mandatory", "advisory"].includes(p.enforcementLevel!), p.name);
        }
    });
    it("give every config setting a default", () => {
        for (const p of policies) {
            for (const [k, v] of Object.entries(p.configSchema?.properties ?? {})) {
                assert.notEqual((v as { default?: unknown }).default, undefined, `${p.name}.${k}`);
            }
        }
    });
});

describe("policy-pack/README.md", () => {
    it("lists every policy of the pack in its rules table", () => {
        const readme = fs.readFileSync(path.join(__dirname, "..", "..", "policy-pack", "README.md"), "utf8");
        const listed = [...readme.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
        assert.deepEqual([...listed].sort(), policies.map((p) => p.name).sort());
    });
});
