/**
 * Alarms on the managed services in front of the jobs: the REST API's 5XX rate and 4XX volume, and
 * each Lambda function's errors and throttles.
 */
import * as pulumi from "@pulumi/pulumi";
import { adoptedChildOptions } from "./adopted";
import { type AlarmsConfig } from "./alarm-settings";
import { type AlarmScope, AlarmSet } from "./alarm-set";
import { runbookLink } from "./runbooks";

/** A 5XX rate needs enough requests to mean something; below this many per period it reads as 0 %. */
export const API_5XX_MIN_REQUESTS = 10;

export interface ServiceAlarmsArgs {
    readonly alarmScope: AlarmScope;
    readonly settings: AlarmsConfig;
    /** The REST API whose 5XX rate and 4XX volume are alarmed. Default none. */
    readonly api?: { readonly restApiName: pulumi.Input<string>; readonly stageName: pulumi.Input<string> };
    /**
     * Lambda functions whose errors and throttles are alarmed. `id` (default: the position) names
     * the alarms (`atx-lambda-errors-<id>`), so give a stable one. Default none.
     */
    readonly functions?: readonly { readonly functionName: pulumi.Input<string>; readonly id?: string }[];
}

/** The component's name prefixes its alarms' resource names, as when they were the Observability's own. */
export class ServiceAlarms extends pulumi.ComponentResource {
    readonly alarmArns: pulumi.Output<string>[];

    constructor(name: string, args: ServiceAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:observability:ServiceAlarms", name, {}, opts);
        const alarms = new AlarmSet(name, args.alarmScope, adoptedChildOptions(this, opts));
        if (args.api !== undefined) addApiAlarms(alarms, args.settings, args.api);
        (args.functions ?? []).forEach((fn, i) =>
            addFunctionAlarms(alarms, args.settings, fn.functionName, fn.id ?? String(i)),
        );
        this.alarmArns = alarms.arns;
        this.registerOutputs({ alarmArns: this.alarmArns });
    }
}

function addApiAlarms(alarms: AlarmSet, settings: AlarmsConfig, api: NonNullable<ServiceAlarmsArgs["api"]>): void {
    const dimensions = { ApiName: api.restApiName, Stage: api.stageName };
    const apiMetric = (metricName: string) => ({
        namespace: "AWS/ApiGateway",
        metricName,
        period: settings.api5xxRate.periodSeconds,
        stat: "Sum",
        dimensions,
    });
    if (settings.api5xxRate.enabled) {
        alarms.add("api-5xx-rate", {
            description: `API 5XX responses in percent of requests (when at least ${API_5XX_MIN_REQUESTS} requests in the period). ${runbookLink("api5xxRate")}`,
            settings: settings.api5xxRate,
            metricQueries: [
                { id: "errors", metric: apiMetric("5XXError"), returnData: false },
                { id: "requests", metric: apiMetric("Count"), returnData: false },
                {
                    id: "rate",
                    label: "5XX rate (%)",
                    expression: `IF(requests >= ${API_5XX_MIN_REQUESTS}, 100 * errors / requests, 0)`,
                    returnData: true,
                },
            ],
        });
    }
    if (settings.api4xxCount.enabled) {
        alarms.add("api-4xx-volume", {
            description: `Unusual volume of API 4XX responses (e.g. bursts of failed SigV4 authentication). ${runbookLink("api4xxCount")}`,
            settings: settings.api4xxCount,
            metric: { namespace: "AWS/ApiGateway", metricName: "4XXError", statistic: "Sum", dimensions },
        });
    }
}

function addFunctionAlarms(
    alarms: AlarmSet,
    settings: AlarmsConfig,
    functionName: pulumi.Input<string>,
    id: string,
): void {
    const lambdaMetric = (metricName: string) => ({
        namespace: "AWS/Lambda",
        metricName,
        statistic: "Sum" as const,
        dimensions: { FunctionName: functionName },
    });
    if (settings.lambdaErrors.enabled) {
        alarms.add(`lambda-errors-${id}`, {
            description: pulumi.interpolate`Errors of the Lambda function ${functionName}. ${runbookLink("lambdaErrors")}`,
            settings: settings.lambdaErrors,
            metric: lambdaMetric("Errors"),
        });
    }
    if (settings.lambdaThrottles.enabled) {
        alarms.add(`lambda-throttles-${id}`, {
            description: pulumi.interpolate`Throttled invocations of the Lambda function ${functionName}. ${runbookLink("lambdaThrottles")}`,
            settings: settings.lambdaThrottles,
            metric: lambdaMetric("Throttles"),
        });
    }
}
