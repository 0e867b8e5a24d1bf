/** KMS: customer managed keys rotate. */
import type * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy } from "@pulumi/policy";
import { MANDATORY, type ResourceProps, validateTypes } from "./util";

export const KMS_KEY = "aws:kms/key:Key";

export const kmsKeyRotation: ResourceValidationPolicy = {
    name: "kms-key-rotation",
    description: "Symmetric KMS keys have automatic key rotation enabled.",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<ResourceProps<aws.kms.KeyArgs>>(KMS_KEY, (key, args, report) => {
        const spec = key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        if (spec !== "SYMMETRIC_DEFAULT") {
            // AWS only rotates symmetric encryption keys.
            return args.notApplicable(`Key spec ${spec} does not support automatic rotation`);
        }
        if (key.enableKeyRotation !== true) {
            report(`KMS key '${args.name}' must have automatic key rotation enabled (enableKeyRotation: true).`);
        }
    }),
};
