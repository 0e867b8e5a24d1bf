import * as assert from "assert";
import { nameOf, previewStack } from "./support/preview";

const AP = "arn:aws:s3:us-east-1:123456789012:accesspoint/";

interface PolicyStatement {
    readonly Sid: string;
    readonly Action: string | string[];
    readonly Resource?: string | string[];
    readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The S3 resources each of the jobs' and the API's role policies names, by policy name. */
function s3ResourcesByPolicy(overrides: readonly string[] = []): Map<string, string[]> {
    const preview = previewStack("prod", overrides);
    assert.strictEqual(preview.exitCode, 0, preview.stderr);
    const byPolicy = new Map<string, string[]>();
    for (const r of preview.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")) {
        const name = nameOf(r);
        if (name !== "identity-job-access" && !/^atx-api-.*-access$/.test(name)) continue;
        const statements = (r.inputs.policy as { Statement: PolicyStatement[] }).Statement;
        const s3 = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith("s3:")));
        if (s3.length > 0)
            byPolicy.set(
                name,
                s3.flatMap((s) => [s.Resource ?? []].flat()),
            );
    }
    return byPolicy;
}

describe("the program's S3 access points", () => {
    it("scopes each role's S3 statements to its own access points only", () => {
        const byPolicy = s3ResourcesByPolicy();
        assert.deepStrictEqual([...byPolicy.keys()].sort(), [
            "atx-api-batches-access",
            "atx-api-bulk-submitter-access",
            "atx-api-jobs-access",
            "atx-api-mcp-config-access",
            "atx-api-upload-access",
            "identity-job-access",
        ]);
        for (const [policy, resources] of byPolicy) {
            const own =
                policy === "identity-job-access"
                    ? /^atx-jobs-(source|output)(\/object\/.+)?$/
                    : /^atx-api-(source|output)(\/object\/.+)?$/;
            for (const resource of resources) {
                assert.ok(resource.startsWith(AP), `${policy} names ${resource}, not an access point`);
                assert.match(resource.slice(AP.length), own, `${policy} names another application's access point`);
            }
        }
    });

    it("creates the four access points and delegates the output and source buckets to them", () => {
        const { resources } = previewStack("prod");
        const points = resources.filter((r) => r.type === "aws:s3/accessPoint:AccessPoint");
        assert.deepStrictEqual(points.map((p) => String(p.inputs.name)).sort(), [
            "atx-api-output",
            "atx-api-source",
            "atx-jobs-output",
            "atx-jobs-source",
        ]);
        for (const bucket of ["storage-output-policy", "storage-source-policy"]) {
            const policy = resources.find((r) => nameOf(r) === bucket)!.inputs.policy as {
                Statement: PolicyStatement[];
            };
            const sids = policy.Statement.map((s) => s.Sid);
            for (const sid of ["DenyInsecureTransport", "DenyTlsOlderThan12", "DenyUploadsNotEncryptedWithKms"]) {
                assert.ok(sids.includes(sid), `${bucket} lost ${sid}`);
            }
            const delegation = policy.Statement.find((s) => s.Sid === "DelegateToOwnAccessPoints")!;
            assert.deepStrictEqual(delegation.Condition, {
                StringEquals: { "s3:DataAccessPointAccount": "123456789012" },
            });
        }
        const job = resources.find((r) => r.type === "aws:batch/jobDefinition:JobDefinition")!;
        const container = JSON.parse(job.inputs.containerProperties as string) as {
            environment: { name: string; value: string }[];
        };
        const env = Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
        assert.strictEqual(env.S3_ACCESS_POINT, `${AP}atx-jobs-output`);
        assert.strictEqual(env.SOURCE_ACCESS_POINT, `${AP}atx-jobs-source`);
    });

    it("deploys the API only once its access points exist, and creates them after the functions they serve", () => {
        const { resources } = previewStack("prod");
        const byName = (name: string) => resources.find((r) => nameOf(r) === name)!;
        const apiPoints = resources.filter(
            (r) => r.type === "aws:s3/accessPoint:AccessPoint" && nameOf(r).startsWith("api-access-points-"),
        );
        assert.strictEqual(apiPoints.length, 2);
        const deployment = byName("atx-api-deployment");
        for (const point of apiPoints) assert.ok(deployment.dependencies.includes(point.urn), nameOf(point));
        // The policies name the functions' roles: the component registers (so its children are
        // created) only after every function, hence every role, exists.
        const component = byName("api-access-points");
        const functions = resources.filter(
            (r) => r.type === "aws:lambda/function:Function" && r.parent?.includes("atx:api:TransformApi"),
        );
        assert.strictEqual(functions.length, 6);
        for (const fn of functions) assert.ok(component.dependencies.includes(fn.urn), nameOf(fn));
    });

    it("keeps the URNs the API's access points had when the stack created them at its root", () => {
        const { resources } = previewStack("prod");
        const root = "urn:pulumi:prod::atx-platform::atx:storage:S3AccessPoints";
        const aliasesOf = (name: string) => resources.find((r) => nameOf(r) === name)!.aliases ?? [];
        assert.deepStrictEqual(aliasesOf("api-access-points"), [`${root}::api-access-points`]);
        for (const bucket of ["source", "output"]) {
            const name = `api-access-points-api-${bucket}`;
            assert.deepStrictEqual(aliasesOf(name), [`${root}$aws:s3/accessPoint:AccessPoint::${name}`]);
        }
    });

    it("keeps the buckets themselves in the roles' policies when s3AccessPoints is false", () => {
        const byPolicy = s3ResourcesByPolicy(["s3AccessPoints=false"]);
        for (const [policy, resources] of byPolicy) {
            for (const resource of resources)
                assert.ok(resource.startsWith("arn:aws:s3:::atx-custom-"), `${policy}: ${resource}`);
        }
        const { resources } = previewStack("prod", ["s3AccessPoints=false"]);
        assert.strictEqual(resources.filter((r) => r.type === "aws:s3/accessPoint:AccessPoint").length, 0);
    });
});
