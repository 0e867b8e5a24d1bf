/**
 * AWS Batch: job definitions have a timeout, a retry strategy and explicit resource requirements,
 * run on Fargate, are not privileged and take credentials from Secrets Manager rather than plain
 * environment variables; compute environments are Fargate. `containerProperties` is a JSON string.
 */
import type * as aws from "@pulumi/aws";
import { type ResourceValidationArgs, type ResourceValidationPolicy } from "@pulumi/policy";
import {
    asArray,
    configWithDefaults,
    MANDATORY,
    parseJsonDocument,
    type ResourceProps,
    schema,
    validateTypes,
} from "./util";

export const BATCH_TYPES = {
    jobDefinition: "aws:batch/jobDefinition:JobDefinition",
    computeEnvironment: "aws:batch/computeEnvironment:ComputeEnvironment",
} as const;

type JobDefinitionProps = ResourceProps<aws.batch.JobDefinitionArgs>;
type ComputeEnvironmentProps = ResourceProps<aws.batch.ComputeEnvironmentArgs>;

/** The fields of a `containerProperties` document (AWS Batch's ContainerProperties) the rules read. */
export interface ContainerProperties {
    readonly resourceRequirements?: readonly { readonly type?: string; readonly value?: string }[];
    readonly privileged?: boolean;
    readonly environment?: readonly { readonly name?: string; readonly value?: string }[];
    readonly user?: string;
    readonly logConfiguration?: { readonly logDriver?: string; readonly options?: Readonly<Record<string, string>> };
    readonly jobRoleArn?: string;
    readonly executionRoleArn?: string;
}

/**
 * The parsed container properties of a job definition, `undefined` when it has none. An
 * unparseable document is reported by the caller: a rule can't be checked on it.
 */
export function containerPropertiesOf(
    jobDefinition: Pick<JobDefinitionProps, "containerProperties">,
): ContainerProperties | undefined | "invalid" {
    const raw = jobDefinition.containerProperties;
    if (raw === undefined || raw === null) {
        return undefined;
    }
    const parsed = parseJsonDocument(raw);
    return parsed && typeof parsed === "object" ? parsed : "invalid";
}

/** A job definition rule that needs the container properties: reports missing or invalid ones itself. */
function withContainer(
    check: (
        container: ContainerProperties,
        jd: JobDefinitionProps,
        args: ResourceValidationArgs,
        report: (m: string) => void,
    ) => void,
) {
    return validateTypes<JobDefinitionProps>(BATCH_TYPES.jobDefinition, (jd, args, report) => {
        if (jd.type === "multinode" || jd.ecsProperties !== undefined || jd.eksProperties !== undefined) {
            return check({}, jd, args, report);
        }
        const container = containerPropertiesOf(jd);
        if (container === undefined || container === "invalid") {
            report(`Batch job definition '${args.name}' must have containerProperties as a valid JSON document.`);
            return;
        }
        check(container, jd, args, report);
    });
}

export const batchJobTimeout: ResourceValidationPolicy = {
    name: "batch-job-timeout",
    description: "Batch job definitions set an attempt timeout.",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<JobDefinitionProps>(BATCH_TYPES.jobDefinition, (jd, args, report) => {
        const seconds = jd.timeout?.attemptDurationSeconds;
        if (typeof seconds !== "number" || seconds <= 0) {
            report(`Batch job definition '${args.name}' must set a timeout (timeout.attemptDurationSeconds).`);
        }
    }),
};

const retrySchema = schema({
    minAttempts: {
        type: "integer",
        minimum: 1,
        maximum: 10,
        default: 2,
        description: "Minimum retryStrategy.attempts (1 means no retry).",
    },
});

export const batchJobRetryStrategy: ResourceValidationPolicy = {
    name: "batch-job-retry-strategy",
    description: "Batch job definitions have a retry strategy with at least the configured number of attempts.",
    enforcementLevel: MANDATORY,
    configSchema: retrySchema,
    validateResource: validateTypes<JobDefinitionProps>(BATCH_TYPES.jobDefinition, (jd, args, report) => {
        const { minAttempts } = configWithDefaults<{ minAttempts: number }>(retrySchema, () => args.getConfig());
        const attempts = jd.retryStrategy?.attempts;
        if (typeof attempts !== "number" || attempts < minAttempts) {
            report(
                `Batch job definition '${args.name}' must have a retry strategy with at least ${minAttempts} attempts (retryStrategy.attempts).`,
            );
        }
    }),
};

export const batchJobResourceRequirements: ResourceValidationPolicy = {
    name: "batch-job-resource-requirements",
    description: "Batch job definitions state explicit VCPU and MEMORY resource requirements.",
    enforcementLevel: MANDATORY,
    validateResource: withContainer((c, _jd, args, report) => {
        const types = asArray(c.resourceRequirements).map((r) => String(r?.type).toUpperCase());
        const missing = ["VCPU", "MEMORY"].filter((t) => !types.includes(t));
        if (missing.length > 0) {
            report(
                `Batch job definition '${args.name}' must state explicit resource requirements (containerProperties.resourceRequirements ${missing.join(" and ")}).`,
            );
        }
    }),
};

