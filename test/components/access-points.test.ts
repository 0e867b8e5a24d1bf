import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import {
    accessPointArn,
    accessPointTarget,
    bucketTarget,
    delegateToAccessPoints,
    grantTo,
    S3AccessPoints,
} from "../../components/access-points";
import { accessPointStatements } from "../../components/api/functions";
import { bucketResources } from "../../components/api";
import { jobOutputStatements, jobSourceStatements } from "../../components/identity";
import { componentResources, json, promiseOf, testContext } from "../support/mocks";

const ROLE = "arn:aws:iam::123456789012:role/job";
const AP = "arn:aws:s3:us-east-1:123456789012:accesspoint/atx-jobs-source";

describe("S3AccessPoints", () => {
    const build = () =>
        componentResources(
            () =>
                new S3AccessPoints("ap", {
                    accessPoints: {
                        "jobs-source": {
                            name: "atx-jobs-source",
                            bucket: "source-bucket",
                            statements: grantTo(ROLE, jobSourceStatements(accessPointTarget(AP))),
                        },
                    },
                }),
        );

    it("creates each access point on its bucket, every public access setting blocked", async () => {
        const point = (await build()).one("aws:s3/accessPoint:AccessPoint");
        assert.strictEqual(point.inputs.name, "atx-jobs-source");
        assert.strictEqual(point.inputs.bucket, "source-bucket");
        assert.strictEqual(point.inputs.vpcConfiguration, undefined);
        assert.deepStrictEqual(point.inputs.publicAccessBlockConfiguration, {
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
    });

    it("grants only the role, only on the access point's own ARNs", async () => {
        const policy = json((await build()).one("aws:s3/accessPoint:AccessPoint"), "policy") as {
            Statement: { Sid: string; Effect: string; Principal: unknown; Resource: string | string[] }[];
        };
        assert.deepStrictEqual(
            policy.Statement.map((s) => `${s.Effect} ${s.Sid}`),
            ["Allow ListSourceBucket", "Allow ReadSources", "Deny DenyBulkManifests"],
        );
        for (const statement of policy.Statement) {
            assert.deepStrictEqual(statement.Principal, { AWS: ROLE });
            for (const resource of [statement.Resource].flat()) assert.ok(resource.startsWith(AP), resource);
        }
        assert.strictEqual(policy.Statement[1].Resource, `${AP}/object/*`);
        assert.strictEqual(policy.Statement[2].Resource, `${AP}/object/bulk-manifests/*`);
    });
});

describe("access point ARNs and the bucket policy's delegation", () => {
    it("names an access point and its objects as IAM expects", async () => {
        const arn = accessPointArn(testContext(), "atx-api-output");
        assert.strictEqual(await promiseOf(arn), "arn:aws:s3:us-east-1:123456789012:accesspoint/atx-api-output");
        const target = accessPointTarget(arn);
        assert.strictEqual(
            await promiseOf(target.objects("transformations/*")),
            `${await promiseOf(arn)}/object/transformations/*`,
        );
        assert.strictEqual(await promiseOf(bucketTarget("arn:aws:s3:::b").objects("x/*")), "arn:aws:s3:::b/x/*");
    });

    it("allows the account everything only through this account's access points", async () => {
        const statement = delegateToAccessPoints(testContext(), "arn:aws:s3:::b");
        assert.strictEqual(statement.Effect, "Allow");
        assert.strictEqual(statement.Action, "s3:*");
        assert.strictEqual(
            await promiseOf(pulumi.jsonStringify(statement.Principal)),
            JSON.stringify({ AWS: "arn:aws:iam::123456789012:root" }),
        );
        assert.deepStrictEqual(Object.keys(statement.Condition!), ["StringEquals"]);
        assert.strictEqual(
            await promiseOf(pulumi.jsonStringify(statement.Condition!.StringEquals["s3:DataAccessPointAccount"])),
            JSON.stringify("123456789012"),
        );
    });

    it("lets the job role write results only under transformations/ of its output access point", async () => {
        const output = accessPointTarget("arn:aws:s3:us-east-1:123456789012:accesspoint/atx-jobs-output");
        const [list, write] = jobOutputStatements(output);
        assert.deepStrictEqual(list.Condition, { StringLike: { "s3:prefix": ["transformations/*"] } });
        assert.strictEqual(
            await promiseOf(pulumi.jsonStringify(write.Resource)),
            JSON.stringify("arn:aws:s3:us-east-1:123456789012:accesspoint/atx-jobs-output/object/transformations/*"),
        );
    });

    it("gives each API function's role its contract permissions in the bucket, and only those", async () => {
        const context = testContext();
        const resources = bucketResources(
            accessPointTarget("arn:aws:s3:us-east-1:123456789012:accesspoint/atx-api-source"),
            accessPointTarget("arn:aws:s3:us-east-1:123456789012:accesspoint/atx-api-output"),
        );
        const source = accessPointStatements("source", { context, namePrefix: "atx-api", resources });
        const output = accessPointStatements("output", { context, namePrefix: "atx-api", resources });
        const grants = async (statements: typeof source) =>
            Promise.all(
                statements.map(async (s) => {
                    const role = await promiseOf(pulumi.output((s.Principal as { AWS: string }).AWS));
                    const resource = await promiseOf(pulumi.output(s.Resource));
                    return `${role.split("/").pop()} ${[s.Action].flat().join(",")} ${[resource].flat().join(",")}`;
                }),
            );
        const ap = "arn:aws:s3:us-east-1:123456789012:accesspoint";
        assert.deepStrictEqual(await grants(output), [
            `atx-api-jobs s3:ListBucket ${ap}/atx-api-output`,
            `atx-api-jobs s3:GetObject ${ap}/atx-api-output/object/transformations/*`,
        ]);
        assert.deepStrictEqual((await grants(source)).sort(), [
            `atx-api-batches s3:PutObject,s3:DeleteObject ${ap}/atx-api-source/object/bulk-manifests/*`,
            `atx-api-bulk-submitter s3:GetObject,s3:DeleteObject ${ap}/atx-api-source/object/bulk-manifests/*`,
            `atx-api-mcp-config s3:PutObject ${ap}/atx-api-source/object/config/mcp.json`,
            `atx-api-upload s3:PutObject ${ap}/atx-api-source/object/uploads/*`,
        ]);
        assert.deepStrictEqual(output[0].Condition, { StringLike: { "s3:prefix": ["transformations/*"] } });
    });
});
