/**
 * The CrossGuard entry point: `pulumi preview --policy-pack policy-pack`. This is the only module
 * that constructs the PolicyPack (its constructor starts the analyzer's gRPC server); tests and the
 * offline evaluator import `./policies` instead.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "./pack";
import { policies } from "./policies";

new PolicyPack(PACK_NAME, {
    policies,
    enforcementLevel: PACK_ENFORCEMENT_LEVEL,
    description:
        "Security checklist of the ATX Batch/Fargate platform: S3, network, KMS, logs, ECR, IAM, Batch, API Gateway, secrets, CloudTrail.",
});
