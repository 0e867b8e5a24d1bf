/** Monitoring: job failures are noticed (a checklist recommendation, advisory by default). */
import { type StackValidationPolicy } from "@pulumi/policy";
import { decide } from "./relations";
import { asArray, ofTypes, parseJsonDocument } from "./util";

export const EVENT_RULE = "aws:cloudwatch/eventRule:EventRule";

/** The fields of an EventBridge event pattern this check reads. */
type EventPattern = { readonly source?: string | string[]; readonly detail?: { readonly status?: string | string[] } };

/** An EventBridge pattern that matches AWS Batch job state changes to FAILED. */
export function matchesBatchJobFailures(pattern: unknown): boolean {
    const p = parseJsonDocument(pattern) as EventPattern | undefined;
    return (
        !!p && asArray<string>(p.source).includes("aws.batch") && asArray<string>(p.detail?.status).includes("FAILED")
    );
}

export const batchJobFailureAlarm: StackValidationPolicy = {
    name: "batch-job-failure-alarm",
    description:
        "A stack with Batch job definitions has an EventBridge rule that catches FAILED Batch jobs (a checklist recommendation, advisory by default).",
    enforcementLevel: "advisory",
    validateStack: (args, reportViolation) => {
        if (!args.resources.some((r) => r.type === "aws:batch/jobDefinition:JobDefinition")) {
            return args.notApplicable("The stack has no Batch job definitions");
        }
        if (
            decide({ matches: ofTypes(args.resources, [EVENT_RULE]) }, (rule) =>
                matchesBatchJobFailures(rule.props.eventPattern),
            )
        ) {
            return;
        }
        reportViolation(
            "An EventBridge rule matching AWS Batch job state changes to FAILED (source aws.batch, detail.status FAILED) should notify someone of failed jobs.",
        );
    },
};
