import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AwsContext } from "./aws-context";
import { policyJson, type Statement } from "./iam-documents";

export interface PlatformKeyArgs {
    readonly context: AwsContext;
    /** Alias, e.g. `alias/atx-platform`. */
    readonly aliasName: string;
    /**
     * Whether CloudWatch Logs, CloudTrail and the alarm publishers may use the key. Default true;
     * false leaves only the account's IAM principals (and services acting for them, such as S3).
     */
    readonly serviceUsers?: boolean;
    /** Days KMS waits before deleting the key once scheduled. Default 30 (the maximum). */
    readonly deletionWindowInDays?: number;
}

/**
 * The stack's customer-managed key: S3 (through IAM principals), CloudWatch Logs, CloudTrail and
 * the alarm publishers (SNS via EventBridge and CloudWatch) are the only service users.
 */
export class PlatformKey extends pulumi.ComponentResource {
    readonly key: aws.kms.Key;
    readonly alias: aws.kms.Alias;
    readonly keyArn: pulumi.Output<string>;

    constructor(name: string, args: PlatformKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:platform:PlatformKey", name, {}, opts);
        const { accountId, region, partition, dnsSuffix } = args.context;

        this.key = new aws.kms.Key(
            `${name}-key`,
            {
                description: "ATX platform: buckets, logs, queues, tables, trail and alarm topic",
                enableKeyRotation: true,
                deletionWindowInDays: args.deletionWindowInDays ?? 30,
                policy: keyPolicy(accountId, region, partition, dnsSuffix, args.serviceUsers ?? true),
            },
            { parent: this },
        );
        this.alias = new aws.kms.Alias(
            `${name}-alias`,
            { name: args.aliasName, targetKeyId: this.key.keyId },
            { parent: this },
        );
        this.keyArn = this.key.arn;
        this.registerOutputs({ keyArn: this.keyArn, aliasName: this.alias.name });
    }
}

function keyPolicy(
    accountId: pulumi.Output<string>,
    region: pulumi.Output<string>,
    partition: pulumi.Output<string>,
    dnsSuffix: pulumi.Output<string>,
    serviceUsers: boolean,
): pulumi.Output<string> {
    const service = (prefix: string) => pulumi.interpolate`${prefix}.${dnsSuffix}`;
    const statements: Statement[] = [
        {
            // Without this the key is unmanageable and IAM policies (the job role's) cannot grant use.
            // In a key policy "*" is this key only.
            Sid: "AccountAdministersKeyAndDelegatesToIam",
            Effect: "Allow",
            Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${accountId}:root` },
            Action: "kms:*",
            Resource: "*",
        },
    ];
    if (!serviceUsers) {
        return policyJson(statements);
    }
    statements.push(
        {
            Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
            Effect: "Allow",
            Principal: { Service: pulumi.interpolate`logs.${region}.${dnsSuffix}` },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: {
                ArnLike: {
                    "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${partition}:logs:${region}:${accountId}:log-group:*`,
                },
            },
        },
        {
            Sid: "CloudTrailEncryptsThisAccountsTrails",
            Effect: "Allow",
            Principal: { Service: service("cloudtrail") },
            Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
            Resource: "*",
            Condition: {
                StringEquals: { "aws:SourceAccount": accountId },
                StringLike: {
                    "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.interpolate`arn:${partition}:cloudtrail:*:${accountId}:trail/*`,
                },
            },
        },
        {
            // EventBridge rules and CloudWatch alarms publish to the KMS-encrypted alarm topic.
            Sid: "AlarmPublishersUseKeyForTopic",
            Effect: "Allow",
            Principal: { Service: [service("events"), service("cloudwatch")] },
            Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
    );
    return policyJson(statements);
}
