import * as assert from "assert";
import type * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { providerService } from "../../tools/engine/provider-server";
import { parseUrn, type PropertyMap, StandInProvider } from "../../tools/engine/stand-in-provider";
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
        assert.deepStrictEqual(provider().diff(KEY_URN, { a: 1, b: [1], d: "x" }, { a: 1, b: [2], c: true }), [
            { key: "b", kind: "update", replace: false },
            { key: "c", kind: "add", replace: false },
            { key: "d", kind: "delete", replace: false },
        ]);
        assert.deepStrictEqual(provider().update({ arn: "x", a: 1 }, { a: 2 }), { arn: "x", a: 2 });
    });

    describe("replaces a resource where the AWS provider would", () => {
        const replaced = (urn: string, olds: PropertyMap, news: PropertyMap) =>
            provider()
                .diff(urn, olds, news)
                .filter((change) => change.replace)
                .map((change) => change.key);
        const urn = (type: string) => `urn:pulumi:prod::atx-platform::atx:x:Parent$${type}::r`;

        it("on a new physical name of an auto-named type, or a new prefix", () => {
            assert.deepStrictEqual(replaced(ROLE_URN, { name: "ATXBatchJobRole" }, { name: "ATXBatchJobRole-2" }), [
                "name",
            ]);
            const logGroup = urn("aws:cloudwatch/logGroup:LogGroup");
            assert.deepStrictEqual(replaced(logGroup, { name: "/atx/jobs" }, { namePrefix: "/atx/" }), [
                "name",
                "namePrefix",
            ]);
            const fn = urn("aws:lambda/function:Function");
            assert.deepStrictEqual(replaced(fn, { name: "atx-jobs", timeout: 3 }, { name: "atx-jobs2", timeout: 9 }), [
                "name",
            ]);
        });

        it("not on a name the provider changes in place, nor on other properties", () => {
            const api = urn("aws:apigateway/restApi:RestApi");
            assert.deepStrictEqual(replaced(api, { name: "atx-api" }, { name: "atx-api-2" }), []);
            assert.deepStrictEqual(
                replaced(ROLE_URN, { name: "r", description: "a" }, { name: "r", description: "b" }),
                [],
            );
            assert.deepStrictEqual(replaced(KEY_URN, { name: "k" }, { name: "k2" }), [], "a KMS key is not auto-named");
        });

        it("on a bucket name, and on the bucket a bucket's configuration belongs to", () => {
            assert.deepStrictEqual(replaced(urn("aws:s3/bucket:Bucket"), { bucket: "a" }, { bucket: "b" }), ["bucket"]);
            const policy = urn("aws:s3/bucketPolicy:BucketPolicy");
            assert.deepStrictEqual(replaced(policy, { bucket: "a", policy: "{}" }, { bucket: "b", policy: "[]" }), [
                "bucket",
            ]);
            const versioning = urn("aws:s3/bucketVersioning:BucketVersioning");
            assert.deepStrictEqual(replaced(versioning, { bucket: "a" }, { bucket: "a", expectedBucketOwner: "1" }), [
                "expectedBucketOwner",
            ]);
        });

        it("on what ties a resource to another: a policy's role, a subscription's topic, a route's API", () => {
            const attachment = urn("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
            assert.deepStrictEqual(replaced(attachment, { role: "a", policyArn: "p" }, { role: "b", policyArn: "q" }), [
                "policyArn",
                "role",
            ]);
            const inline = urn("aws:iam/rolePolicy:RolePolicy");
            assert.deepStrictEqual(replaced(inline, { role: "a", name: "n", policy: "1" }, { role: "a", name: "m" }), [
                "name",
            ]);
            const subscription = urn("aws:sns/topicSubscription:TopicSubscription");
            assert.deepStrictEqual(
                replaced(
                    subscription,
                    { topic: "t", protocol: "email", endpoint: "a@x" },
                    { topic: "u", protocol: "https", endpoint: "https://x" },
                ),
                ["endpoint", "protocol", "topic"],
            );
            const alias = urn("aws:kms/alias:Alias");
            assert.deepStrictEqual(
                replaced(alias, { name: "alias/a", targetKeyId: "1" }, { name: "alias/a", targetKeyId: "2" }),
                [],
            );
            assert.deepStrictEqual(replaced(alias, { name: "alias/a" }, { name: "alias/b" }), ["name"]);
            const method = urn("aws:apigateway/method:Method");
            assert.deepStrictEqual(
                replaced(method, { restApi: "a", authorization: "NONE" }, { restApi: "b", authorization: "AWS_IAM" }),
                ["restApi"],
            );
        });

        it("answers the engine's Diff with the replacing keys and a detailed diff", async () => {
            const struct = (values: PropertyMap) =>
                structproto.Struct.fromJavaScript(values as Record<string, structproto.JavaScriptValue>);
            const request = new provproto.DiffRequest()
                .setUrn(urn("aws:iam/rolePolicyAttachment:RolePolicyAttachment"))
                .setOldInputs(struct({ role: "a", policyArn: "p", tag: "x" }))
                .setNews(struct({ role: "b", policyArn: "p", extra: "y" }));
            const diff = providerService("aws", "7.48.0", provider()).diff as grpc.handleUnaryCall<
                provproto.DiffRequest,
                provproto.DiffResponse
            >;
            const response = await new Promise<provproto.DiffResponse>((resolve, reject) =>
                diff(
                    { request } as unknown as grpc.ServerUnaryCall<provproto.DiffRequest, provproto.DiffResponse>,
                    (error, value) => (value ? resolve(value) : reject(new Error(error?.details ?? "no response"))),
                ),
            );
            const { Kind } = provproto.PropertyDiff;
            assert.strictEqual(response.getChanges(), provproto.DiffResponse.DiffChanges.DIFF_SOME);
            assert.deepStrictEqual(response.getDiffsList(), ["extra", "role", "tag"]);
            assert.deepStrictEqual(response.getReplacesList(), ["role"]);
            assert.ok(response.getHasdetaileddiff());
            const detailed = response.getDetaileddiffMap();
            const kinds = Object.fromEntries(
                ["extra", "role", "tag"].map((key) => [key, detailed.get(key)?.getKind()]),
            );
            assert.deepStrictEqual(kinds, { extra: Kind.ADD, role: Kind.UPDATE_REPLACE, tag: Kind.DELETE });
        });

        it("when a create-only value is unknown at preview, as it may change", () => {
            const attachment = urn("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
            assert.deepStrictEqual(
                replaced(attachment, { role: "a", policyArn: "p" }, { role: "a", policyArn: UNKNOWN }),
                ["policyArn"],
            );
        });
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
