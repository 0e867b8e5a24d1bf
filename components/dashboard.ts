/** The body of the platform's CloudWatch dashboard, built as data so that it can be reviewed and tested. */
import * as pulumi from "@pulumi/pulumi";
import { JOB_METRICS_NAMESPACE } from "./long-running-jobs";

export interface DashboardInputs {
    readonly region: pulumi.Input<string>;
    readonly jobQueueArn: pulumi.Input<string>;
    /** Batch job state change events of the queue (EventBridge -> CloudWatch Logs). */
    readonly jobEventLogGroupName: pulumi.Input<string>;
    /** The jobs' own output (awslogs). */
    readonly jobLogGroupName: pulumi.Input<string>;
    readonly api?: { readonly restApiName: pulumi.Input<string>; readonly stageName: pulumi.Input<string> };
    readonly functionNames: readonly pulumi.Input<string>[];
    readonly alarmArns: readonly pulumi.Input<string>[];
}

/** Logs Insights queries of the dashboard (the events are EventBridge's JSON, the job logs plain lines). */
export const DASHBOARD_QUERIES = {
    recentJobs: [
        "fields @timestamp, detail.jobName as job, detail.status as status, detail.statusReason as reason, detail.container.logStreamName as logStream",
        'filter detail.status in ["RUNNING", "SUCCEEDED", "FAILED"]',
        "sort @timestamp desc",
        "limit 50",
    ].join("\n| "),
    jobsByCurrentStatus: [
        "stats latest(detail.status) as status by detail.jobId",
        "stats count(*) as jobs by status",
    ].join("\n| "),
    lastMessagePerJob: [
        "stats latest(@message) as lastMessage, max(@timestamp) as lastSeen by @logStream",
        "sort lastSeen desc",
        "limit 25",
    ].join("\n| "),
} as const;

export function dashboardBody(d: DashboardInputs): pulumi.Output<string> {
    const jobMetric = (metricName: string, label: string) => [
        JOB_METRICS_NAMESPACE,
        metricName,
        "JobQueue",
        d.jobQueueArn,
        { label },
    ];
    const metricWidget = (title: string, metrics: unknown[], extra: Record<string, unknown> = {}) => ({
        type: "metric",
        width: 12,
        height: 6,
        properties: {
            title,
            region: d.region,
            view: "timeSeries",
            stacked: false,
            stat: "Sum",
            period: 300,
            metrics,
            ...extra,
        },
    });
    const logWidget = (title: string, logGroupName: pulumi.Input<string>, query: string, width = 12) => ({
        type: "log",
        width,
        height: 6,
        properties: {
            title,
            region: d.region,
            view: "table",
            query: pulumi.interpolate`SOURCE '${logGroupName}' | ${query}`,
        },
    });

    const widgets: unknown[] = [
        metricWidget(
            "Jobs per hour: completed vs failed",
            [jobMetric("JobsSucceeded", "completed"), jobMetric("JobsFailed", "failed")],
            { period: 3600, view: "bar" },
        ),
        metricWidget(
            "Jobs per hour: queued, started, running too long",
            [
                jobMetric("JobsQueued", "queued (RUNNABLE)"),
                jobMetric("JobsStarted", "started (RUNNING)"),
                jobMetric("LongRunningJobs", "running too long"),
            ],
            { period: 3600 },
        ),
        logWidget(
            "Jobs by current status (time range of the dashboard)",
            d.jobEventLogGroupName,
            DASHBOARD_QUERIES.jobsByCurrentStatus,
        ),
        logWidget(
            "Recent jobs: name, status, reason, log stream",
            d.jobEventLogGroupName,
            DASHBOARD_QUERIES.recentJobs,
        ),
        logWidget("Last message of each job's log stream", d.jobLogGroupName, DASHBOARD_QUERIES.lastMessagePerJob, 24),
    ];
    if (d.api !== undefined) {
        const apiMetric = (metricName: string, label: string, extra: Record<string, unknown> = {}) => [
            "AWS/ApiGateway",
            metricName,
            "ApiName",
            d.api!.restApiName,
            "Stage",
            d.api!.stageName,
            { label, ...extra },
        ];
        widgets.push(
            metricWidget("API requests and errors", [
                apiMetric("Count", "requests"),
                apiMetric("4XXError", "4XX"),
                apiMetric("5XXError", "5XX"),
            ]),
            metricWidget("API latency", [
                apiMetric("Latency", "p90", { stat: "p90" }),
                apiMetric("Latency", "average", { stat: "Average" }),
            ]),
        );
    }
    if (d.functionNames.length > 0) {
        const perFunction = (metricName: string, extra: Record<string, unknown> = {}) =>
            d.functionNames.map((functionName) => ["AWS/Lambda", metricName, "FunctionName", functionName, extra]);
        widgets.push(
            metricWidget("Lambda invocations", perFunction("Invocations")),
            metricWidget("Lambda errors and throttles", [...perFunction("Errors"), ...perFunction("Throttles")]),
            metricWidget("Lambda duration (p90, ms)", perFunction("Duration", { stat: "p90" })),
        );
    }
    if (d.alarmArns.length > 0) {
        widgets.push({
            type: "alarm",
            width: 24,
            height: 4,
            properties: { title: "Alarm states", alarms: d.alarmArns },
        });
    }
    return pulumi.jsonStringify({ widgets });
}
