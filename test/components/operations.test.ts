import type * as aws from "@pulumi/aws";
import * as assert from "assert";
import { AccessAnalyzers } from "../../components/access-analyzer";
import { ALARM_DEFAULTS } from "../../components/alarm-settings";
import { INSIGHTS_QUERIES, InsightsQueries } from "../../components/insights-queries";
import {
    addressPrefixPattern,
    egressFilterPatterns,
    NetworkMonitoring,
    type NetworkMonitoringArgs,
} from "../../components/network-monitoring";
import { DEFAULT_VPC_ID } from "../../tools/preview/mocks";
import { componentResources, inputsOf, json, testContext } from "../support/mocks";

const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:atx-alarms-t";

describe("NetworkMonitoring", () => {
    it("turns a CIDR block into the flow-log address prefix, widened to its octet", () => {
        assert.strictEqual(addressPrefixPattern("172.31.0.0/16"), "172.31.*");
        assert.strictEqual(addressPrefixPattern("10.1.0.0/20"), "10.1.*");
        assert.strictEqual(addressPrefixPattern("10.0.0.0/8"), "10.*");
        assert.strictEqual(addressPrefixPattern("192.168.4.0/24"), "192.168.4.*");
        assert.strictEqual(addressPrefixPattern("0.0.0.0/0"), "*");
        for (const bad of ["172.31.0.0", "300.1.0.0/16", "10.0.0.0/33", "fd00::/8"]) {
            assert.throws(() => addressPrefixPattern(bad), /not an IPv4 CIDR block/);
        }
    });

    it("counts rejected traffic from the VPC, and accepted traffic on any port but 443", () => {
        const { rejected, unexpected } = egressFilterPatterns("172.31.*");
        assert.match(rejected, /source="172\.31\.\*"/);
        assert.match(rejected, /action="REJECT"/);
        assert.match(unexpected, /srcport!=443, dstport!=443/);
        assert.match(unexpected, /action="ACCEPT"/);
        // Fourteen fields: the default flow-log format.
        for (const pattern of [rejected, unexpected]) assert.strictEqual(pattern.split(",").length, 14);
    });

    const args = (settings = ALARM_DEFAULTS.rejectedEgress): NetworkMonitoringArgs => ({
        flowLogGroupName: "/aws/vpc/flow-logs/atx-jobs-t",
        vpcId: DEFAULT_VPC_ID,
        alarmName: "atx-rejected-egress-t",
        alarmTopicArn: TOPIC_ARN,
        settings,
    });

    it("alarms on the sum of both counts, linking its runbook", async () => {
        const tree = await componentResources(() => new NetworkMonitoring("netmon", args()));
        const filters = tree
            .ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter")
            .map((f) => inputsOf<aws.cloudwatch.LogMetricFilterArgs>(f));
        assert.deepStrictEqual(filters.map((f) => f.name).sort(), ["RejectedEgress", "UnexpectedEgress"]);
        for (const f of filters) assert.match(f.pattern, /source="172\.31\.\*"/);
        const alarm = inputsOf<aws.cloudwatch.MetricAlarmArgs>(tree.one("aws:cloudwatch/metricAlarm:MetricAlarm"));
        assert.deepStrictEqual(alarm.alarmActions, [TOPIC_ARN]);
        assert.match(alarm.alarmDescription ?? "", /docs\/runbooks\/rejectedEgress\.md/);
        const expression = alarm.metricQueries?.find((q) => q.returnData);
        assert.strictEqual(expression?.expression, "FILL(rejected, 0) + FILL(unexpected, 0)");
    });

    it("keeps the counts but no alarm when the alarm is switched off", async () => {
        const off = { ...ALARM_DEFAULTS.rejectedEgress, enabled: false };
        const tree = await componentResources(() => new NetworkMonitoring("netmon-off", args(off)));
        assert.strictEqual(tree.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").length, 0);
        assert.strictEqual(tree.ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter").length, 2);
    });
});

describe("AccessAnalyzers", () => {
    it("analyses external and unused access and sends active findings of both to the topic", async () => {
        const tree = await componentResources(
            () =>
                new AccessAnalyzers("analyzers", {
                    context: testContext(),
                    namePrefix: "atx-access-t",
                    alarmTopicArn: TOPIC_ARN,
                }),
        );
        const analyzers = tree
            .ofType("aws:accessanalyzer/analyzer:Analyzer")
            .map((a) => inputsOf<aws.accessanalyzer.AnalyzerArgs>(a));
        assert.deepStrictEqual(analyzers.map((a) => [a.analyzerName, a.type]).sort(), [
            ["atx-access-t-external", "ACCOUNT"],
            ["atx-access-t-unused", "ACCOUNT_UNUSED_ACCESS"],
        ]);
        const rule = tree.one("aws:cloudwatch/eventRule:EventRule");
        const pattern = json(rule, "eventPattern") as { readonly resources: string[]; readonly detail: unknown };
        assert.deepStrictEqual(pattern.resources, [
            "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/atx-access-t-external",
            "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/atx-access-t-unused",
        ]);
        assert.deepStrictEqual(pattern.detail, { status: ["ACTIVE"] });
        assert.strictEqual(tree.one("aws:cloudwatch/eventTarget:EventTarget").inputs.arn, TOPIC_ARN);
    });
});

describe("InsightsQueries", () => {
    it("saves each query against its log group", async () => {
        const logGroups = {
            jobEvents: "/aws/events/jobs",
            apiAccess: "/aws/apigateway/api",
            flowLogs: "/aws/vpc/flow",
        };
        const tree = await componentResources(
            () => new InsightsQueries("queries", { queryName: (id) => `atx-${id}-t`, logGroups }),
        );
        const saved = tree
            .ofType("aws:cloudwatch/queryDefinition:QueryDefinition")
            .map((q) => inputsOf<aws.cloudwatch.QueryDefinitionArgs>(q));
        assert.deepStrictEqual(saved.map((q) => q.name).sort(), [
            "atx-api-denied-t",
            "atx-failed-jobs-by-exit-code-t",
            "atx-flow-rejected-t",
            "atx-slowest-jobs-t",
        ]);
        for (const q of saved) {
            const id = (q.name ?? "").replace(/^atx-|-t$/g, "");
            assert.deepStrictEqual(q.logGroupNames, [logGroups[INSIGHTS_QUERIES[id].source]]);
            assert.strictEqual(q.queryString, INSIGHTS_QUERIES[id].query);
        }
    });
});
