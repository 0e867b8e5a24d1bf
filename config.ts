/**
 * Stack configuration: parsed and validated in one place, handed to the components as typed values.
 *
 * Every key is declared (type, default, description) in Pulumi.yaml; the defaults below are the same
 * values, and a test keeps the two in step. `parseConfig` collects every problem before failing, so
 * one preview reports all bad keys at once, each with the value given and what is allowed.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    ALARM_DEFAULTS,
    type AlarmsConfig,
    type AlarmSettings,
    MAX_ALARM_WINDOW_SECONDS,
    METRIC_ALARMS,
} from "./components/alarm-settings";
import { defaultAllowedSourceHosts } from "./api/lib/config";
import { closestMatch } from "./components/closest-match";

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Fargate task sizes Batch accepts: vCPU -> allowed memory (MiB). */
export const FARGATE_MEMORY_BY_VCPU: Readonly<Record<string, readonly number[]>> = {
    "0.25": [512, 1024, 2048],
    "0.5": range(1024, 4096, 1024),
    "1": range(2048, 8192, 1024),
    "2": range(4096, 16384, 1024),
    "4": range(8192, 30720, 1024),
    "8": range(16384, 61440, 4096),
    "16": range(32768, 122880, 8192),
};

export interface PlatformConfig {
    /** Appended to every account- or region-global name; "" for prod, "-<stack>" elsewhere. */
    readonly nameSuffix: string;
    readonly fargateVcpu: number;
    readonly fargateMemoryMiB: number;
    readonly jobTimeoutSeconds: number;
    readonly retryAttempts: number;
    readonly maxVcpus: number;
    readonly ephemeralStorageGiB: number;
    readonly logRetentionDays: number;
    /** Existing network to use instead of the default VPC; subnets are required with a VPC. */
    readonly network?: {
        readonly vpcId: string;
        readonly subnetIds: readonly string[];
        readonly securityGroupId?: string;
    };
    /**
     * Where jobs run: `public` (public subnets, public IP, no NAT) or `private` (a new VPC with
     * private subnets, VPC endpoints for the AWS services and a NAT for git hosts and registries).
     */
    readonly networkMode: NetworkMode;
    /** Region of the output bucket's replica; undefined: no replication. */
    readonly replicaRegion?: string;
    /** A ready image to run; when absent the image is built from container/ and pushed to ECR. */
    readonly imageUri?: string;
    readonly permissionsBoundaryArn?: string;
    /** AWS managed policies (names) attached to the job role for the AWS Transform service. */
    readonly transformPolicyNames: readonly string[];
    readonly allowedGitHosts: readonly string[];
    readonly sourceUploadExpirationDays: number;
    readonly noncurrentVersionExpirationDays: number;
    readonly objectLock: boolean;
    readonly intelligentTiering: boolean;
    /** Jobs and API reach the output and source buckets through their own S3 access points. */
    readonly s3AccessPoints: boolean;
    readonly api: {
        /** Stage throttling: steady requests per second and burst. */
        readonly throttlingRateLimit: number;
        readonly throttlingBurstLimit: number;
        /** SubmitJob calls per second per bulk submitter instance. */
        readonly bulkSubmitRatePerSecond: number;
        /** Whether this stack sets the region's API Gateway logging role (one stack per account should). */
        readonly manageAccountSettings: boolean;
    };
    readonly observability: {
        /** E-mail addresses and HTTPS endpoints subscribed to the alarm topic. */
        readonly alarmEmails: readonly string[];
        readonly alarmHttpsEndpoints: readonly string[];
        /** A job still running after this many hours is reported. */
        readonly longRunningJobHours: number;
        /** Per-alarm switches and thresholds: ALARM_DEFAULTS overlaid with the `alarms` object. */
        readonly alarms: AlarmsConfig;
    };
    readonly audit: {
        /** Also deliver the trail to CloudWatch Logs, with metric filters and alarms (default on prod). */
        readonly cloudTrailLogsToCloudWatch: boolean;
        /** IAM Access Analyzers (external and unused access) for the account. */
        readonly accessAnalyzers: boolean;
    };
    readonly compliance: {
        /** AWS Config rules mirroring the policy pack on the deployed resources. */
        readonly enabled: boolean;
        /** Create the Config recorder and delivery channel (false where the account already records). */
        readonly createRecorder: boolean;
        /** Undo the safe drifts automatically (false: report only). */
        readonly remediate: boolean;
    };
}

