/**
 * The API audit trail the checklist's "AWS CloudTrail" section asks for (docs/requirements.md, M-6): a multi-region trail with log
 * file validation, encrypted with the stack's key, delivered to its own secure bucket, recording
 * S3 object-level (data) events of the output and source buckets; optionally also delivered to
 * CloudWatch Logs, where metric filters count unauthorized API calls, IAM policy changes and S3
 * bucket policy changes, each alarmed to the alarm topic.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createMetricAlarm } from "./alarms";
import { ALARM_DEFAULTS, type AlarmsConfig } from "./alarm-settings";
import { runbookLink } from "./runbooks";
import { arns, type AwsContext } from "./aws-context";
import { createEncryptedLogGroup } from "./log-group";
import { type PlatformNames } from "./naming";
import { SecureBucket } from "./secure-bucket";
import { ACCESS_LOG_PREFIX } from "./storage";
import { type Statement } from "./iam-documents";
import { ServiceRole } from "./service-role";

/**
 * Namespace of the metrics counted from a trail's events: `ATX/Audit/<trail name>`, since every
 * stack's trail sees the whole account and two stacks must not add to each other's counts.
 */
export const AUDIT_METRICS_NAMESPACE = "ATX/Audit";

const IAM_POLICY_EVENTS = [
    "DeleteGroupPolicy",
    "DeleteRolePolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "SetDefaultPolicyVersion",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
];
const S3_BUCKET_POLICY_EVENTS = [
    "PutBucketAcl",
    "PutBucketPolicy",
    "PutBucketCors",
    "PutBucketLifecycle",
    "PutBucketReplication",
    "DeleteBucketPolicy",
    "DeleteBucketCors",
    "DeleteBucketLifecycle",
    "DeleteBucketReplication",
    "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock",
    "PutBucketOwnershipControls",
];
const anyEvent = (names: readonly string[]) => names.map((n) => `($.eventName = ${n})`).join(" || ");

/**
 * The events the checklist names, as CloudWatch Logs metric filter patterns (after the CIS AWS
 * Foundations Benchmark's monitoring controls), with the alarm each one feeds.
 */
