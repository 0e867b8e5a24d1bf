/**
 * Undoes the two drifts no AWS-owned Automation document covers: security group egress widened
 * beyond the allowed ports, and the audit trail stopped. Reads the current state each time and
 * changes only what differs, so it is idempotent: a second run finds nothing to do. In report-only
 * mode it changes nothing and says what it would have done.
 */
import { type CloudTrailClient, GetTrailStatusCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import {
    DescribeSecurityGroupRulesCommand,
    type EC2Client,
    RevokeSecurityGroupEgressCommand,
} from "@aws-sdk/client-ec2";

export interface EgressRule {
    readonly IpProtocol?: string;
    readonly FromPort?: number;
    readonly ToPort?: number;
}

/** Egress the jobs may have: TCP to exactly one allowed port. */
export function isAllowedEgress(rule: EgressRule, allowedPorts: readonly number[]): boolean {
    return (
        rule.IpProtocol === "tcp" &&
        rule.FromPort !== undefined &&
        rule.FromPort === rule.ToPort &&
        allowedPorts.includes(rule.FromPort)
    );
}

export interface ReconcileTarget {
    readonly securityGroupId: string;
    readonly allowedEgressPorts: readonly number[];
    readonly trailArn: string;
    /** false: report only. */
    readonly remediate: boolean;
}

export interface Change {
    readonly resource: string;
    readonly drift: string;
    /** What was done: `reverted`, or `reported` in report-only mode. */
    readonly action: "reverted" | "reported";
}

export async function reconcile(
    clients: { readonly ec2: EC2Client; readonly cloudtrail: CloudTrailClient },
    target: ReconcileTarget,
): Promise<Change[]> {
    const action = target.remediate ? "reverted" : "reported";
    const changes: Change[] = [];

    const rules =
        (
            await clients.ec2.send(
                new DescribeSecurityGroupRulesCommand({
                    Filters: [{ Name: "group-id", Values: [target.securityGroupId] }],
                }),
            )
        ).SecurityGroupRules ?? [];
    const widened = rules.filter((r) => r.IsEgress && !isAllowedEgress(r, target.allowedEgressPorts));
    if (widened.length > 0) {
        if (target.remediate) {
            await clients.ec2.send(
                new RevokeSecurityGroupEgressCommand({
                    GroupId: target.securityGroupId,
                    SecurityGroupRuleIds: widened.map((r) => r.SecurityGroupRuleId!),
                }),
            );
        }
        for (const r of widened) {
            const ports = r.IpProtocol === "-1" ? "all traffic" : `${r.IpProtocol} ${r.FromPort}-${r.ToPort}`;
            const to = r.CidrIpv4 ?? r.CidrIpv6 ?? r.ReferencedGroupInfo?.GroupId ?? r.PrefixListId ?? "?";
            changes.push({
                resource: target.securityGroupId,
                drift: `egress rule ${r.SecurityGroupRuleId} (${ports} to ${to})`,
                action,
            });
        }
    }

    const status = await clients.cloudtrail.send(new GetTrailStatusCommand({ Name: target.trailArn }));
    if (!status.IsLogging) {
        if (target.remediate) await clients.cloudtrail.send(new StartLoggingCommand({ Name: target.trailArn }));
        changes.push({ resource: target.trailArn, drift: "trail not logging", action });
    }
    return changes;
}
