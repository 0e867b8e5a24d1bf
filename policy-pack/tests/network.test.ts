import { strict as assert } from "assert";
import { securityGroupEgressAllowedPorts, securityGroupNoPublicIngress, vpcFlowLogsEnabled } from "../policies";
import { check, mandatory, resource, T, unknownAdvisories, UNKNOWN } from "./harness";

const https = { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] };
const sg = (inputs: Record<string, unknown>) => resource(T.sg, "jobs", { vpcId: "vpc-1", ...inputs });

describe("security-group-no-public-ingress", () => {
    it("reports no violation when ingress only comes from a private range", async () => {
        assert.deepEqual(
            await check(securityGroupNoPublicIngress, [
                sg({ ingress: [{ ...https, cidrBlocks: ["10.0.0.0/8"] }], egress: [https] }),
            ]),
            [],
        );
    });
    it("reports a violation for inline ingress from 0.0.0.0/0", async () => {
        const vs = await check(securityGroupNoPublicIngress, [
            sg({ ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] }),
        ]);
        assert.equal(mandatory(vs).length, 1);
        assert.match(vs[0].message, /must not allow ingress from anywhere \(0\.0\.0\.0\/0\)/);
    });
    it("reports a violation for an aws.ec2.SecurityGroupRule ingress from ::/0", async () => {
        const rule = resource(T.sgRule, "r", {
            type: "ingress",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            ipv6CidrBlocks: ["::/0"],
            securityGroupId: "sg-1",
        });
        assert.equal(mandatory(await check(securityGroupNoPublicIngress, [rule])).length, 1);
    });
    it("reports a violation for an aws.vpc.SecurityGroupIngressRule from 0.0.0.0/0", async () => {
        const rule = resource(T.ingressRule, "r", {
            ipProtocol: "tcp",
            fromPort: 80,
            toPort: 80,
            cidrIpv4: "0.0.0.0/0",
            securityGroupId: "sg-1",
        });
        assert.equal(mandatory(await check(securityGroupNoPublicIngress, [rule])).length, 1);
    });
    it("reports no violation for egress to 0.0.0.0/0 (only ingress is checked)", async () => {
        const rule = resource(T.egressRule, "r", {
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: "0.0.0.0/0",
            securityGroupId: "sg-1",
        });
        assert.deepEqual(await check(securityGroupNoPublicIngress, [rule]), []);
    });
});

describe("security-group-egress-allowed-ports", () => {
    it("reports no violation when egress is TCP 443 only", async () => {
        assert.deepEqual(await check(securityGroupEgressAllowedPorts, [sg({ egress: [https] })]), []);
    });
    it("reports a violation for inline all-protocol egress", async () => {
        const vs = await check(securityGroupEgressAllowedPorts, [
            sg({ egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] }),
        ]);
        assert.equal(mandatory(vs).length, 1);
        assert.match(vs[0].message, /must only allow egress on TCP port\(s\) 443; it allows protocol 'all'/);
    });
    it("reports a violation for a separate egress rule on a port range", async () => {
        const rule = resource(T.egressRule, "r", {
            ipProtocol: "tcp",
            fromPort: 0,
            toPort: 65535,
            cidrIpv4: "0.0.0.0/0",
            securityGroupId: "sg-1",
        });
        const vs = await check(securityGroupEgressAllowedPorts, [rule]);
        assert.match(vs[0].message, /ports 0-65535/);
    });
    it("reports a violation for an ec2 SecurityGroupRule egress on port 80", async () => {
        const rule = resource(T.sgRule, "r", {
            type: "egress",
            protocol: "6",
            fromPort: 80,
            toPort: 80,
            cidrBlocks: ["0.0.0.0/0"],
            securityGroupId: "sg-1",
        });
        assert.equal(mandatory(await check(securityGroupEgressAllowedPorts, [rule])).length, 1);
    });
    it("reports no violation for port 80 when the config allows it", async () => {
        const rule = resource(T.sgRule, "r", {
            type: "egress",
            protocol: "tcp",
            fromPort: 80,
            toPort: 80,
            cidrBlocks: ["0.0.0.0/0"],
            securityGroupId: "sg-1",
        });
        assert.deepEqual(
            await check(securityGroupEgressAllowedPorts, [rule], { config: { allowedEgressPorts: [80, 443] } }),
            [],
        );
    });
});

describe("vpc-flow-logs-enabled", () => {
    const vpc = resource(
        T.vpc,
        "vpc",
        { cidrBlock: "10.0.0.0/16" },
        { outputs: { id: UNKNOWN, cidrBlock: "10.0.0.0/16" } },
    );
    it("reports no violation when a flow log depends on the VPC (preview)", async () => {
        const fl = resource(
            T.flowLog,
            "fl",
            { vpcId: UNKNOWN, trafficType: "ALL" },
            { propertyDependencies: { vpcId: [vpc] } },
        );
        const jobs = resource(T.sg, "jobs", { vpcId: UNKNOWN }, { propertyDependencies: { vpcId: [vpc] } });
        assert.deepEqual(await check(vpcFlowLogsEnabled, [vpc, fl, jobs], { preview: true }), []);
    });
    it("reports no violation when the flow log and the jobs' security group name the same existing VPC", async () => {
        const fl = resource(T.flowLog, "fl", { vpcId: "vpc-0abc", trafficType: "ALL" });
        assert.deepEqual(await check(vpcFlowLogsEnabled, [fl, resource(T.sg, "jobs", { vpcId: "vpc-0abc" })]), []);
    });
    it("reports a violation when the jobs' VPC has no flow log", async () => {
        const fl = resource(T.flowLog, "fl", { vpcId: "vpc-other", trafficType: "ALL" });
        const jobs = resource(T.sg, "jobs", { vpcId: "vpc-0abc" });
        const vs = await check(vpcFlowLogsEnabled, [fl, jobs]);
        assert.deepEqual(
            mandatory(vs).map((v) => v.urn),
            [jobs.urn],
        );
    });
    it("reports a violation when a VPC of the stack has no flow log", async () => {
        const vs = await check(vpcFlowLogsEnabled, [vpc], { preview: true });
        assert.deepEqual(
            mandatory(vs).map((v) => v.urn),
            [vpc.urn],
        );
    });
    it("reports the engine's advisory when the security group's VPC is unknown and nothing links it", async () => {
        const fl = resource(T.flowLog, "fl", { vpcId: "vpc-0abc" });
        const vs = await check(vpcFlowLogsEnabled, [fl, resource(T.sg, "jobs", { vpcId: UNKNOWN })], { preview: true });
        assert.equal(mandatory(vs).length, 0);
        assert.equal(unknownAdvisories(vs).length, 1);
    });
});