export const AUDIT_FILTERS = {
    unauthorizedApiCalls: {
        metricName: "UnauthorizedApiCalls",
        description: "API calls denied for lack of permission (AccessDenied / UnauthorizedOperation)",
        pattern:
            '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ' +
            '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    },
    iamPolicyChanges: {
        metricName: "IamPolicyChanges",
        description: "IAM policies created, changed, attached or detached",
        pattern: `{ ($.eventSource = iam.amazonaws.com) && (${anyEvent(IAM_POLICY_EVENTS)}) }`,
    },
    s3BucketPolicyChanges: {
        metricName: "S3BucketPolicyChanges",
        description: "S3 bucket policies, ACLs, public access blocks, CORS, lifecycle or replication changed",
        pattern: `{ ($.eventSource = s3.amazonaws.com) && (${anyEvent(S3_BUCKET_POLICY_EVENTS)}) }`,
    },
} as const;

export interface AuditArgs {
    readonly context: AwsContext;
    /** Permissions boundary for every role created here. Default none. */
    readonly permissionsBoundaryArn?: string;
    readonly names: PlatformNames;
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Bucket receiving the trail bucket's server access logs. */
    readonly accessLogBucketName: pulumi.Input<string>;
    /** Buckets whose object-level reads and writes are recorded (S3 data events). */
    readonly dataEventBucketArns: readonly pulumi.Input<string>[];
    /** Days before noncurrent trail log versions are deleted. Default 365. */
    readonly noncurrentVersionExpirationDays?: number;
    /** Also deliver the trail to CloudWatch Logs, with metric filters and alarms. Default false. */
    readonly logsToCloudWatch?: boolean;
    /** Retention of the CloudWatch Logs copy. Default 30. */
    readonly logRetentionDays?: number;
    /** Where the audit alarms notify; required with logsToCloudWatch. */
    readonly alarmTopicArn?: pulumi.Input<string>;
    /** Switches and thresholds of the three audit alarms. Default ALARM_DEFAULTS. */
    readonly alarms?: Pick<AlarmsConfig, keyof typeof AUDIT_FILTERS>;
}

export class Audit extends pulumi.ComponentResource {
    readonly bucket: SecureBucket;
    readonly trail: aws.cloudtrail.Trail;
    /** Built from the trail's name, so known at preview. */
    readonly trailArn: pulumi.Output<string>;
    readonly logGroup?: aws.cloudwatch.LogGroup;
    readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
    readonly alarmArns: pulumi.Output<string>[] = [];

    constructor(name: string, args: AuditArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:audit:Audit", name, {}, opts);
        const child = { parent: this };
        const { context, names } = args;
        const { accountId, region } = context;
        const trailName = names.scoped("audit-trail");
        this.trailArn = arns.trail(context, trailName);

        this.bucket = new SecureBucket(
            `${name}-trail-bucket`,
            {
                context,
                bucketName: names.bucket("trail", accountId),
                encryption: { kmsKeyArn: args.kmsKeyArn },
                accessLogs: { targetBucket: args.accessLogBucketName, targetPrefix: `${ACCESS_LOG_PREFIX}trail/` },
                noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? 365,
                transitions: [{ days: 90, storageClass: "GLACIER_IR" }],
                extraPolicyStatements: (bucketArn) => cloudTrailDeliveryStatements(bucketArn, this.trailArn, accountId),
            },
            child,
        );

        let cloudWatchLogs: { groupArn: pulumi.Input<string>; roleArn: pulumi.Input<string> } | undefined;
        const trailDependsOn: pulumi.Resource[] = [this.bucket];
        if (args.logsToCloudWatch) {
            if (args.alarmTopicArn === undefined) throw new Error(`${name}: logsToCloudWatch needs alarmTopicArn`);
            const logGroupName = `/aws/cloudtrail/${trailName}`;
            const logGroupArn = arns.logGroup(context, logGroupName);
            this.logGroup = createEncryptedLogGroup(
                `${name}-trail-logs`,
                { logGroupName, retentionDays: args.logRetentionDays ?? 30, kmsKeyArn: args.kmsKeyArn },
                child,
            );
            const role = new ServiceRole(
                `${name}-trail-logs-role`,
                {
                    roleName: names.scoped("audit-trail-logs"),
                    description: "Delivers the audit trail to its CloudWatch Logs group",
                    service: "cloudtrail.amazonaws.com",
                    context,
                    permissionsBoundaryArn: args.permissionsBoundaryArn,
                    inlinePolicies: {
                        [`${name}-trail-logs-delivery`]: [
                            {
                                Sid: "WriteTrailToOwnLogGroup",
                                Effect: "Allow",
                                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                                Resource: pulumi.interpolate`${logGroupArn}:log-stream:${accountId}_CloudTrail_${region}*`,
                            },
                        ],
                    },
                },
                child,
            );

            cloudWatchLogs = { groupArn: pulumi.interpolate`${logGroupArn}:*`, roleArn: role.arn };
            trailDependsOn.push(this.logGroup, role);

            const settings = args.alarms ?? ALARM_DEFAULTS;
            const namespace = `${AUDIT_METRICS_NAMESPACE}/${trailName}`;
            for (const [key, filter] of Object.entries(AUDIT_FILTERS) as [
                keyof typeof AUDIT_FILTERS,
                (typeof AUDIT_FILTERS)[keyof typeof AUDIT_FILTERS],
            ][]) {
                new aws.cloudwatch.LogMetricFilter(
                    `${name}-${filter.metricName}`,
                    {
                        name: filter.metricName,
                        logGroupName: this.logGroup.name,
                        pattern: filter.pattern,
                        metricTransformation: { namespace, name: filter.metricName, value: "1", unit: "Count" },
                    },
                    child,
                );
                if (!settings[key].enabled) continue;
                const alarmName = names.scoped(`audit-${kebab(key)}`);
                this.alarms.push(
                    createMetricAlarm(
                        `${name}-${kebab(key)}`,
                        {
                            alarmName,
                            description: `${filter.description}. ${runbookLink(key)}`,
                            settings: settings[key],
                            topicArn: args.alarmTopicArn,
                            metric: { namespace, metricName: filter.metricName, statistic: "Sum" },
                        },
                        child,
                    ),
                );
                this.alarmArns.push(arns.alarm(context, alarmName));
            }
        }

        this.trail = new aws.cloudtrail.Trail(
            `${name}-trail`,
            {
                name: trailName,
                s3BucketName: this.bucket.bucketName,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                enableLogging: true,
                kmsKeyId: args.kmsKeyArn,
                cloudWatchLogsGroupArn: cloudWatchLogs?.groupArn,
                cloudWatchLogsRoleArn: cloudWatchLogs?.roleArn,
                eventSelectors: [
                    {
                        readWriteType: "All",
                        includeManagementEvents: true,
                        dataResources: [
                            {
                                type: "AWS::S3::Object",
                                values: args.dataEventBucketArns.map((arn) => pulumi.interpolate`${arn}/`),
                            },
                        ],
                    },
                ],
            },
            // CloudTrail checks the bucket policy (and the log delivery role) when the trail is created.
            { parent: this, dependsOn: trailDependsOn },
        );
        this.registerOutputs({
            trailArn: this.trailArn,
            bucketName: this.bucket.bucketName,
            alarmArns: this.alarmArns,
        });
    }
}

function kebab(key: string): string {
    return key.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/**
 * AWS's documented bucket policy for CloudTrail, nothing wider: the ACL check on the bucket and writes
 * under AWSLogs/<account>/, both only on behalf of this trail. With ACLs disabled (BucketOwnerEnforced)
 * the x-amz-acl condition grants nothing extra: CloudTrail always sends bucket-owner-full-control, the
 * one canned ACL such a bucket accepts.
 */
function cloudTrailDeliveryStatements(
    bucketArn: pulumi.Input<string>,
    trailArn: pulumi.Input<string>,
    accountId: pulumi.Input<string>,
): Statement[] {
    return [
        {
            Sid: "AWSCloudTrailAclCheck",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:GetBucketAcl",
            Resource: bucketArn,
            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
        },
        {
            Sid: "AWSCloudTrailWrite",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${bucketArn}/AWSLogs/${accountId}/*`,
            Condition: { StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
    ];
}
