import * as assert from "assert";
import { parseUrn, StandInProvider } from "../../tools/engine/stand-in-provider";
import { DEFAULT_SUBNET_IDS } from "../../tools/preview/stand-ins";
import { UNKNOWN } from "../../tools/common/resource-record";

const ROLE_URN = "urn:pulumi:dev::atx-platform::atx:identity:JobIdentity$aws:iam/role:Role::identity-job-role";
const KEY_URN = "urn:pulumi:dev::atx-platform::atx:encryption:PlatformKey$aws:kms/key:Key::platform-key";

function provider(): StandInProvider {
    const p = new StandInProvider("210987654321");
    p.configure({ region: "eu-west-1" });
    return p;
}

describe("stand-in provider", () => {
    it("reads the type (not the parent chain) and the name of a URN", () => {
        assert.deepStrictEqual(parseUrn(ROLE_URN), { type: "aws:iam/role:Role", name: "identity-job-role" });
        assert.throws(() => parseUrn("arn:aws:s3:::b"), /not a resource URN/);
    });

    it("auto-names on check like the provider, keeping a given or earlier name", () => {
        const checked = provider().check(ROLE_URN, {}, { assumeRolePolicy: "{}" });
        assert.match(String(checked.name), /^identity-job-role-[0-9a-f]{7}$/);
        assert.strictEqual(provider().check(ROLE_URN, {}, { name: "ATXBatchJobRole" }).name, "ATXBatchJobRole");
        assert.strictEqual(provider().check(ROLE_URN, { name: "kept-abc1234" }, {}).name, "kept-abc1234");
        assert.strictEqual(provider().check(KEY_URN, {}, {}).name, undefined, "a KMS key has no name input");
    });

    it("returns the inputs with every computed property unknown when creating at preview", () => {
        const { id, outputs } = provider().create(KEY_URN, { description: "platform" }, true);
        assert.strictEqual(id, "");
        assert.strictEqual(outputs.description, "platform");
        assert.strictEqual(outputs.arn, UNKNOWN);
        assert.strictEqual(outputs.keyId, UNKNOWN);
    });

    it("fabricates ids and computed values from the names when creating for real", () => {
        const { id, outputs } = provider().create(ROLE_URN, { name: "ATXBatchJobRole" }, false);
        assert.strictEqual(id, "ATXBatchJobRole");
        assert.strictEqual(outputs.arn, "arn:aws:iam::210987654321:role/ATXBatchJobRole");
    });

    it("reports the changed properties and keeps computed outputs on update", () => {
        assert.deepStrictEqual(provider().diff({ a: 1, b: [1] }, { a: 1, b: [2], c: true }), ["b", "c"]);
        assert.deepStrictEqual(provider().update({ arn: "x", a: 1 }, { a: 2 }), { arn: "x", a: 2 });
    });

    it("answers the program's invokes with the stand-ins, in the configured region", () => {
        assert.deepStrictEqual(provider().invoke("aws:ec2/getSubnets:getSubnets").ids, DEFAULT_SUBNET_IDS);
        assert.strictEqual(provider().invoke("aws:index/getRegion:getRegion").name, "eu-west-1");
        assert.strictEqual(
            provider().invoke("aws:index/getCallerIdentity:getCallerIdentity").accountId,
            "210987654321",
        );
        assert.throws(() => provider().invoke("aws:s3/getBucket:getBucket"), /unexpected invoke aws:s3\/getBucket/);
    });

    it("refuses to answer for a region it was never given", () => {
        const saved = process.env.AWS_REGION;
        delete process.env.AWS_REGION;
        try {
            assert.throws(
                () => new StandInProvider("123456789012").invoke("aws:index/getRegion:getRegion"),
                /aws:region/,
            );
        } finally {
            if (saved !== undefined) process.env.AWS_REGION = saved;
        }
    });
});