export const batchJobFargate: ResourceValidationPolicy = {
    name: "batch-job-fargate",
    description: "Batch job definitions run on Fargate only.",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<JobDefinitionProps>(BATCH_TYPES.jobDefinition, (jd, args, report) => {
        const caps = asArray<string>(jd.platformCapabilities);
        if (!caps.includes("FARGATE") || caps.some((c) => c !== "FARGATE")) {
            report(`Batch job definition '${args.name}' must run on Fargate only (platformCapabilities: ["FARGATE"]).`);
        }
    }),
};

export const batchJobNotPrivileged: ResourceValidationPolicy = {
    name: "batch-job-not-privileged",
    description: "Batch job containers do not run privileged.",
    enforcementLevel: MANDATORY,
    validateResource: withContainer((c, _jd, args, report) => {
        if (c.privileged === true) {
            report(
                `Batch job definition '${args.name}' must not run its container privileged (containerProperties.privileged).`,
            );
        }
    }),
};

/** Variable names that denote a credential value (suffix), e.g. GITHUB_TOKEN, DB_PASSWORD, AWS_SECRET_ACCESS_KEY. */
const CREDENTIAL_NAME =
    /(TOKEN|PASSWORD|PASSWD|SECRET|SECRET_KEY|API_?KEY|ACCESS_KEY(_ID)?|PRIVATE_KEY|CREDENTIALS?)$/i;
/** Values shaped like well-known credentials: AWS access key ids, GitHub/GitLab/Slack tokens, PEM private keys. */
const CREDENTIAL_VALUE =
    /\b(AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{30,}|\bglpat-[A-Za-z0-9_-]{20,}|\bxox[abpr]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** The plain environment variables of a container that carry a credential (by name or by value). */
export function plaintextCredentials(container: ContainerProperties): string[] {
    return asArray(container.environment)
        .filter((e) => CREDENTIAL_NAME.test(String(e?.name ?? "")) || CREDENTIAL_VALUE.test(String(e?.value ?? "")))
        .map((e) => String(e?.name ?? "?"));
}

export const batchJobNoPlaintextCredentials: ResourceValidationPolicy = {
    name: "batch-job-secrets-from-secrets-manager",
    description:
        "Batch job definitions take credentials from Secrets Manager or SSM (containerProperties.secrets), never from plain environment variables.",
    enforcementLevel: MANDATORY,
    validateResource: withContainer((c, _jd, args, report) => {
        const names = plaintextCredentials(c);
        if (names.length > 0) {
            report(
                `Batch job definition '${args.name}' must take credentials from Secrets Manager (containerProperties.secrets with valueFrom), not plain environment variables: ${names.join(", ")}.`,
            );
        }
    }),
};

export const batchJobNonRootUser: ResourceValidationPolicy = {
    name: "batch-job-non-root-user",
    description: "Batch job containers run as a non-root user stated in the job definition (containerProperties.user).",
    enforcementLevel: MANDATORY,
    validateResource: withContainer((c, _jd, args, report) => {
        const user = c.user === undefined || c.user === null ? "" : String(c.user).trim();
        if (user === "" || /^(root|0)(:|$)/.test(user)) {
            report(
                `Batch job definition '${args.name}' must run its container as a non-root user (containerProperties.user, e.g. "1000"); it is ${user ? `'${user}'` : "unset (the image's user)"}.`,
            );
        }
    }),
};

export const batchJobLogsToCloudWatch: ResourceValidationPolicy = {
    name: "batch-job-logs-to-cloudwatch",
    description:
        "Batch job containers log to a named CloudWatch log group (awslogs driver with awslogs-group), so the group's retention and encryption apply.",
    enforcementLevel: MANDATORY,
    validateResource: withContainer((c, _jd, args, report) => {
        const log = c.logConfiguration;
        if (log?.logDriver !== "awslogs" || !log?.options?.["awslogs-group"]) {
            report(
                `Batch job definition '${args.name}' must send container logs to a named CloudWatch log group (logConfiguration.logDriver "awslogs" with options."awslogs-group").`,
            );
        }
    }),
};

export const batchComputeEnvironmentFargate: ResourceValidationPolicy = {
    name: "batch-compute-environment-fargate",
    description: "Batch compute environments are managed Fargate (or Fargate Spot) environments.",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<ComputeEnvironmentProps>(BATCH_TYPES.computeEnvironment, (ce, args, report) => {
        const type = ce.computeResources?.type;
        if (String(ce.type).toUpperCase() !== "MANAGED" || (type !== "FARGATE" && type !== "FARGATE_SPOT")) {
            report(
                `Batch compute environment '${args.name}' must be a managed Fargate environment (type MANAGED, computeResources.type FARGATE or FARGATE_SPOT).`,
            );
        }
    }),
};
