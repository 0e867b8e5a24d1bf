/**
 * The Config recorder, its delivery channel and the delivery bucket, for accounts that do not
 * record yet. An account has at most one recorder per region, so most organisations' accounts
 * already have one (recording centrally); the stack then only adds rules.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AwsContext } from "../aws-context";
import { type PlatformNames } from "../naming";
import { SecureBucket } from "../secure-bucket";
import { ServiceRole } from "../service-role";
import { ACCESS_LOG_PREFIX } from "../storage";
import { RECORDED_RESOURCE_TYPES } from "./rules";

export interface ConfigRecorderArgs {
    readonly context: AwsContext;
    readonly names: PlatformNames;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly accessLogBucketName: pulumi.Input<string>;
    readonly permissionsBoundaryArn?: string;
    /** Days before noncurrent versions of delivered snapshots are deleted. Default 365. */
    readonly noncurrentVersionExpirationDays?: number;
}

/** A recorder of the resource types the rules evaluate, delivering to a secure bucket; enabled. */
export class ConfigRecorder extends pulumi.ComponentResource {
    readonly bucket: SecureBucket;
    /** The recorder's status: rules wait for it, since a rule without a recorder never evaluates. */
    readonly status: aws.cfg.RecorderStatus;

    constructor(name: string, args: ConfigRecorderArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:compliance:ConfigRecorder", name, {}, opts);
        const child = { parent: this };
        const { context, names } = args;
        const { accountId, partition } = context;
        const fromThisAccount = { StringEquals: { "aws:SourceAccount": accountId } };

        this.bucket = new SecureBucket(
            `${name}-bucket`,
            {
                context,
                bucketName: names.bucket("config", accountId),
                encryption: { kmsKeyArn: args.kmsKeyArn },
                accessLogs: { targetBucket: args.accessLogBucketName, targetPrefix: `${ACCESS_LOG_PREFIX}config/` },
                noncurrentVersionExpirationDays: args.noncurrentVersionExpirationDays ?? 365,
                // AWS's documented delivery policy for Config, on behalf of this account only.
                extraPolicyStatements: (bucketArn) => [
                    {
                        Sid: "AWSConfigBucketPermissionsCheck",
                        Effect: "Allow",
                        Principal: { Service: "config.amazonaws.com" },
                        Action: ["s3:GetBucketAcl", "s3:ListBucket"],
                        Resource: bucketArn,
                        Condition: fromThisAccount,
                    },
                    {
                        Sid: "AWSConfigBucketDelivery",
                        Effect: "Allow",
                        Principal: { Service: "config.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: pulumi.interpolate`${bucketArn}/AWSLogs/${accountId}/Config/*`,
                        Condition: fromThisAccount,
                    },
                ],
            },
            child,
        );

        const delivery: aws.iam.PolicyDocument = {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "DeliverToTheConfigBucket",
                    Effect: "Allow",
                    Action: ["s3:PutObject", "s3:GetBucketAcl"],
                    Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/AWSLogs/${accountId}/Config/*`],
                },
                {
                    Sid: "EncryptWithTheStackKey",
                    Effect: "Allow",
                    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                    Resource: args.kmsKeyArn,
                },
            ],
        };
        const role = new ServiceRole(
            `${name}-role`,
            {
                context: args.context,
                roleName: names.scoped("config-recorder"),
                description: "Lets AWS Config record the platform's resource types and deliver to its bucket",
                service: "config.amazonaws.com",
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                inlinePolicies: { [`${name}-delivery`]: delivery },
                managedPolicyArns: {
                    [`${name}-config-role`]: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AWS_ConfigRole`,
                },
            },
            child,
        );

        const recorder = new aws.cfg.Recorder(
            name,
            {
                name: names.scoped("config"),
                roleArn: role.arn,
                recordingGroup: {
                    allSupported: false,
                    includeGlobalResourceTypes: false,
                    resourceTypes: [...RECORDED_RESOURCE_TYPES],
                    recordingStrategies: [{ useOnly: "INCLUSION_BY_RESOURCE_TYPES" }],
                },
            },
            child,
        );
        const channel = new aws.cfg.DeliveryChannel(
            `${name}-delivery-channel`,
            {
                name: names.scoped("config"),
                s3BucketName: this.bucket.bucketName,
                s3KmsKeyArn: args.kmsKeyArn,
                snapshotDeliveryProperties: { deliveryFrequency: "TwentyFour_Hours" },
            },
            { ...child, dependsOn: [recorder, this.bucket, role] },
        );
        this.status = new aws.cfg.RecorderStatus(
            `${name}-status`,
            { name: recorder.name, isEnabled: true },
            { ...child, dependsOn: [channel] },
        );
        this.registerOutputs({ bucketName: this.bucket.bucketName });
    }
}
