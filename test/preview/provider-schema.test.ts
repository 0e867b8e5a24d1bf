import * as assert from "assert";
import { ProviderSchemaError, typeSchema, withComputedUnknown } from "../../tools/preview/provider-schema";
import { UNKNOWN } from "../../tools/common/resource-record";

describe("provider schema (computed properties and auto-names)", () => {
    it("reads the computed properties and the auto-name of a provider type", () => {
        const bucket = typeSchema("aws:s3/bucket:Bucket");
        assert.ok(bucket.computed.includes("arn") && bucket.computed.includes("bucketRegionalDomainName"));
        assert.ok(!bucket.computed.includes("tags"), "an input is not computed");
        assert.strictEqual(typeSchema("aws:iam/role:Role").autoNamed, true);
        assert.strictEqual(typeSchema("aws:s3/bucketPolicy:BucketPolicy").autoNamed, false);
    });

    it("gives components, providers and remote components nothing computed", () => {
        for (const type of [
            "atx:storage:SecureBucket",
            "pulumi:providers:aws",
            "awsx:ecr:Image",
            "pulumi:pulumi:Stack",
        ]) {
            assert.deepStrictEqual(typeSchema(type), { computed: [], autoNamed: false }, type);
        }
    });

    it("fails loudly, never with an empty schema, when a provider type's module cannot be read", () => {
        assert.throws(() => typeSchema("aws:s3/noSuchThing:NoSuchThing"), ProviderSchemaError);
        assert.throws(() => typeSchema("nosuchpkg:s3/bucket:Bucket"), /@pulumi\/nosuchpkg is not installed/);
    });

    it("leaves computed outputs unknown at preview and keeps the given values", () => {
        const outputs = withComputedUnknown("aws:kms/key:Key", { description: "k", arn: "given" });
        assert.strictEqual(outputs.description, "k");
        assert.strictEqual(outputs.arn, "given");
        assert.strictEqual(outputs.keyId, UNKNOWN);
    });
});
