/**
 * The schema and defaults of the `alarms` stack config: which alarms exist and what each may be set
 * to. Plain data, read by config.ts and by the components that create the alarms.
 */

/** The configurable CloudWatch alarms, by their key in the `alarms` stack config. */
export const METRIC_ALARMS = [
    "jobFailures",
    "longRunningJobs",
    "api5xxRate",
    "api4xxCount",
    "lambdaErrors",
    "lambdaThrottles",
    "unauthorizedApiCalls",
    "iamPolicyChanges",
    "s3BucketPolicyChanges",
    "rejectedEgress",
] as const;
export type MetricAlarmName = (typeof METRIC_ALARMS)[number];

/** One alarm: it fires when the statistic reaches `threshold` in `evaluationPeriods` consecutive periods. */
export interface AlarmSettings {
    readonly enabled: boolean;
    /** Count per period, or a percentage for `api5xxRate`. Greater than zero. */
    readonly threshold: number;
    /** A multiple of 60 seconds. */
    readonly periodSeconds: number;
    /** Consecutive periods; periodSeconds x evaluationPeriods is at most one day. */
    readonly evaluationPeriods: number;
}

export type AlarmsConfig = { readonly [K in MetricAlarmName]: AlarmSettings } & {
    /** The ECR scan alert is an EventBridge rule, not a metric: it can only be switched off. */
    readonly ecrScanFindings: { readonly enabled: boolean };
};

const every5Minutes = (threshold: number): AlarmSettings => ({
    enabled: true,
    threshold,
    periodSeconds: 300,
    evaluationPeriods: 1,
});

/** Defaults of the `alarms` config object (each key may be given partly; the rest comes from here). */
export const ALARM_DEFAULTS: AlarmsConfig = {
    jobFailures: every5Minutes(1),
    longRunningJobs: every5Minutes(1),
    api5xxRate: every5Minutes(5),
    api4xxCount: every5Minutes(50),
    lambdaErrors: every5Minutes(1),
    lambdaThrottles: every5Minutes(1),
    unauthorizedApiCalls: every5Minutes(5),
    iamPolicyChanges: every5Minutes(1),
    s3BucketPolicyChanges: every5Minutes(1),
    rejectedEgress: every5Minutes(1),
    ecrScanFindings: { enabled: true },
};

/** The longest time CloudWatch evaluates an alarm over (period x evaluation periods), in seconds. */
export const MAX_ALARM_WINDOW_SECONDS = 86400;
