/**
 * Which AWS Config managed rules mirror the policy pack, and on which of the stack's resources each
 * one runs. Pure data and decisions, no resources: the Compliance component turns these specs into
 * Config rules, and the README's table is checked against PACK_RULE_COVERAGE by a test.
 */
import type * as pulumi from "@pulumi/pulumi";

/** A bucket of the stack, as Config rules see it. */
export interface BucketTarget {
    /** Short role used in rule names: `output`, `source`, `logs`, ... */
    readonly role: string;
    readonly name: pulumi.Input<string>;
    /** SSE-KMS with the stack's key (false: the documented SSE-S3 exception, the access-log bucket). */
    readonly kms: boolean;
    /** Server access logging is expected (false for the access-log bucket itself). */
    readonly accessLogged: boolean;
}

/** The stack's resources the rules are scoped to. */
export interface ComplianceTargets {
    readonly buckets: readonly BucketTarget[];
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly repositoryName: pulumi.Input<string>;
    /** Absent when the stack uses a configured security group it does not own. */
    readonly securityGroupId?: pulumi.Input<string>;
    readonly logRetentionDays: number;
    readonly logGroupNames: readonly string[];
}

/** The drifts a remediation undoes automatically (AWS-owned SSM Automation documents). */
export type Remediation = "publicAccessBlock" | "encryption" | "versioning";

export interface ConfigRuleSpec {
    /** Suffix of the rule's physical name (the stack prefix and suffix are added by the component). */
    readonly id: string;
    /** The AWS managed rule identifier. */
    readonly identifier: string;
    /** Change-triggered rules: the resource type and, when Config allows it, the one resource. */
    readonly scope?: { readonly resourceType: string; readonly resourceId?: pulumi.Input<string> };
    readonly inputParameters?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Set when a non-compliant resource is fixed automatically. */
    readonly remediation?: { readonly kind: Remediation; readonly bucket: BucketTarget };
}

const BUCKET = "AWS::S3::Bucket";

/** Rule id, managed rule, resource type: the pack's data-store rules after deployment. */
const DATA_STORE_RULES = [
    ["dynamodb-table-encrypted-kms", "DYNAMODB_TABLE_ENCRYPTED_KMS", "AWS::DynamoDB::Table"],
    ["dynamodb-pitr-enabled", "DYNAMODB_PITR_ENABLED", "AWS::DynamoDB::Table"],
    ["dynamodb-deletion-protection", "DYNAMODB_TABLE_DELETION_PROTECTION_ENABLED", "AWS::DynamoDB::Table"],
    ["sns-encrypted-kms", "SNS_ENCRYPTED_KMS", "AWS::SNS::Topic"],
    ["lambda-public-access-prohibited", "LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED", "AWS::Lambda::Function"],
] as const;

/** Per-bucket rules: Config scopes a rule to one resource id, so each bucket gets its own. */
function bucketRules(bucket: BucketTarget, kmsKeyArn: pulumi.Input<string>): ConfigRuleSpec[] {
    const scope = { resourceType: BUCKET, resourceId: bucket.name };
    const rule = (id: string, identifier: string, extra: Partial<ConfigRuleSpec> = {}): ConfigRuleSpec => ({
        id: `${id}-${bucket.role}`,
        identifier,
        scope,
        ...extra,
    });
    return [
        rule("s3-ssl-requests-only", "S3_BUCKET_SSL_REQUESTS_ONLY"),
        bucket.kms
            ? rule("s3-default-encryption-kms", "S3_DEFAULT_ENCRYPTION_KMS", {
                  inputParameters: { kmsKeyArns: kmsKeyArn },
                  remediation: { kind: "encryption", bucket },
              })
            : rule("s3-sse-enabled", "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED", {
                  remediation: { kind: "encryption", bucket },
              }),
        rule("s3-versioning-enabled", "S3_BUCKET_VERSIONING_ENABLED", {
            remediation: { kind: "versioning", bucket },
        }),
        rule("s3-level-public-access-prohibited", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", {
            remediation: { kind: "publicAccessBlock", bucket },
        }),
        rule("s3-public-read-prohibited", "S3_BUCKET_PUBLIC_READ_PROHIBITED"),
        rule("s3-public-write-prohibited", "S3_BUCKET_PUBLIC_WRITE_PROHIBITED"),
        ...(bucket.accessLogged ? [rule("s3-logging-enabled", "S3_BUCKET_LOGGING_ENABLED")] : []),
    ];
}

