import * as assert from "assert";
import { ProviderSchemaError, schemaFromSource, typeSchema } from "../../tools/preview/provider-schema";

describe("the provider schema read from @pulumi/aws", () => {
    it("knows the values the provider computes", () => {
        assert.ok(typeSchema("aws:s3/bucket:Bucket").computed.includes("arn"));
        assert.ok(typeSchema("aws:iam/role:Role").computed.includes("uniqueId"));
        assert.ok(!typeSchema("aws:iam/role:Role").computed.includes("name"), "a name given is not computed");
        assert.strictEqual(typeSchema("aws:lambda/function:Function").autoNamed, true);
    });

    it("has nothing to say about components", () => {
        assert.deepStrictEqual(typeSchema("atx:iam:ServiceRole"), { computed: [], autoNamed: false });
    });

    it("fails loudly for a type whose module it cannot read", () => {
        assert.throws(() => typeSchema("aws:nosuchmodule/thing:Thing"), ProviderSchemaError);
    });

    it("fails loudly when the generated code is laid out differently", () => {
        const changed = "class Bucket { init(args) { this.arn = undefined; } }";
        assert.throws(() => schemaFromSource("aws:s3/bucket:Bucket", "aws", changed), /constructor layout/);
    });
});
