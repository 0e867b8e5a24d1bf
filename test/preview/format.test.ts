import { strict as assert } from "assert";
import { formatPreview } from "../../tools/preview/format";
import { resource, snapshot } from "../../tools/policy/snapshot-builder";

describe("offline preview: resource table", () => {
    it("sizes the type column to its longest entry, children indented under their parent", () => {
        const parent = resource("atx:storage:SecureBucket", "logs", {}, { custom: false });
        const child = resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "logs-pab", {}, { parent });
        const text = formatPreview(snapshot([parent, child]), {}, { region: "us-east-1", accountId: "123456789012" });
        const rows = text.split("\n").filter((l) => l.startsWith(" +   "));
        const width = "  aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock".length + 2;
        assert.deepEqual(rows, [
            ` +   ${"atx:storage:SecureBucket".padEnd(width)}logs`,
            ` +   ${"  aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock".padEnd(width)}logs-pab`,
        ]);
        assert.ok(text.includes(`     ${"Type".padEnd(width)}Name`));
    });
});
