/** CloudTrail: the stack has a logging trail with log file validation and KMS encryption. */
import { type PolicyResource, type StackValidationPolicy } from "@pulumi/policy";
import { decide } from "./relations";
import { isSet, MANDATORY, ofTypes } from "./util";

export const CLOUDTRAIL_TRAIL = "aws:cloudtrail/trail:Trail";

export function trailIsSecure(trail: PolicyResource): boolean {
    const t = trail.props;
    return t.enableLogFileValidation === true && isSet(t, "kmsKeyId") && t.enableLogging !== false;
}

export const cloudtrailSecureTrail: StackValidationPolicy = {
    name: "cloudtrail-secure-trail",
    description: "The stack has a CloudTrail trail that is logging, validates log files and is encrypted with KMS.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        if (!args.resources.some((r) => r.type.startsWith("aws:"))) {
            return args.notApplicable("The stack has no AWS resources");
        }
        if (decide({ matches: ofTypes(args.resources, [CLOUDTRAIL_TRAIL]) }, trailIsSecure)) {
            return;
        }
        reportViolation(
            "A CloudTrail trail with logging on, log file validation (enableLogFileValidation: true) and KMS encryption (kmsKeyId) must exist.",
        );
    },
};