export const NETWORK_MODES = ["public", "private"] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

export const CONFIG_DEFAULTS = {
    fargateVcpu: 2,
    fargateMemoryMiB: 4096,
    jobTimeoutSeconds: 43200,
    retryAttempts: 3,
    maxVcpus: 256,
    ephemeralStorageGiB: 21,
    logRetentionDays: 30,
    transformPolicyNames: ["AWSTransformCustomExecuteTransformations"],
    allowedGitHosts: defaultAllowedSourceHosts,
    sourceUploadExpirationDays: 7,
    noncurrentVersionExpirationDays: 90,
    objectLock: false,
    intelligentTiering: false,
    s3AccessPoints: true,
    apiThrottlingRateLimit: 50,
    apiThrottlingBurstLimit: 100,
    bulkSubmitRatePerSecond: 10,
    manageApiGatewayAccount: true,
    alarmEmails: [],
    alarmHttpsEndpoints: [],
    longRunningJobHours: 6,
    networkMode: "public",
    replicaRegion: "",
    complianceMonitoring: true,
    configRecorder: true,
    complianceRemediation: true,
    accessAnalyzers: true,
} as const;

/** One bad key: its name, the value given and what would have been accepted. */
export interface ConfigProblem {
    readonly key: string;
    readonly value: string;
    readonly allowed: string;
}

/** An AWS region's name: `us-east-1`, `us-gov-west-1`, `us-isob-east-1`, `ap-southeast-5`. */
const REGION_NAME = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/;