/**
 * Every Config rule of the stack. Periodic rules (the trail, key rotation, flow logs, log groups)
 * cannot be scoped to a resource: they evaluate the account, and the notification rule forwards
 * only the evaluations of this stack's resources.
 */
export function configRuleSpecs(targets: ComplianceTargets): ConfigRuleSpec[] {
    return [
        ...targets.buckets.flatMap((bucket) => bucketRules(bucket, targets.kmsKeyArn)),
        { id: "cloudtrail-enabled", identifier: "CLOUD_TRAIL_ENABLED" },
        { id: "cloudtrail-log-file-validation", identifier: "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED" },
        { id: "cloudtrail-encryption", identifier: "CLOUD_TRAIL_ENCRYPTION_ENABLED" },
        { id: "cmk-backing-key-rotation", identifier: "CMK_BACKING_KEY_ROTATION_ENABLED" },
        { id: "vpc-flow-logs-enabled", identifier: "VPC_FLOW_LOGS_ENABLED" },
        {
            id: "cw-loggroup-retention",
            identifier: "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
            inputParameters: {
                LogGroupNames: targets.logGroupNames.join(","),
                MinRetentionTime: String(targets.logRetentionDays),
            },
        },
        {
            id: "cw-loggroup-encrypted",
            identifier: "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
            inputParameters: { KmsKeyId: targets.kmsKeyArn },
        },
        {
            id: "ecr-image-scanning",
            identifier: "ECR_PRIVATE_IMAGE_SCANNING_ENABLED",
            scope: { resourceType: "AWS::ECR::Repository", resourceId: targets.repositoryName },
        },
        {
            id: "ecr-tag-immutability",
            identifier: "ECR_PRIVATE_TAG_IMMUTABILITY_ENABLED",
            scope: { resourceType: "AWS::ECR::Repository", resourceId: targets.repositoryName },
        },
        ...(targets.securityGroupId === undefined
            ? []
            : [
                  {
                      id: "sg-open-only-to-authorized-ports",
                      identifier: "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS",
                      scope: { resourceType: "AWS::EC2::SecurityGroup", resourceId: targets.securityGroupId },
                  },
              ]),
        // IAM policies and API stages have ids Config knows only after creation: scoped by type.
        {
            id: "iam-policy-no-admin-access",
            identifier: "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
            scope: { resourceType: "AWS::IAM::Policy" },
        },
        {
            id: "api-gw-execution-logging",
            identifier: "API_GW_EXECUTION_LOGGING_ENABLED",
            scope: { resourceType: "AWS::ApiGateway::Stage" },
        },
        // The API's data stores, by type too: an unencrypted or unrecoverable table, an unencrypted
        // topic or a public function anywhere in the account is worth an alert.
        ...DATA_STORE_RULES.map(([id, identifier, resourceType]) => ({ id, identifier, scope: { resourceType } })),
    ];
}

/** The resource types the recorder records when the stack creates it: those the rules evaluate. */
export const RECORDED_RESOURCE_TYPES = [
    "AWS::S3::Bucket",
    "AWS::ECR::Repository",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::VPC",
    "AWS::IAM::Policy",
    "AWS::ApiGateway::Stage",
    "AWS::CloudTrail::Trail",
    "AWS::KMS::Key",
    "AWS::Logs::LogGroup",
    "AWS::DynamoDB::Table",
    "AWS::SNS::Topic",
    "AWS::Lambda::Function",
] as const;

/**
 * Each policy-pack rule and the Config rule that watches the same setting after deployment, or why
 * none does. The README's table is this list.
 */
