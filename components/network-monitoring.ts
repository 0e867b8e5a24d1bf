/**
 * Network traffic patterns of the jobs: metric filters on the VPC flow logs count what the jobs'
 * HTTPS-only egress should never produce (traffic from the VPC's addresses that was rejected, or
 * accepted on a port other than 443), and one alarm fires on either.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AlarmSettings } from "./alarm-settings";
import { createMetricAlarm } from "./alarms";
import { runbookLink } from "./runbooks";

export const NETWORK_METRICS_NAMESPACE = "ATX/Network";

/**
 * A flow-log filter value matching the addresses of a CIDR block, widened to its octet boundary
 * (the filter syntax has prefixes, not masks): 172.31.0.0/16 -> `172.31.*`, 10.1.0.0/20 -> `10.1.*`.
 */
export function addressPrefixPattern(cidrBlock: string): string {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidrBlock);
    const bits = match ? Number(match[5]) : NaN;
    if (!match || bits > 32 || match.slice(1, 5).some((octet) => Number(octet) > 255)) {
        throw new Error(`not an IPv4 CIDR block: ${cidrBlock}`);
    }
    const octets = Math.floor(bits / 8);
    return octets === 0 ? "*" : `${match.slice(1, 1 + octets).join(".")}.*`;
}

/** Space-delimited filters over the default flow-log format, for traffic from the given addresses. */
export function egressFilterPatterns(sourcePattern: string): { rejected: string; unexpected: string } {
    const record = (srcport: string, dstport: string, action: string) =>
        `[version, account, eni, source="${sourcePattern}", destination, ${srcport}, ${dstport}, protocol, packets, bytes, windowstart, windowend, action="${action}", flowlogstatus]`;
    return {
        rejected: record("srcport", "dstport", "REJECT"),
        // Accepted from the VPC to anything but 443; replies to the jobs' HTTPS calls come from port 443.
        unexpected: record("srcport!=443", "dstport!=443", "ACCEPT"),
    };
}

export interface NetworkMonitoringArgs {
    readonly flowLogGroupName: pulumi.Input<string>;
    /** The jobs' VPC: its CIDR block selects the records of traffic leaving its addresses. */
    readonly vpcId: pulumi.Input<string>;
    readonly alarmName: string;
    readonly alarmTopicArn: pulumi.Input<string>;
    readonly settings: AlarmSettings;
}

export class NetworkMonitoring extends pulumi.ComponentResource {
    readonly alarm?: aws.cloudwatch.MetricAlarm;

    constructor(name: string, args: NetworkMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:network:NetworkMonitoring", name, {}, opts);
        const child = { parent: this };
        const cidr = aws.ec2.getVpcOutput({ id: args.vpcId }, child).cidrBlock;
        const patterns = cidr.apply((block) => egressFilterPatterns(addressPrefixPattern(block)));
        const metrics = { rejected: "RejectedEgress", unexpected: "UnexpectedEgress" } as const;
        for (const [kind, metricName] of Object.entries(metrics) as [keyof typeof metrics, string][]) {
            new aws.cloudwatch.LogMetricFilter(
                `${name}-${kind}`,
                {
                    name: metricName,
                    logGroupName: args.flowLogGroupName,
                    pattern: patterns[kind],
                    metricTransformation: { namespace: NETWORK_METRICS_NAMESPACE, name: metricName, value: "1" },
                },
                child,
            );
        }
        if (args.settings.enabled) {
            const query = (id: string, metricName: string) => ({
                id,
                metric: {
                    namespace: NETWORK_METRICS_NAMESPACE,
                    metricName,
                    stat: "Sum",
                    period: args.settings.periodSeconds,
                },
            });
            this.alarm = createMetricAlarm(
                `${name}-alarm`,
                {
                    alarmName: args.alarmName,
                    description: `Traffic from the jobs' VPC rejected, or accepted on a port other than 443 (flow logs). ${runbookLink("rejectedEgress")}`,
                    settings: args.settings,
                    topicArn: args.alarmTopicArn,
                    metricQueries: [
                        query("rejected", metrics.rejected),
                        query("unexpected", metrics.unexpected),
                        {
                            id: "egress",
                            expression: "FILL(rejected, 0) + FILL(unexpected, 0)",
                            label: "Unexpected egress",
                            returnData: true,
                        },
                    ],
                },
                child,
            );
        }
        this.registerOutputs({});
    }
}
