/**
 * Policy documents are passed to the provider as structured objects. The provider encodes such an
 * object as JSON itself (keys sorted, no spaces), so the deployed document must be the same JSON
 * value as the text deployed before: the fixture holds every prod document that was known at
 * preview while documents were still serialised by the program.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { UNKNOWN } from "../../tools/common/resource-record";
import { engineIdentities } from "../../tools/preview/urns";
import { nameOf, previewStack, PROJECT_DIR } from "../support/preview";

interface PolicyJson {
    readonly Version: string;
    readonly Statement: { readonly Sid?: string; readonly Action?: unknown }[];
}

/** JSON with object keys in sorted order: the provider's encoding of an object document. */
/** Inputs that take a policy only as JSON text. */
const TEXT_ONLY_POLICIES = ["aws:kms/key:Key", "aws:s3/accessPoint:AccessPoint"];

function throughAccessPoint(statement: unknown): boolean {
    return JSON.stringify(statement).includes(":accesspoint/");
}

function providerJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(providerJson).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${providerJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

describe("the prod stack's policy documents", function () {
    this.timeout(120_000);
    const deployed = JSON.parse(
        fs.readFileSync(path.join(PROJECT_DIR, "test", "fixtures", "deployed-policies-prod.json"), "utf8"),
    ) as Record<string, Record<string, unknown>>;

    function currentInputs(): Map<string, Record<string, unknown>> {
        const preview = previewStack("prod");
        assert.strictEqual(preview.exitCode, 0, preview.stderr);
        const registered = preview.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: nameOf(r),
            parent: r.parent,
        }));
        const identities = engineIdentities("prod", "atx-platform", registered);
        const byUrn = new Map<string, Record<string, unknown>>();
        for (const r of preview.resources) {
            byUrn.set(identities.get(r.urn)!.urn, r.inputs);
            for (const alias of r.aliases ?? []) byUrn.set(alias, r.inputs);
        }
        return byUrn;
    }

    it("encode each statement to the JSON deployed before", function () {
        // A statement added or removed on purpose since is a change of content, not of encoding:
        // the statements present in both (by Sid) must encode alike.
        const inputs = currentInputs();
        let compared = 0;
        for (const [urn, documents] of Object.entries(deployed)) {
            for (const [property, before] of Object.entries(documents)) {
                const now = inputs.get(urn)?.[property];
                assert.notStrictEqual(now, undefined, `${urn} ${property} is gone`);
                const value = (typeof now === "string" ? JSON.parse(now) : now) as PolicyJson;
                const old = before as PolicyJson;
                assert.strictEqual(value.Version, old.Version, `${urn} ${property}`);
                for (const statement of old.Statement) {
                    // The same Sid with other actions is another statement (a changed API contract), and
                    // so is one that moved from the bucket to an access point of it.
                    const current = value.Statement.find(
                        (s) =>
                            s.Sid === statement.Sid &&
                            providerJson(s.Action) === providerJson(statement.Action) &&
                            throughAccessPoint(s) === throughAccessPoint(statement),
                    );
                    if (current === undefined) continue;
                    assert.strictEqual(
                        providerJson(current),
                        providerJson(statement),
                        `${urn} ${property} ${statement.Sid}`,
                    );
                    compared++;
                }
            }
        }
        assert.ok(compared >= 50, `only ${compared} statements compared`);
    });

    it("are structured, so an unknown ARN hides only itself (key and access point policies take only text)", function () {
        const textual: string[] = [];
        for (const r of previewStack("prod").resources) {
            for (const property of ["policy", "assumeRolePolicy", "policyDocument"]) {
                const value: unknown = r.inputs[property];
                if (typeof value !== "string" || TEXT_ONLY_POLICIES.includes(r.type)) continue;
                if (value === UNKNOWN || value.includes('"Statement"')) textual.push(`${nameOf(r)}.${property}`);
            }
        }
        assert.deepStrictEqual(textual, []);
    });

    it("leave no document wholly unknown at preview", function () {
        const hidden = previewStack("prod")
            .resources.filter((r) => ["policy", "assumeRolePolicy"].some((p) => r.inputs[p] === UNKNOWN))
            .map(nameOf);
        assert.deepStrictEqual(hidden, []);
        const partlyUnknown = previewStack("prod").resources.filter((r) => containsUnknown(r.inputs.policy));
        assert.ok(partlyUnknown.length > 0, "some documents hold an ARN unknown at preview, as leaves");
    });
});