export const PACK_RULE_COVERAGE: Readonly<Record<string, string>> = {
    "s3-bucket-tls-only": "s3-bucket-ssl-requests-only",
    "s3-bucket-kms-encryption":
        "s3-default-encryption-kms (s3-bucket-server-side-encryption-enabled on the access-log bucket)",
    "s3-bucket-versioning": "s3-bucket-versioning-enabled",
    "s3-bucket-public-access-block": "s3-bucket-level-public-access-prohibited",
    "s3-bucket-access-logging": "s3-bucket-logging-enabled",
    "s3-no-public-acl-or-policy": "s3-bucket-public-read-prohibited, s3-bucket-public-write-prohibited",
    "s3-source-uploads-expire": "none: no managed rule checks a lifecycle rule's prefix and age",
    "s3-results-object-lock": "none: Object Lock cannot be switched off once on",
    "s3-production-mfa-delete": "none: advisory, and only the root user can change it",
    "security-group-no-public-ingress": "vpc-sg-open-only-to-authorized-ports",
    "security-group-egress-allowed-ports":
        "none: no managed rule checks egress; the remediation function undoes widened egress",
    "vpc-flow-logs-enabled": "vpc-flow-logs-enabled",
    "kms-key-rotation": "cmk-backing-key-rotation-enabled",
    "log-group-retention": "cw-loggroup-retention-period-check",
    "log-group-kms-encryption": "cloudwatch-log-group-encrypted",
    "ecr-scan-on-push": "ecr-private-image-scanning-enabled",
    "ecr-immutable-tags": "ecr-private-tag-immutability-enabled",
    "iam-no-admin-wildcards":
        "iam-policy-no-statements-with-admin-access (managed policies; inline ones are not evaluated)",
    "iam-no-admin-policy-attachments":
        "none: no managed rule lists denied attachments; Access Analyzer reports unused and external access",
    "iam-no-access-keys": "none for the stack's roles (access keys belong to users)",
    "iam-distinct-job-and-execution-roles": "none: Config does not record Batch job definitions' roles",
    "iam-role-permissions-boundary": "none: no managed rule",
    "batch-job-timeout": "none: Config does not evaluate Batch job definitions",
    "batch-job-retry-strategy": "none: idem",
    "batch-job-resource-requirements": "none: idem",
    "batch-job-fargate": "none: idem",
    "batch-job-not-privileged": "none: idem",
    "batch-job-secrets-from-secrets-manager": "none: idem",
    "batch-job-non-root-user": "none: idem",
    "batch-job-logs-to-cloudwatch": "none: idem",
    "batch-compute-environment-fargate": "none: idem",
    "apigateway-method-iam-auth": "none: no managed rule checks method authorization",
    "apigateway-stage-access-logging":
        "api-gw-execution-logging-enabled (execution logging; no managed rule checks access logs)",
    "apigateway-stage-throttling": "none: no managed rule",
    "apigateway-no-data-trace-in-production": "none: no managed rule",
    "apigateway-no-api-keys": "none: no managed rule",
    "secretsmanager-secret-value-is-secret": "none: a preview-time concern (values in state)",
    "ssm-credentials-secure-string": "none: no managed rule",
    "cloudtrail-secure-trail":
        "cloudtrail-enabled, cloud-trail-log-file-validation-enabled, cloud-trail-encryption-enabled",
    "batch-job-failure-alarm": "none: the alarm itself is the run-time check",
    "s3-replica-as-protected-as-source":
        "none: no managed rule compares two buckets, and Config rules are regional (the replica is in another region)",
    "dynamodb-table-kms-encryption": "dynamodb-table-encrypted-kms",
    "dynamodb-table-point-in-time-recovery": "dynamodb-pitr-enabled",
    "dynamodb-table-deletion-protection": "dynamodb-table-deletion-protection-enabled",
    "sqs-queue-kms-encryption": "none: no managed rule checks the queue's key",
    "sqs-queue-tls-only": "none: no managed rule checks queue policies",
    "sns-topic-kms-encryption": "sns-encrypted-kms",
    "sns-topic-tls-only": "none: no managed rule checks topic policies",
    "sqs-sns-no-public-policy": "none: Access Analyzer's external-access findings cover public queues and topics",
    "lambda-no-public-access": "lambda-function-public-access-prohibited",
    "lambda-log-group-encrypted": "cloudwatch-log-group-encrypted (every log group, the functions' included)",
    "secretsmanager-secret-kms-key": "none: the stack creates no secret (jobs read the account's own, by name)",
};
