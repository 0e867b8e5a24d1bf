/**
 * Network: no ingress from anywhere, egress only on the allowed ports, and VPC flow logs for the
 * VPC the jobs run in.
 *
 * A security group rule is complete on the resource that declares it (inline on
 * `aws.ec2.SecurityGroup`, or a separate `aws.ec2.SecurityGroupRule`,
 * `aws.vpc.SecurityGroupIngressRule` / `SecurityGroupEgressRule`), so each shape is normalised
 * into one `SgRule` and checked by one function; the violation names the resource that holds the
 * offending rule. Flow logs relate a VPC to a separate resource and are a stack policy.
 */
import type * as aws from "@pulumi/aws";
import {
    type PolicyResource,
    type ReportViolation,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
} from "@pulumi/policy";
import { decide, type Link, PerTarget, related, refersTo, sameReference } from "./relations";
import {
    anyOf,
    asArray,
    configWithDefaults,
    MANDATORY,
    ofTypes,
    type ResourceProps,
    schema,
    validateTypes,
} from "./util";

export const NETWORK_TYPES = {
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    flowLog: "aws:ec2/flowLog:FlowLog",
    vpcs: ["aws:ec2/vpc:Vpc", "aws:ec2/defaultVpc:DefaultVpc", "awsx:ec2:Vpc", "awsx:ec2:DefaultVpc"],
} as const;

type SecurityGroupProps = ResourceProps<aws.ec2.SecurityGroupArgs>;
type Ec2RuleProps = ResourceProps<aws.ec2.SecurityGroupRuleArgs>;
type VpcRuleProps = ResourceProps<aws.vpc.SecurityGroupIngressRuleArgs | aws.vpc.SecurityGroupEgressRuleArgs>;

/** One security group rule, whatever resource declared it. */
export interface SgRule {
    readonly direction: "ingress" | "egress";
    /** Lower-case protocol: "tcp", "udp", "icmp", "-1"/"all" or a number as a string. */
    readonly protocol: string;
    readonly fromPort?: number;
    readonly toPort?: number;
    readonly cidrs: string[];
}

const ANYWHERE = ["0.0.0.0/0", "::/0"];

function normalizeProtocol(p: string | number | undefined): string {
    const s = String(p ?? "").toLowerCase();
    return s === "6" ? "tcp" : s === "17" ? "udp" : s === "all" ? "-1" : s;
}

/** Inline `ingress` / `egress` blocks of a security group. */
export function inlineRules(sg: SecurityGroupProps): SgRule[] {
    return (["ingress", "egress"] as const).flatMap((direction) =>
        asArray(sg[direction]).map((r) => ({
            direction,
            protocol: normalizeProtocol(r.protocol),
            fromPort: r.fromPort,
            toPort: r.toPort,
            cidrs: [...asArray<string>(r.cidrBlocks), ...asArray<string>(r.ipv6CidrBlocks)],
        })),
    );
}

/** An `aws.ec2.SecurityGroupRule`. */
export function ec2Rule(r: Ec2RuleProps): SgRule {
    return {
        direction: r.type === "ingress" ? "ingress" : "egress",
        protocol: normalizeProtocol(r.protocol),
        fromPort: r.fromPort,
        toPort: r.toPort,
        cidrs: [...asArray<string>(r.cidrBlocks), ...asArray<string>(r.ipv6CidrBlocks)],
    };
}

/** An `aws.vpc.SecurityGroupIngressRule` / `SecurityGroupEgressRule`. */
export function vpcRule(direction: "ingress" | "egress", r: VpcRuleProps): SgRule {
    return {
        direction,
        protocol: normalizeProtocol(r.ipProtocol),
        fromPort: r.fromPort,
        toPort: r.toPort,
        cidrs: [r.cidrIpv4, r.cidrIpv6].filter((c): c is string => typeof c === "string"),
    };
}

/** Applies `check` to every rule a security-group-related resource declares. */
function validateEveryRule<C extends object>(
    checkRule: (rule: SgRule, config: C, holder: string, report: ReportViolation) => void,
    configSchema = schema({}),
) {
    const run =
        <P>(rules: (p: P) => SgRule[]) =>
        (props: P, args: ResourceValidationArgs, report: ReportViolation) => {
            const config = configWithDefaults<C>(configSchema, () => args.getConfig());
            for (const rule of rules(props)) {
                checkRule(rule, config, args.name, report);
            }
        };
    return anyOf(
        validateTypes(NETWORK_TYPES.securityGroup, run(inlineRules)),
        validateTypes(
            NETWORK_TYPES.securityGroupRule,
            run((r: Ec2RuleProps) => [ec2Rule(r)]),
        ),
        validateTypes(
            NETWORK_TYPES.ingressRule,
            run((r: VpcRuleProps) => [vpcRule("ingress", r)]),
        ),
        validateTypes(
            NETWORK_TYPES.egressRule,
            run((r: VpcRuleProps) => [vpcRule("egress", r)]),
        ),
    );
}

