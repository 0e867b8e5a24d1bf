import type * as aws from "@pulumi/aws";
import * as assert from "assert";
import { JobNetwork } from "../../components/network";
import { INTERFACE_ENDPOINTS } from "../../components/private-network";
import { type ResourceRecord } from "../../tools/common/resource-record";
import { componentResources, inputsOf, json, jsonStatementsOf, promiseOf, testContext } from "../support/mocks";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc";

const endpointService = (endpoint: ResourceRecord): string =>
    inputsOf<aws.ec2.VpcEndpointArgs>(endpoint).serviceName ?? "";
const SCOPE = {
    bucketArns: ["arn:aws:s3:::atx-custom-output-123456789012", "arn:aws:s3:::atx-custom-source-123456789012"],
    repositoryArns: ["arn:aws:ecr:us-east-1:123456789012:repository/aws-transform-cli"],
    logGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/batch/atx-transform",
    kmsKeyArn: KEY_ARN,
    secretArnPattern: "arn:aws:secretsmanager:us-east-1:123456789012:secret:atx/*",
};

describe("JobNetwork in private mode", () => {
    const build = (name: string) => {
        let network: JobNetwork | undefined;
        const tree = componentResources(
            () =>
                (network = new JobNetwork(name, {
                    context: testContext(),
                    kmsKeyArn: KEY_ARN,
                    logRetentionDays: 30,
                    flowLogGroupName: `/aws/vpc/flow-logs/${name}`,
                    flowLogRoleName: `${name}-flow-logs`,
                    mode: "private",
                    namePrefix: `atx-${name}`,
                    endpointScope: SCOPE,
                })),
        );
        return tree.then((t) => ({ tree: t, network: network! }));
    };

    it("puts jobs in the new VPC's private subnets and logs that VPC's flows", async () => {
        const { tree, network } = await build("priv-vpc");
        const vpc = tree.one("aws:ec2/vpc:Vpc");
        assert.strictEqual(vpc.inputs.enableDnsHostnames, true, "interface endpoints' private DNS needs it");
        assert.strictEqual(await promiseOf(network.vpcId), vpc.outputs.id);
        const privateSubnets = tree.ofType("aws:ec2/subnet:Subnet").filter((s) => /-private-[ab]$/.test(s.name));
        assert.deepStrictEqual(
            (await promiseOf(network.subnetIds)).sort(),
            privateSubnets.map((s) => s.outputs.id as string).sort(),
        );
        assert.strictEqual(tree.one("aws:ec2/flowLog:FlowLog").inputs.vpcId, vpc.outputs.id);
    });

    it("scopes every endpoint policy to this account, and the KMS one to the stack's key", async () => {
        const { tree } = await build("priv-endpoints");
        const endpoints = tree.ofType("aws:ec2/vpcEndpoint:VpcEndpoint");
        assert.strictEqual(endpoints.length, INTERFACE_ENDPOINTS.length + 1);
        for (const endpoint of endpoints) {
            for (const s of jsonStatementsOf(endpoint, "policy")) {
                assert.strictEqual(s.Effect, "Allow");
                if (s.Sid === "EcrImageLayers") {
                    assert.deepStrictEqual(s.Action, ["s3:GetObject"]);
                    continue;
                }
                assert.deepStrictEqual(s.Condition, { StringEquals: { "aws:PrincipalAccount": "123456789012" } });
            }
        }
        const kms = endpoints.find((e) => endpointService(e).endsWith(".kms"))!;
        assert.deepStrictEqual(jsonStatementsOf(kms, "policy")[0].Resource, [KEY_ARN]);
        const sts = endpoints.find((e) => endpointService(e).endsWith(".sts"))!;
        assert.ok(!JSON.stringify(json(sts, "policy")).includes('"sts:*"'));
    });

    it("admits only HTTPS from the VPC to the interface endpoints", async () => {
        const { tree } = await build("priv-sg");
        const group = tree.ofType("aws:ec2/securityGroup:SecurityGroup").find((g) => g.name.endsWith("-endpoints"))!;
        assert.deepStrictEqual(
            inputsOf<aws.ec2.SecurityGroupArgs>(group).ingress?.map((r) => [r.fromPort, r.toPort, r.cidrBlocks]),
            [[443, 443, ["10.80.0.0/16"]]],
        );
        assert.deepStrictEqual(group.inputs.egress, []);
    });

    it("refuses private mode without an endpoint scope", () => {
        assert.throws(
            () =>
                new JobNetwork("priv-noscope", {
                    context: testContext(),
                    kmsKeyArn: KEY_ARN,
                    logRetentionDays: 30,
                    flowLogGroupName: "/aws/vpc/flow-logs/x",
                    flowLogRoleName: "x",
                    mode: "private",
                }),
            /needs endpointScope/,
        );
    });
});
