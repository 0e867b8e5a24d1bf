/**
 * Saved CloudWatch Logs Insights queries for the investigations the runbooks describe: they appear
 * under "Saved queries" in the console, already pointed at the right log groups.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Which log group a query reads. */
export type QuerySource = "jobEvents" | "apiAccess" | "flowLogs";

export const INSIGHTS_QUERIES: Readonly<Record<string, { readonly source: QuerySource; readonly query: string }>> = {
    // Job state events of the queue (EventBridge's "Batch Job State Change" documents).
    "failed-jobs-by-exit-code": {
        source: "jobEvents",
        query: [
            "filter detail.status = 'FAILED'",
            "stats count(*) as failedJobs, latest(detail.statusReason) as lastReason by detail.container.exitCode as exitCode",
            "sort failedJobs desc",
        ].join("\n| "),
    },
    "slowest-jobs": {
        source: "jobEvents",
        query: [
            "filter detail.status in ['SUCCEEDED', 'FAILED'] and ispresent(detail.startedAt)",
            "fields detail.jobName as job, detail.jobId as jobId, detail.status as status, (detail.stoppedAt - detail.startedAt) / 60000 as minutes",
            "sort minutes desc",
            "limit 25",
        ].join("\n| "),
    },
    // The API's JSON access log (components/api/rest-api.ts ACCESS_LOG_FORMAT).
    "api-denied": {
        source: "apiAccess",
        query: [
            "filter status = 401 or status = 403",
            "stats count(*) as denied by userArn, caller, sourceIp, errorType",
            "sort denied desc",
        ].join("\n| "),
    },
    // VPC Flow Logs in the default format, whose fields Logs Insights discovers.
    "flow-rejected": {
        source: "flowLogs",
        query: [
            "filter action = 'REJECT'",
            "stats count(*) as records, sum(bytes) as bytes by srcAddr, dstAddr, dstPort, protocol",
            "sort records desc",
            "limit 50",
        ].join("\n| "),
    },
};

export interface InsightsQueriesArgs {
    /** Physical name of each query: e.g. `(id) => atx-<id><suffix>`. */
    readonly queryName: (id: string) => string;
    readonly logGroups: { readonly [S in QuerySource]: pulumi.Input<string> };
}

export class InsightsQueries extends pulumi.ComponentResource {
    readonly queries: aws.cloudwatch.QueryDefinition[];

    constructor(name: string, args: InsightsQueriesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:observability:InsightsQueries", name, {}, opts);
        this.queries = Object.entries(INSIGHTS_QUERIES).map(
            ([id, { source, query }]) =>
                new aws.cloudwatch.QueryDefinition(
                    `${name}-${id}`,
                    { name: args.queryName(id), logGroupNames: [args.logGroups[source]], queryString: query },
                    { parent: this },
                ),
        );
        this.registerOutputs({});
    }
}
