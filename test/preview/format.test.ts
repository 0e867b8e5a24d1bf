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

    it("lists siblings by name, then type, whatever order they registered in", () => {
        const where = { region: "us-east-1", accountId: "123456789012" };
        const parent = resource("atx:api:TransformApi", "api", {}, { custom: false });
        const children = [
            resource("aws:sqs/queuePolicy:QueuePolicy", "api-dead-letters-policy", {}, { parent }),
            resource("aws:sqs/queue:Queue", "api-dead-letters", {}, { parent }),
            resource("aws:sqs/queue:Queue", "api-bulk", {}, { parent }),
            resource("aws:lambda/function:Function", "api-bulk", {}, { parent }),
        ];
        const names = (text: string) =>
            text
                .split("\n")
                .filter((l) => l.startsWith(" +     "))
                .map((l) => l.trim().split(/\s+/).slice(1).join(" "));
        const forwards = formatPreview(snapshot([parent, ...children]), {}, where);
        const backwards = formatPreview(snapshot([parent, ...[...children].reverse()]), {}, where);
        assert.equal(backwards, forwards);
        assert.deepEqual(names(forwards), [
            "aws:lambda/function:Function api-bulk",
            "aws:sqs/queue:Queue api-bulk",
            "aws:sqs/queue:Queue api-dead-letters",
            "aws:sqs/queuePolicy:QueuePolicy api-dead-letters-policy",
        ]);
    });
});