/** Thrown before any resource is registered; the engine prints a RunError's message without a trace. */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly problems: readonly ConfigProblem[],
        project: string,
    ) {
        super(
            `invalid stack configuration:\n` +
                problems.map((p) => `  ${qualified(project, p.key)} = ${p.value}: must be ${p.allowed}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** A key as the stack file writes it: the project's own keys in its namespace, others (`aws:region`) as given. */
function qualified(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/** Raw config as the engine holds it: key (without the project namespace) -> string, or undefined. */
export type RawConfig = (key: string) => string | undefined;

/**
 * Parses and validates the stack's configuration. `stackRegion` is the provider's `aws:region` when
 * known: the replica region must differ from it. `givenKeys` are the keys set in the project's
 * namespace (without it): one the parser never reads is a problem naming the closest known key, so
 * a typo never silently leaves a setting at its default. The known keys are exactly those read below.
 */
export function parseConfig(
    raw: RawConfig,
    stack: string,
    project = "atx-platform",
    stackRegion?: string,
    givenKeys: readonly string[] = [],
): PlatformConfig {
    const reader = new ConfigReader(raw);

    const fargateVcpu = reader.number("fargateVcpu", CONFIG_DEFAULTS.fargateVcpu, {
        allowed: Object.keys(FARGATE_MEMORY_BY_VCPU)
            .map(Number)
            .sort((a, b) => a - b),
    });
    const memoryChoices = FARGATE_MEMORY_BY_VCPU[String(fargateVcpu)] ?? [];
    const fargateMemoryMiB = reader.integer("fargateMemoryMiB", CONFIG_DEFAULTS.fargateMemoryMiB, {
        allowed: memoryChoices,
        allowedText: `one of ${describeChoices(memoryChoices)} (MiB) for ${fargateVcpu} vCPU on Fargate`,
    });
    const vpcId = reader.optionalString("vpcId", /^vpc-[0-9a-f]{8,17}$/, "a VPC id such as vpc-0abc12345");
    const subnetIds = reader.stringList("subnetIds", [], {
        pattern: /^subnet-[0-9a-f]{8,17}$/,
        allowedText: 'a JSON list of subnet ids such as ["subnet-0abc12345"]',
    });
    const securityGroupId = reader.optionalString(
        "securityGroupId",
        /^sg-[0-9a-f]{8,17}$/,
        "a security group id such as sg-0abc12345",
    );
    const networkMode = reader.choice("networkMode", NETWORK_MODES, CONFIG_DEFAULTS.networkMode);
    if (networkMode === "private" && vpcId !== undefined) {
        reader.problem("networkMode", networkMode, "public when vpcId is set (private mode creates its own VPC)");
    }
    if (stackRegion !== undefined && !REGION_NAME.test(stackRegion)) {
        reader.problem("aws:region", stackRegion, "an AWS region name such as us-east-1");
    }
    const replicaRegion = reader.optionalString(
        "replicaRegion",
        REGION_NAME,
        "empty (no replica) or an AWS region name such as us-west-2",
    );
    if (replicaRegion !== undefined && replicaRegion === stackRegion) {
        reader.problem("replicaRegion", replicaRegion, `a region other than the stack's (aws:region = ${stackRegion})`);
    }
    if (vpcId !== undefined && subnetIds.length === 0) {
        reader.problem("subnetIds", "[]", "at least one subnet of the configured vpcId");
    }
    if (vpcId === undefined && (subnetIds.length > 0 || securityGroupId !== undefined)) {
        reader.problem("vpcId", "(unset)", "set whenever subnetIds or securityGroupId is set");
    }

    const config: PlatformConfig = {
        nameSuffix:
            reader.optionalString(
                "nameSuffix",
                /^(-[a-z0-9]+)*$/,
                "empty or lowercase letters and digits in parts starting with '-', such as -dev (at most 20 characters)",
                20,
            ) ?? (stack === "prod" ? "" : `-${stack.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`),
        fargateVcpu,
        fargateMemoryMiB,
        jobTimeoutSeconds: reader.integer("jobTimeoutSeconds", CONFIG_DEFAULTS.jobTimeoutSeconds, {
            min: 60,
            max: 14 * 24 * 3600,
        }),
        retryAttempts: reader.integer("retryAttempts", CONFIG_DEFAULTS.retryAttempts, { min: 1, max: 10 }),
        maxVcpus: reader.integer("maxVcpus", CONFIG_DEFAULTS.maxVcpus, { min: Math.ceil(fargateVcpu), max: 10000 }),
        ephemeralStorageGiB: reader.integer("ephemeralStorageGiB", CONFIG_DEFAULTS.ephemeralStorageGiB, {
            min: 21,
            max: 200,
        }),
        logRetentionDays: reader.integer("logRetentionDays", CONFIG_DEFAULTS.logRetentionDays, {
            allowed: LOG_RETENTION_DAYS,
            allowedText: `one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")} (days)`,
        }),
        network: vpcId === undefined ? undefined : { vpcId, subnetIds, securityGroupId },
        networkMode,
        replicaRegion,
        imageUri: reader.optionalString(
            "image",
            /^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$/,
            "an image reference with a tag or digest, such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/atx@sha256:<64 hex>",
        ),
        permissionsBoundaryArn: reader.optionalString(
            "permissionsBoundaryArn",
            /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]+$/,
            "an IAM policy ARN such as arn:aws:iam::123456789012:policy/Boundary",
        ),
        transformPolicyNames: reader.stringList("transformPolicyNames", CONFIG_DEFAULTS.transformPolicyNames, {
            pattern: /^[\w+=,.@-]{1,128}$/,
            allowedText: "a JSON list of AWS managed policy names",
        }),
        allowedGitHosts: reader.stringList("allowedGitHosts", CONFIG_DEFAULTS.allowedGitHosts, {
            pattern: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/,
            allowedText: 'a JSON list of DNS host names such as ["github.com"]',
        }),
        sourceUploadExpirationDays: reader.integer(
            "sourceUploadExpirationDays",
            CONFIG_DEFAULTS.sourceUploadExpirationDays,
            { min: 1, max: 365 },
        ),
        noncurrentVersionExpirationDays: reader.integer(
            "noncurrentVersionExpirationDays",
            CONFIG_DEFAULTS.noncurrentVersionExpirationDays,
            { min: 1, max: 3650 },
        ),
        objectLock: reader.boolean("objectLock", CONFIG_DEFAULTS.objectLock),
        intelligentTiering: reader.boolean("intelligentTiering", CONFIG_DEFAULTS.intelligentTiering),
        s3AccessPoints: reader.boolean("s3AccessPoints", CONFIG_DEFAULTS.s3AccessPoints),
        api: {
            throttlingRateLimit: reader.integer("apiThrottlingRateLimit", CONFIG_DEFAULTS.apiThrottlingRateLimit, {
                min: 1,
                max: 10000,
            }),
            throttlingBurstLimit: reader.integer("apiThrottlingBurstLimit", CONFIG_DEFAULTS.apiThrottlingBurstLimit, {
                min: 1,
                max: 5000,
            }),
            bulkSubmitRatePerSecond: reader.integer(
                "bulkSubmitRatePerSecond",
                CONFIG_DEFAULTS.bulkSubmitRatePerSecond,
                { min: 1, max: 50 },
            ),
            manageAccountSettings: reader.boolean("manageApiGatewayAccount", CONFIG_DEFAULTS.manageApiGatewayAccount),
        },
        observability: {
            alarmEmails: reader.stringList("alarmEmails", CONFIG_DEFAULTS.alarmEmails, {
                pattern: /^[^@\s"]+@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*\.[a-zA-Z]{2,}$/,
                allowedText: 'a JSON list of e-mail addresses such as ["ops@example.com"]',
            }),
            alarmHttpsEndpoints: reader.stringList("alarmHttpsEndpoints", CONFIG_DEFAULTS.alarmHttpsEndpoints, {
                pattern: /^https:\/\/[a-zA-Z0-9.-]+(:\d+)?(\/\S*)?$/,
                allowedText: "a JSON list of https:// URLs",
            }),
            longRunningJobHours: reader.integer("longRunningJobHours", CONFIG_DEFAULTS.longRunningJobHours, {
                min: 1,
                max: 336,
            }),
            alarms: parseAlarms(reader.json("alarms"), (key, value, allowed) => reader.problem(key, value, allowed)),
        },
        audit: {
            cloudTrailLogsToCloudWatch: reader.boolean("cloudTrailLogsToCloudWatch", stack === "prod"),
            accessAnalyzers: reader.boolean("accessAnalyzers", CONFIG_DEFAULTS.accessAnalyzers),
        },
        compliance: {
            enabled: reader.boolean("complianceMonitoring", CONFIG_DEFAULTS.complianceMonitoring),
            createRecorder: reader.boolean("configRecorder", CONFIG_DEFAULTS.configRecorder),
            remediate: reader.boolean("complianceRemediation", CONFIG_DEFAULTS.complianceRemediation),
        },
    };
    reader.rejectUnread(givenKeys);
    if (reader.problems.length > 0) {
        throw new ConfigError(reader.problems, project);
    }
    return config;
}

/** Reads the running stack's configuration (the program's entry point for config). */
export function loadConfig(): PlatformConfig {
    const config = new pulumi.Config();
    const stackRegion = new pulumi.Config("aws").get("region");
    const project = pulumi.getProject();
    const givenKeys = Object.keys(pulumi.runtime.allConfig())
        .filter((key) => key.startsWith(`${project}:`))
        .map((key) => key.slice(project.length + 1));
    return parseConfig((key) => config.get(key), pulumi.getStack(), project, stackRegion, givenKeys);
}

interface NumberRule {
    readonly min?: number;
    readonly max?: number;
    readonly allowed?: readonly number[];
    readonly allowedText?: string;
}

/** Typed getters that record a problem instead of throwing, so all problems are reported together. */
class ConfigReader {
    readonly problems: ConfigProblem[] = [];
    /** Every key asked for: the keys this program knows. */
    private readonly known = new Set<string>();

    constructor(private readonly source: RawConfig) {}

    /** A problem for each given key that was never read, naming the closest known key. */
    rejectUnread(givenKeys: readonly string[]): void {
        for (const key of givenKeys.filter((k) => !this.known.has(k))) {
            const suggestion = closestMatch(key, this.known);
            this.problem(
                key,
                this.source(key) ?? "",
                `a key this program reads (unknown key; did you mean ${suggestion}?)`,
            );
        }
    }

    private raw(key: string): string | undefined {
        this.known.add(key);
        return this.source(key);
    }

    problem(key: string, value: string, allowed: string): void {
        this.problems.push({ key, value, allowed });
    }

    number(key: string, fallback: number, rule: NumberRule): number {
        return this.parseNumber(key, fallback, rule, /^\d+(\.\d+)?$/, "a number");
    }

    integer(key: string, fallback: number, rule: NumberRule): number {
        return this.parseNumber(key, fallback, rule, /^-?\d+$/, "a whole number");
    }

    boolean(key: string, fallback: boolean): boolean {
        const value = this.raw(key);
        if (value === undefined) return fallback;
        if (value === "true" || value === "false") return value === "true";
        this.problem(key, value, "true or false");
        return fallback;
    }

    choice<T extends string>(key: string, choices: readonly T[], fallback: T): T {
        const value = this.raw(key);
        if (value === undefined || value === "") return fallback;
        const match = choices.find((c) => c === value);
        if (match === undefined) {
            this.problem(key, value, `one of ${choices.join(", ")}`);
            return fallback;
        }
        return match;
    }

    /** A structured value (an object in the stack file arrives as JSON text); undefined when unset. */
    json(key: string): unknown {
        const value = this.raw(key);
        if (value === undefined || value === "") return undefined;
        try {
            return JSON.parse(value);
        } catch {
            this.problem(key, value, "valid JSON (an object in the stack file, or JSON text on the command line)");
            return undefined;
        }
    }

    optionalString(key: string, pattern: RegExp, allowedText: string, maxLength = 2048): string | undefined {
        const value = this.raw(key);
        if (value === undefined || value === "") return undefined;
        if (value.length > maxLength || !pattern.test(value)) {
            this.problem(key, value, allowedText);
            return undefined;
        }
        return value;
    }

    stringList(
        key: string,
        fallback: readonly string[],
        rule: { readonly pattern: RegExp; readonly allowedText: string },
    ): readonly string[] {
        const value = this.raw(key);
        if (value === undefined) return fallback;
        let parsed: unknown;
        try {
            parsed = JSON.parse(value);
        } catch {
            parsed = undefined;
        }
        if (
            !Array.isArray(parsed) ||
            !parsed.every((item): item is string => typeof item === "string" && rule.pattern.test(item))
        ) {
            this.problem(key, value, rule.allowedText);
            return fallback;
        }
        return parsed;
    }

    private parseNumber(key: string, fallback: number, rule: NumberRule, syntax: RegExp, kind: string): number {
        const value = this.raw(key);
        if (value === undefined) return fallback;
        const parsed = Number(value);
        const ok =
            syntax.test(value.trim()) &&
            (rule.allowed === undefined || rule.allowed.includes(parsed)) &&
            (rule.min === undefined || parsed >= rule.min) &&
            (rule.max === undefined || parsed <= rule.max);
        if (!ok) {
            this.problem(key, value, rule.allowedText ?? describeRule(kind, rule));
            return fallback;
        }
        return parsed;
    }
}

/**
 * The `alarms` config object: `{ "<alarm>": { enabled?, threshold?, periodSeconds?, evaluationPeriods? } }`,
 * each setting optional (ALARM_DEFAULTS fills the rest). Problems are reported per setting, keyed
 * `alarms.<alarm>.<setting>`. `ecrScanFindings` is a rule, not a metric: it takes `enabled` only.
 */
export function parseAlarms(
    value: unknown,
    problem: (key: string, value: string, allowed: string) => void,
): AlarmsConfig {
    if (value === undefined) return ALARM_DEFAULTS;
    const known = Object.keys(ALARM_DEFAULTS);
    if (!isPlainObject(value)) {
        problem("alarms", JSON.stringify(value), `an object keyed by alarm (${known.join(", ")})`);
        return ALARM_DEFAULTS;
    }
    const result: Record<string, unknown> = { ...ALARM_DEFAULTS };
    for (const [alarm, given] of Object.entries(value)) {
        const key = `alarms.${alarm}`;
        if (!known.includes(alarm)) {
            problem(key, JSON.stringify(given), `an alarm: one of ${known.join(", ")}`);
            continue;
        }
        const settingNames =
            alarm === "ecrScanFindings" ? ["enabled"] : ["enabled", "threshold", "periodSeconds", "evaluationPeriods"];
        if (!isPlainObject(given)) {
            problem(key, JSON.stringify(given), `an object with ${settingNames.join(", ")}`);
            continue;
        }
        const merged: Record<string, unknown> = { ...(ALARM_DEFAULTS as Record<string, object>)[alarm] };
        for (const [setting, v] of Object.entries(given)) {
            const settingKey = `${key}.${setting}`;
            const shown = JSON.stringify(v);
            if (!settingNames.includes(setting)) {
                problem(settingKey, shown, `one of the settings ${settingNames.join(", ")}`);
            } else if (setting === "enabled" && typeof v !== "boolean") {
                problem(settingKey, shown, "true or false");
            } else if (
                setting === "threshold" &&
                !(typeof v === "number" && v > 0 && (alarm !== "api5xxRate" || v <= 100))
            ) {
                problem(
                    settingKey,
                    shown,
                    alarm === "api5xxRate" ? "a percentage above 0, at most 100" : "a number above 0",
                );
            } else if (
                setting === "periodSeconds" &&
                !(
                    Number.isInteger(v) &&
                    (v as number) >= 60 &&
                    (v as number) <= MAX_ALARM_WINDOW_SECONDS &&
                    (v as number) % 60 === 0
                )
            ) {
                problem(settingKey, shown, `a multiple of 60 from 60 to ${MAX_ALARM_WINDOW_SECONDS} (seconds)`);
            } else if (setting === "evaluationPeriods" && !(Number.isInteger(v) && (v as number) >= 1)) {
                problem(settingKey, shown, "a whole number from 1");
            } else {
                merged[setting] = v;
            }
        }
        if ((METRIC_ALARMS as readonly string[]).includes(alarm)) {
            const settings = merged as unknown as AlarmSettings;
            if (settings.periodSeconds * settings.evaluationPeriods > MAX_ALARM_WINDOW_SECONDS) {
                problem(
                    `${key}.evaluationPeriods`,
                    JSON.stringify(settings.evaluationPeriods),
                    `at most ${Math.floor(MAX_ALARM_WINDOW_SECONDS / settings.periodSeconds)} with a period of ${settings.periodSeconds} s (CloudWatch evaluates at most one day)`,
                );
            }
        }
        result[alarm] = merged;
    }
    return result as AlarmsConfig;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeRule(kind: string, rule: NumberRule): string {
    if (rule.allowed !== undefined) return `one of ${describeChoices(rule.allowed)}`;
    return `${kind} from ${rule.min} to ${rule.max}`;
}

function describeChoices(choices: readonly number[]): string {
    return choices.length === 0 ? "(none: fix the vCPU first)" : choices.join(", ");
}

function range(from: number, to: number, step: number): number[] {
    const values: number[] = [];
    for (let v = from; v <= to; v += step) values.push(v);
    return values;
}
