import * as assert from "assert";
import { engineUrn } from "../../tools/preview/urns";
import { previewStack } from "../support/preview";

describe("offline preview: URNs as the engine builds them", () => {
    const stack = "urn:pulumi:prod::atx-platform::pulumi:pulumi:Stack::atx-platform-prod";

    it("leaves the root stack's type out and chains every other parent type", () => {
        const storage = engineUrn("prod", "atx-platform", stack, "atx:storage:PlatformStorage", "storage");
        assert.strictEqual(storage, "urn:pulumi:prod::atx-platform::atx:storage:PlatformStorage::storage");
        const bucket = engineUrn("prod", "atx-platform", storage, "atx:storage:SecureBucket", "storage-logs");
        assert.strictEqual(
            engineUrn("prod", "atx-platform", bucket, "aws:s3/bucket:Bucket", "storage-logs"),
            "urn:pulumi:prod::atx-platform::atx:storage:PlatformStorage$atx:storage:SecureBucket$aws:s3/bucket:Bucket::storage-logs",
        );
        assert.strictEqual(
            engineUrn("prod", "p", undefined, "pulumi:pulumi:Stack", "p-prod"),
            "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod",
        );
    });

    it("exports each resource's URN as its parent's type chain plus its own type", () => {
        const { resources } = previewStack("prod");
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        for (const r of resources.filter((r) => r.parent !== undefined && r.type !== "pulumi:pulumi:Stack")) {
            const parentChain = r.parent!.split("::")[2];
            const expected = parentChain === "pulumi:pulumi:Stack" ? r.type : `${parentChain}$${r.type}`;
            assert.strictEqual(r.urn.split("::")[2], expected, r.urn);
            assert.ok(byUrn.has(r.parent!), `parent of ${r.urn}`);
        }
    });
});
