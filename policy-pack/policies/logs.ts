/** CloudWatch Logs: log groups keep logs long enough and are encrypted with KMS. */
import type * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy } from "@pulumi/policy";
import { configWithDefaults, isSet, MANDATORY, type ResourceProps, schema, validateTypes } from "./util";

type LogGroupProps = ResourceProps<aws.cloudwatch.LogGroupArgs>;

export const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

const retentionSchema = schema({
    minRetentionDays: {
        type: "integer",
        minimum: 1,
        default: 30,
        description:
            "Log groups must keep logs at least this many days (no retention setting means never expire, which complies).",
    },
});

export const logGroupRetention: ResourceValidationPolicy = {
    name: "log-group-retention",
    description: "CloudWatch log groups keep logs at least the configured number of days (default 30).",
    enforcementLevel: MANDATORY,
    configSchema: retentionSchema,
    validateResource: validateTypes<LogGroupProps>(LOG_GROUP, (lg, args, report) => {
        const { minRetentionDays } = configWithDefaults<{ minRetentionDays: number }>(retentionSchema, () =>
            args.getConfig(),
        );
        const days = lg.retentionInDays;
        // 0 or unset: CloudWatch keeps the events forever.
        if (typeof days === "number" && days > 0 && days < minRetentionDays) {
            report(
                `Log group '${args.name}' must keep logs at least ${minRetentionDays} days (retentionInDays is ${days}).`,
            );
        }
    }),
};

export const logGroupKmsEncryption: ResourceValidationPolicy = {
    name: "log-group-kms-encryption",
    description: "CloudWatch log groups are encrypted with a KMS key.",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<LogGroupProps>(LOG_GROUP, (lg, args, report) => {
        if (!isSet(lg, "kmsKeyId")) {
            report(`Log group '${args.name}' must be encrypted with a KMS key (kmsKeyId).`);
        }
    }),
};