export const securityGroupNoPublicIngress: ResourceValidationPolicy = {
    name: "security-group-no-public-ingress",
    description: "No security group rule allows ingress from anywhere (0.0.0.0/0 or ::/0).",
    enforcementLevel: MANDATORY,
    validateResource: validateEveryRule((rule, _c, holder, report) => {
        const open = rule.cidrs.filter((c) => ANYWHERE.includes(c));
        if (rule.direction === "ingress" && open.length > 0) {
            report(`Security group rule in '${holder}' must not allow ingress from anywhere (${open.join(", ")}).`);
        }
    }),
};

interface EgressConfig {
    allowedEgressPorts: number[];
}

const egressSchema = schema({
    allowedEgressPorts: {
        type: "array",
        items: { type: "integer", minimum: 0, maximum: 65535 },
        default: [443],
        description: "TCP ports security groups may allow outbound traffic on.",
    },
});

/** Why an egress rule is outside the allowed TCP ports, or undefined when it is within them. */
export function egressProblem(rule: SgRule, allowedPorts: readonly number[]): string | undefined {
    if (rule.protocol !== "tcp") {
        return `protocol '${rule.protocol === "-1" ? "all" : rule.protocol}' (only TCP is allowed)`;
    }
    const from = rule.fromPort,
        to = rule.toPort ?? rule.fromPort;
    if (typeof from !== "number" || typeof to !== "number") {
        return "no port range";
    }
    if (
        to - from > 65535 ||
        ![...Array(Math.max(0, to - from + 1)).keys()].every((i) => allowedPorts.includes(from + i))
    ) {
        return `ports ${from === to ? from : `${from}-${to}`}`;
    }
    return undefined;
}

export const securityGroupEgressAllowedPorts: ResourceValidationPolicy = {
    name: "security-group-egress-allowed-ports",
    description:
        "Security group egress is only allowed on the configured TCP ports (default 443), for inline rules and separate rule resources alike.",
    enforcementLevel: MANDATORY,
    configSchema: egressSchema,
    validateResource: validateEveryRule((rule, c: EgressConfig, holder, report) => {
        const problem = rule.direction === "egress" ? egressProblem(rule, c.allowedEgressPorts) : undefined;
        if (problem) {
            report(
                `Security group rule in '${holder}' must only allow egress on TCP port(s) ${c.allowedEgressPorts.join(", ")}; it allows ${problem}.`,
            );
        }
    }, egressSchema),
};

// ---- Flow logs -------------------------------------------------------------------------------

/** Does this flow log cover the VPC resource `vpc`? */
const coversVpc =
    (vpc: PolicyResource) =>
    (flowLog: PolicyResource): Link =>
        refersTo(flowLog, "vpcId", vpc, vpc.type.startsWith("awsx:") ? ["vpcId"] : ["id"]);

export const vpcFlowLogsEnabled: StackValidationPolicy = {
    name: "vpc-flow-logs-enabled",
    description:
        "Every VPC of the stack, and every VPC a security group (and so a job) is placed in, has VPC flow logs.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        const flowLogs = ofTypes(args.resources, [NETWORK_TYPES.flowLog]);
        const targets = new PerTarget();
        for (const vpc of ofTypes(args.resources, NETWORK_TYPES.vpcs)) {
            targets.run(() => {
                if (!decide(related(flowLogs, coversVpc(vpc)), () => true)) {
                    reportViolation(
                        `VPC '${vpc.name}' must have VPC flow logs (an aws.ec2.FlowLog with its vpcId).`,
                        vpc.urn,
                    );
                }
            });
        }
        for (const sg of ofTypes(args.resources, [NETWORK_TYPES.securityGroup])) {
            if (!("vpcId" in sg.props)) {
                reportViolation(
                    `Security group '${sg.name}' must name its VPC (vpcId) so that the VPC's flow logs can be checked.`,
                    sg.urn,
                );
                continue;
            }
            targets.run(() => {
                if (
                    !decide(
                        related(flowLogs, (f) => sameReference(sg, "vpcId", f, "vpcId")),
                        () => true,
                    )
                ) {
                    reportViolation(
                        `The VPC of security group '${sg.name}' must have VPC flow logs (an aws.ec2.FlowLog with the same vpcId).`,
                        sg.urn,
                    );
                }
            });
        }
        targets.finish();
    },
};
