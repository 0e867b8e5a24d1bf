import * as assert from "assert";
import { JobNetwork } from "../../components/network";
import { DEFAULT_SUBNET_IDS, DEFAULT_VPC_ID } from "../../tools/preview/mocks";
import type * as aws from "@pulumi/aws";
import { componentResources, inputsOf, principalOf, promiseOf, statementsOf, testContext } from "../support/mocks";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc";

describe("JobNetwork", () => {
    const args = (name: string) => ({
        context: testContext(),
        kmsKeyArn: KEY_ARN,
        logRetentionDays: 30,
        flowLogGroupName: `/aws/vpc/flow-logs/${name}`,
        flowLogRoleName: `${name}-flow-logs`,
    });

    it("uses the default VPC's default subnets when no network is configured", async () => {
        let network: JobNetwork | undefined;
        await componentResources(() => (network = new JobNetwork("net-default", args("net-default"))));
        assert.strictEqual(await promiseOf(network!.vpcId), DEFAULT_VPC_ID);
        assert.deepStrictEqual(await promiseOf(network!.subnetIds), DEFAULT_SUBNET_IDS);
    });

    it("creates a security group with no ingress and HTTPS-only egress", async () => {
        const tree = await componentResources(() => new JobNetwork("net-sg", args("net-sg")));
        const sg = inputsOf<aws.ec2.SecurityGroupArgs>(tree.one("aws:ec2/securityGroup:SecurityGroup"));
        assert.deepStrictEqual(sg.ingress, []);
        assert.strictEqual(sg.egress?.length, 1);
        const [rule] = sg.egress;
        assert.deepStrictEqual([rule.protocol, rule.fromPort, rule.toPort], ["tcp", 443, 443]);
        assert.strictEqual(sg.vpcId, DEFAULT_VPC_ID);
        // No separate rule resources that could widen it.
        assert.strictEqual(tree.resources.filter((r) => /securityGroup(Ingress|Egress)?Rule/.test(r.type)).length, 0);
    });

    it("uses the configured VPC, subnets and security group as given", async () => {
        let network: JobNetwork | undefined;
        const tree = await componentResources(
            () =>
                (network = new JobNetwork("net-existing", {
                    ...args("net-existing"),
                    existing: {
                        vpcId: "vpc-0123456789abcdef0",
                        subnetIds: ["subnet-0123456789abcdef0"],
                        securityGroupId: "sg-0123456789abcdef0",
                    },
                })),
        );
        assert.strictEqual(await promiseOf(network!.securityGroupId), "sg-0123456789abcdef0");
        assert.deepStrictEqual(await promiseOf(network!.subnetIds), ["subnet-0123456789abcdef0"]);
        assert.strictEqual(tree.ofType("aws:ec2/securityGroup:SecurityGroup").length, 0);
        assert.strictEqual(
            tree.one("aws:ec2/flowLog:FlowLog").inputs.vpcId,
            "vpc-0123456789abcdef0",
            "flow logs on the configured VPC too",
        );
    });

    it("sends all VPC flow logs to an encrypted log group through a role scoped to it", async () => {
        const tree = await componentResources(() => new JobNetwork("net-flow", args("net-flow")));
        const group = tree.one("aws:cloudwatch/logGroup:LogGroup").inputs;
        assert.deepStrictEqual([group.kmsKeyId, group.retentionInDays], [KEY_ARN, 30]);
        const flowLog = tree.one("aws:ec2/flowLog:FlowLog").inputs;
        assert.strictEqual(flowLog.trafficType, "ALL");
        assert.strictEqual(
            flowLog.logDestination,
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/flow-logs/net-flow",
        );
        const [trust] = statementsOf(tree.one("aws:iam/role:Role"), "assumeRolePolicy");
        assert.strictEqual(principalOf(trust).Service, "vpc-flow-logs.amazonaws.com");
        assert.deepStrictEqual(trust.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
        const [statement] = statementsOf(tree.one("aws:iam/rolePolicy:RolePolicy"), "policy");
        assert.deepStrictEqual(statement.Resource, [flowLog.logDestination, `${flowLog.logDestination}:log-stream:*`]);
    });
});
