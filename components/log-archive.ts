/**
 * Long-term retention of job logs: a subscription filter on the job log group streams every log
 * event to a Kinesis Data Firehose stream, which decompresses the CloudWatch Logs envelopes, writes
 * them one JSON document per line (log group, log stream = the job's task, events), gzipped, to an
 * archive bucket encrypted with the stack's key. A lifecycle rule moves them to colder storage.
 * CloudWatch keeps the searchable copy for the configured retention; the archive keeps the rest.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arns, type AwsContext } from "./aws-context";
import { policyDocument } from "./iam-documents";
import { createEncryptedLogGroup } from "./log-group";
import { SecureBucket } from "./secure-bucket";
import { ServiceRole } from "./service-role";

/** Where the archived job logs go in the bucket, by delivery date. */
export const ARCHIVE_PREFIX = "job-logs/";

export interface JobLogArchiveArgs {
    readonly context: AwsContext;
    /** Permissions boundary for every role created here. Default none. */
    readonly permissionsBoundaryArn?: string;
    /** The log group to archive. */
    readonly sourceLogGroupName: pulumi.Input<string>;
    readonly bucketName: pulumi.Input<string>;
    readonly deliveryStreamName: string;
    /** Firehose's own error log group (KMS, finite retention). */
    readonly errorLogGroupName: string;
    readonly firehoseRoleName: string;
    readonly subscriptionRoleName: string;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** Server access logs of the archive bucket. */
    readonly accessLogs: { readonly targetBucket: pulumi.Input<string>; readonly targetPrefix: string };
    /** Default: Glacier Instant Retrieval after 30 days, Deep Archive after 180. */
    readonly transitions?: readonly { readonly days: number; readonly storageClass: string }[];
}

export class JobLogArchive extends pulumi.ComponentResource {
    readonly bucket: SecureBucket;
    readonly deliveryStream: aws.kinesis.FirehoseDeliveryStream;

    constructor(name: string, args: JobLogArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:observability:JobLogArchive", name, {}, opts);
        const child = { parent: this };
        const { region, dnsSuffix } = args.context;

        this.bucket = new SecureBucket(
            `${name}-bucket`,
            {
                context: args.context,
                bucketName: args.bucketName,
                encryption: { kmsKeyArn: args.kmsKeyArn },
                accessLogs: args.accessLogs,
                transitions: args.transitions ?? [
                    { days: 30, storageClass: "GLACIER_IR" },
                    { days: 180, storageClass: "DEEP_ARCHIVE" },
                ],
            },
            child,
        );
        const bucketArn = this.bucket.arn;

        const errorLogGroup = createEncryptedLogGroup(
            `${name}-errors`,
            { logGroupName: args.errorLogGroupName, retentionDays: args.logRetentionDays, kmsKeyArn: args.kmsKeyArn },
            child,
        );
        const errorLogStream = new aws.cloudwatch.LogStream(
            `${name}-errors-s3`,
            { logGroupName: errorLogGroup.name, name: "S3Delivery" },
            child,
        );
        const errorLogGroupArn = arns.logGroup(args.context, args.errorLogGroupName);

        const firehoseRole = new ServiceRole(
            `${name}-firehose-role`,
            {
                roleName: args.firehoseRoleName,
                description: "Delivers archived job logs to the archive bucket",
                service: "firehose.amazonaws.com",
                context: args.context,
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                inlinePolicies: {
                    [`${name}-firehose-policy`]: [
                        {
                            Sid: "WriteArchiveBucket",
                            Effect: "Allow",
                            Action: [
                                "s3:AbortMultipartUpload",
                                "s3:GetBucketLocation",
                                "s3:GetObject",
                                "s3:ListBucket",
                                "s3:ListBucketMultipartUploads",
                                "s3:PutObject",
                            ],
                            Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
                        },
                        {
                            Sid: "EncryptArchiveObjects",
                            Effect: "Allow",
                            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                            Resource: args.kmsKeyArn,
                            Condition: {
                                StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${region}.${dnsSuffix}` },
                                StringLike: {
                                    "kms:EncryptionContext:aws:s3:arn": [bucketArn, pulumi.interpolate`${bucketArn}/*`],
                                },
                            },
                        },
                        {
                            Sid: "ReportDeliveryErrors",
                            Effect: "Allow",
                            Action: "logs:PutLogEvents",
                            Resource: pulumi.interpolate`${errorLogGroupArn}:log-stream:*`,
                        },
                    ],
                },
            },
            child,
        );

        this.deliveryStream = new aws.kinesis.FirehoseDeliveryStream(
            `${name}-stream`,
            {
                name: args.deliveryStreamName,
                destination: "extended_s3",
                serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: args.kmsKeyArn },
                extendedS3Configuration: {
                    roleArn: firehoseRole.arn,
                    bucketArn,
                    kmsKeyArn: args.kmsKeyArn,
                    prefix: `${ARCHIVE_PREFIX}!{timestamp:yyyy/MM/dd}/`,
                    errorOutputPrefix: "delivery-errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/",
                    bufferingSize: 5,
                    bufferingInterval: 300,
                    compressionFormat: "GZIP",
                    processingConfiguration: {
                        enabled: true,
                        // CloudWatch Logs sends gzipped envelopes; store them decompressed, one per line, then gzip the file.
                        processors: [{ type: "Decompression" }, { type: "AppendDelimiterToRecord" }],
                    },
                    cloudwatchLoggingOptions: {
                        enabled: true,
                        logGroupName: errorLogGroup.name,
                        logStreamName: errorLogStream.name,
                    },
                },
            },
            { parent: this, dependsOn: [firehoseRole, this.bucket] },
        );
        const streamArn = arns.deliveryStream(args.context, args.deliveryStreamName);

        this.subscribeSourceLogGroup(name, args, streamArn);
        this.registerOutputs({ bucketName: this.bucket.bucketName, deliveryStreamArn: streamArn });
    }

    /** CloudWatch Logs streams the source log group to the delivery stream, through a role of its own. */
    private subscribeSourceLogGroup(name: string, args: JobLogArchiveArgs, streamArn: pulumi.Output<string>): void {
        const child = { parent: this };
        const { accountId } = args.context;
        const subscriptionRole = new ServiceRole(
            `${name}-subscription-role`,
            {
                roleName: args.subscriptionRoleName,
                description: "Lets CloudWatch Logs stream the job log group to the archive stream",
                service: "logs.amazonaws.com",
                context: args.context,
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                assumeRolePolicy: policyDocument([
                    {
                        Sid: "CloudWatchLogsOfThisAccount",
                        Effect: "Allow",
                        Principal: { Service: "logs.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: {
                            StringEquals: { "aws:SourceAccount": accountId },
                            StringLike: {
                                "aws:SourceArn": arns.anyLogs(args.context),
                            },
                        },
                    },
                ]),
                inlinePolicies: {
                    [`${name}-subscription-policy`]: [
                        {
                            Sid: "PutToArchiveStream",
                            Effect: "Allow",
                            Action: ["firehose:PutRecord", "firehose:PutRecordBatch"],
                            Resource: streamArn,
                        },
                    ],
                },
            },
            child,
        );

        new aws.cloudwatch.LogSubscriptionFilter(
            `${name}-subscription`,
            {
                name: "archive-to-s3",
                logGroup: args.sourceLogGroupName,
                filterPattern: "",
                destinationArn: this.deliveryStream.arn,
                roleArn: subscriptionRole.arn,
            },
            { parent: this, dependsOn: [subscriptionRole] },
        );
    }
}
