import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    bulkQueue as bulkQueueContract,
    jobEventsTarget,
    jobsTable,
    jobStateChangePattern,
    stageName,
} from "../../api/contract";
import { arns, type AwsContext } from "../aws-context";
import { policyDocument, type Statement } from "../iam-documents";
import { createApiInvokePolicy } from "../identity";
import { BULK_MANIFESTS_PREFIX, RESULTS_PREFIX, UPLOADS_PREFIX } from "../storage";
import { accessPointStatements, type ApiFunctions, createApiFunctions } from "./functions";
import { RestApi } from "./rest-api";
import { defaultMcpConfigKey } from "../../api/lib/config";
import { ServiceRole } from "../service-role";
import { adoptedChildOptions } from "../adopted";
import {
    accessPointArn,
    accessPointTarget,
    bucketTarget,
    type AccessPointSpec,
    S3AccessPoints,
    type S3Target,
} from "../access-points";

/** Where POST /mcp-config stores the configuration jobs load (the job definition's MCP_CONFIG_KEY). */
export const MCP_CONFIG_KEY = defaultMcpConfigKey;

export interface TransformApiArgs {
    readonly context: AwsContext;
    /** Prefix of every physical name, e.g. `atx-api` (stack suffix included). */
    readonly namePrefix: string;
    readonly invokePolicyName: string;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    readonly jobQueueArn: pulumi.Input<string>;
    readonly jobDefinitionName: pulumi.Input<string>;
    readonly jobDefinitionArn: pulumi.Input<string>;
    readonly sourceBucket: ApiBucket;
    readonly outputBucket: ApiBucket;
    /** Directory with the functions' bundles (`<function>/index.js`), or a promise of it while they build. */
    readonly codeDirectory: string | Promise<string>;
    /** Source hosts jobs may clone from. */
    readonly allowedGitHosts: readonly string[];
    /** Log group of the jobs, named in job status answers so clients can read a job's log stream. */
    readonly jobLogGroupName: pulumi.Input<string>;
    /** The job definition's attempt timeout: requests may set ATX_SHELL_TIMEOUT up to it. */
    readonly jobTimeoutSeconds: number;
    /** Stage throttling. Defaults 50 requests/s, burst 100. */
    readonly throttlingRateLimit?: number;
    readonly throttlingBurstLimit?: number;
    /** Batch SubmitJob calls per second per submitter instance. Default 10. */
    readonly bulkSubmitRatePerSecond?: number;
    /**
     * Set the region's API Gateway account settings (the role it logs to CloudWatch with). They are
     * one per account and region: let exactly one stack per account manage them. Default true.
     */
    readonly manageAccountSettings?: boolean;
    readonly permissionsBoundaryArn?: string;
}

export interface ApiBucket {
    readonly name: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
    /**
     * Name of the API's own access point to the bucket, which the component creates: its policy grants
     * each function's role that function's contract actions and nothing else, the functions' policies
     * name it instead of the bucket, and their S3 requests go through it. Default none (the bucket itself).
     */
    readonly accessPointName?: string;
}

function accessPointOf(context: AwsContext, bucket: ApiBucket): pulumi.Output<string> | undefined {
    return bucket.accessPointName === undefined ? undefined : accessPointArn(context, bucket.accessPointName);
}

function targetOf(context: AwsContext, bucket: ApiBucket): S3Target {
    const accessPoint = accessPointOf(context, bucket);
    return accessPoint !== undefined ? accessPointTarget(accessPoint) : bucketTarget(bucket.arn);
}

/**
 * The REST API engineers run transformations through: API Gateway (AWS_IAM on every method) in
 * front of Lambda handlers, a DynamoDB table of jobs and batches, an SQS queue feeding the bulk
 * submitter, and an EventBridge rule that records Batch job state changes of this queue.
 */
export class TransformApi extends pulumi.ComponentResource {
    readonly restApi: aws.apigateway.RestApi;
    readonly stage: aws.apigateway.Stage;
    /** The stage's JSON access log group. */
    readonly accessLogGroupName: pulumi.Output<string>;
    readonly url: pulumi.Output<string>;
    readonly invokePolicy: aws.iam.Policy;
    readonly table: aws.dynamodb.Table;
    readonly bulkQueue: aws.sqs.Queue;
    readonly deadLetterQueue: aws.sqs.Queue;
    readonly functions: ApiFunctions;

    constructor(name: string, args: TransformApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:api:TransformApi", name, {}, opts);
        const { context } = args;
        const child = { parent: this };
        const prefix = args.namePrefix;

        this.table = this.jobsTable(name, prefix, args.kmsKeyArn);
        const tableArn = arns.table(context, this.table.name);

        const { deadLetterQueue, bulkQueue, deadLetterQueueArn, bulkQueueArn } = this.queues(name, prefix, args);
        this.deadLetterQueue = deadLetterQueue;
        this.bulkQueue = bulkQueue;
        const bucketArns = bucketResources(targetOf(context, args.sourceBucket), targetOf(context, args.outputBucket));
        this.functions = this.apiFunctions(args, { table: tableArn, deadLetterQueueArn, bulkQueueArn, bucketArns });

        const { eventSource } = bulkQueueContract;
        new aws.lambda.EventSourceMapping(
            `${name}-bulk-submitter-source`,
            {
                eventSourceArn: bulkQueueArn,
                functionName: this.functions[eventSource.function].name,
                batchSize: eventSource.batchSize,
                functionResponseTypes: [...eventSource.functionResponseTypes],
                scalingConfig: { maximumConcurrency: eventSource.maximumConcurrency },
            },
            { parent: this, dependsOn: [this.bulkQueue] },
        );

        const ruleArn = this.recordJobStateChanges(name, prefix, args.jobQueueArn, deadLetterQueueArn);
        this.queuePolicies(name, context, deadLetterQueueArn, bulkQueueArn, ruleArn);

        const accessPoints = this.accessPoints(name, args, bucketArns, opts);

        const rest = new RestApi(
            {
                apiName: prefix,
                functions: this.functions,
                kmsKeyArn: args.kmsKeyArn,
                logRetentionDays: args.logRetentionDays,
                accessLogGroupName: `/aws/apigateway/${prefix}`,
                throttlingRateLimit: args.throttlingRateLimit ?? 50,
                throttlingBurstLimit: args.throttlingBurstLimit ?? 100,
                // Deployed once the functions can reach the buckets: no request meets a missing access point.
                deployAfter: accessPoints ? [accessPoints] : [],
            },
            child,
        );
        this.restApi = rest.api;
        this.stage = rest.stage;
        this.accessLogGroupName = rest.accessLogGroup.name;
        this.url = rest.stage.invokeUrl;
        if (args.manageAccountSettings ?? true)
            this.accountSettings(name, `${prefix}-apigateway-logs`, context, args.permissionsBoundaryArn);

        this.invokePolicy = createApiInvokePolicy(
            `${name}-invoke-policy`,
            { policyName: args.invokePolicyName, apiExecutionArn: this.restApi.executionArn, stageName },
            child,
        );
        this.registerOutputs({ url: this.url, invokePolicyArn: this.invokePolicy.arn, tableName: this.table.name });
    }

    /** Jobs and batches (single-table design: keys and indexes from the API contract), encrypted, recoverable. */
    private jobsTable(name: string, prefix: string, kmsKeyArn: pulumi.Input<string>): aws.dynamodb.Table {
        return new aws.dynamodb.Table(
            `${name}-jobs`,
            {
                name: `${prefix}-jobs`,
                billingMode: jobsTable.billingMode,
                hashKey: jobsTable.hashKey,
                rangeKey: jobsTable.rangeKey,
                attributes: [...jobsTable.attributes],
                globalSecondaryIndexes: jobsTable.globalSecondaryIndexes.map((index) => ({
                    name: index.name,
                    hashKey: index.hashKey,
                    rangeKey: index.rangeKey,
                    projectionType: index.projectionType,
                    nonKeyAttributes: "nonKeyAttributes" in index ? [...index.nonKeyAttributes] : undefined,
                })),
                serverSideEncryption: { enabled: true, kmsKeyArn },
                pointInTimeRecovery: { enabled: jobsTable.pointInTimeRecovery },
                deletionProtectionEnabled: true,
            },
            { parent: this },
        );
    }

    /** The contract's functions, bound to this stack's table, queues, key and buckets (or access points). */
    private apiFunctions(
        args: TransformApiArgs,
        bound: {
            table: pulumi.Output<string>;
            deadLetterQueueArn: pulumi.Output<string>;
            bulkQueueArn: pulumi.Output<string>;
            bucketArns: ReturnType<typeof bucketResources>;
        },
    ): ApiFunctions {
        const { context } = args;
        const jobRulesEnvironment = {
            ALLOWED_SOURCE_HOSTS: args.allowedGitHosts.join(","),
            JOB_TIMEOUT_SECONDS: String(args.jobTimeoutSeconds),
        };
        return createApiFunctions(
            {
                context,
                namePrefix: args.namePrefix,
                codeDirectory: args.codeDirectory,
                kmsKeyArn: args.kmsKeyArn,
                logRetentionDays: args.logRetentionDays,
                deadLetterQueueArn: bound.deadLetterQueueArn,
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                bindings: {
                    refs: {
                        "jobsTable.name": this.table.name,
                        "jobQueue.arn": args.jobQueueArn,
                        "jobDefinition.arn": args.jobDefinitionArn,
                        "jobLogGroup.name": args.jobLogGroupName,
                        "sourceBucket.bucket": args.sourceBucket.name,
                        "outputBucket.bucket": args.outputBucket.name,
                        "bulkQueue.url": this.bulkQueue.url,
                        "kmsKey.arn": args.kmsKeyArn,
                    },
                    resources: {
                        jobsTable: bound.table,
                        jobsTableIndexes: pulumi.interpolate`${bound.table}/index/*`,
                        jobQueue: args.jobQueueArn,
                        jobDefinition: arns.batch(
                            context,
                            pulumi.interpolate`job-definition/${args.jobDefinitionName}:*`,
                        ),
                        batchJobs: arns.batch(context, "job/*"),
                        bulkQueue: bound.bulkQueueArn,
                        ...bound.bucketArns,
                        kmsKey: args.kmsKeyArn,
                    },
                },
                bucketAccessPoints: {
                    SOURCE_BUCKET: accessPointOf(context, args.sourceBucket),
                    OUTPUT_BUCKET: accessPointOf(context, args.outputBucket),
                },
                environmentOverrides: {
                    jobs: jobRulesEnvironment,
                    batches: jobRulesEnvironment,
                    "bulk-submitter": {
                        ...jobRulesEnvironment,
                        SUBMIT_RATE_PER_SECOND: String(args.bulkSubmitRatePerSecond ?? 10),
                    },
                    "mcp-config": { MCP_CONFIG_KEY },
                },
            },
            this,
        );
    }

    /**
     * The API's access points, for the buckets that name one. Their policies name the functions' roles,
     * so they follow the functions. They were the stack's own children before the API created them:
     * the alias keeps their URNs.
     */
    private accessPoints(
        name: string,
        { context, namePrefix, sourceBucket, outputBucket }: TransformApiArgs,
        resources: ReturnType<typeof bucketResources>,
        opts: pulumi.ComponentResourceOptions | undefined,
    ): S3AccessPoints | undefined {
        const specs: Record<string, AccessPointSpec> = {};
        for (const [bucket, { name: bucketName, accessPointName }] of [
            ["source", sourceBucket],
            ["output", outputBucket],
        ] as const) {
            if (accessPointName === undefined) continue;
            specs[`api-${bucket}`] = {
                name: accessPointName,
                bucket: bucketName,
                statements: accessPointStatements(bucket, { context, namePrefix, resources }),
            };
        }
        if (Object.keys(specs).length === 0) return undefined;
        return new S3AccessPoints(
            `${name}-access-points`,
            { accessPoints: specs },
            { ...adoptedChildOptions(this, opts), dependsOn: Object.values(this.functions) },
        );
    }

    /** The bulk submission queue and the dead-letter queue it and the functions redrive to, with their ARNs. */
    private queues(name: string, prefix: string, { context, kmsKeyArn }: TransformApiArgs) {
        const deadLetterQueueName = `${prefix}-dead-letters`;
        const deadLetterQueueArn = arns.queue(context, deadLetterQueueName);
        const bulkQueueName = `${prefix}-bulk-submissions`;
        const deadLetterQueue = new aws.sqs.Queue(
            `${name}-dead-letters`,
            { name: deadLetterQueueName, kmsMasterKeyId: kmsKeyArn, messageRetentionSeconds: 14 * 24 * 3600 },
            { parent: this },
        );
        const bulkQueue = new aws.sqs.Queue(
            `${name}-bulk-submissions`,
            {
                name: bulkQueueName,
                kmsMasterKeyId: kmsKeyArn,
                visibilityTimeoutSeconds: bulkQueueContract.visibilityTimeoutSeconds,
                messageRetentionSeconds: bulkQueueContract.messageRetentionSeconds,
                redrivePolicy: pulumi.jsonStringify({
                    deadLetterTargetArn: deadLetterQueueArn,
                    maxReceiveCount: bulkQueueContract.deadLetterMaxReceiveCount,
                }),
            },
            { parent: this, dependsOn: [deadLetterQueue] },
        );
        return { deadLetterQueue, bulkQueue, deadLetterQueueArn, bulkQueueArn: arns.queue(context, bulkQueueName) };
    }

    /** Job state changes of the queue go to the job-events function (retried, then dead-lettered). */
    private recordJobStateChanges(
        name: string,
        prefix: string,
        jobQueueArn: pulumi.Input<string>,
        deadLetterQueueArn: pulumi.Input<string>,
    ): pulumi.Output<string> {
        const child = { parent: this };
        const jobEvents = this.functions[jobEventsTarget];
        const rule = new aws.cloudwatch.EventRule(
            `${name}-job-state-changes`,
            {
                name: `${prefix}-job-state-changes`,
                description: "Batch job state changes of the ATX job queue, recorded by the API",
                eventPattern: pulumi
                    .output(jobQueueArn)
                    .apply((queueArn) => JSON.stringify(jobStateChangePattern(queueArn))),
            },
            child,
        );
        new aws.lambda.Permission(
            `${name}-job-events-permission`,
            {
                action: "lambda:InvokeFunction",
                function: jobEvents.name,
                principal: "events.amazonaws.com",
                sourceArn: rule.arn,
            },
            child,
        );
        new aws.cloudwatch.EventTarget(
            `${name}-job-events-target`,
            {
                rule: rule.name,
                arn: jobEvents.arn,
                retryPolicy: { maximumEventAgeInSeconds: 24 * 3600, maximumRetryAttempts: 185 },
                deadLetterConfig: { arn: deadLetterQueueArn },
            },
            child,
        );
        return rule.arn;
    }

    /** Both queues refuse non-TLS access; the dead-letter queue takes messages from this rule only. */
    private queuePolicies(
        name: string,
        context: AwsContext,
        deadLetterQueueArn: pulumi.Output<string>,
        bulkQueueArn: pulumi.Output<string>,
        ruleArn: pulumi.Output<string>,
    ): void {
        const denyInsecure = (queueArn: pulumi.Output<string>): Statement => ({
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "sqs:*",
            Resource: queueArn,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        });
        new aws.sqs.QueuePolicy(
            `${name}-bulk-submissions-policy`,
            { queueUrl: this.bulkQueue.url, policy: policyDocument([denyInsecure(bulkQueueArn)]) },
            { parent: this },
        );
        new aws.sqs.QueuePolicy(
            `${name}-dead-letters-policy`,
            {
                queueUrl: this.deadLetterQueue.url,
                policy: policyDocument([
                    denyInsecure(deadLetterQueueArn),
                    {
                        Sid: "UndeliverableJobEvents",
                        Effect: "Allow",
                        Principal: { Service: "events.amazonaws.com" },
                        Action: "sqs:SendMessage",
                        Resource: deadLetterQueueArn,
                        Condition: {
                            ArnEquals: { "aws:SourceArn": ruleArn },
                            StringEquals: { "aws:SourceAccount": context.accountId },
                        },
                    },
                ]),
            },
            { parent: this },
        );
    }

    /** The role API Gateway writes execution and access logs with (an account-and-region setting). */
    private accountSettings(
        name: string,
        roleName: string,
        context: AwsContext,
        permissionsBoundaryArn: string | undefined,
    ): void {
        const role = new ServiceRole(
            `${name}-cloudwatch-role`,
            {
                context,
                roleName,
                description: "API Gateway writes this account's API logs to CloudWatch Logs",
                service: "apigateway.amazonaws.com",
                permissionsBoundaryArn,
                managedPolicyArns: {
                    [`${name}-cloudwatch-role-policy`]: arns.awsManagedPolicy(
                        context,
                        "service-role/AmazonAPIGatewayPushToCloudWatchLogs",
                    ),
                },
            },
            { parent: this },
        );
        new aws.apigateway.Account(
            `${name}-account-settings`,
            { cloudwatchRoleArn: role.arn },
            { parent: this, dependsOn: [role] },
        );
    }
}

/** The contract's symbolic S3 resources, as the functions' policies name them. */
export function bucketResources(source: S3Target, output: S3Target) {
    return {
        sourceBucket: source.arn,
        sourceUploads: source.objects(`${UPLOADS_PREFIX}*`),
        bulkManifests: source.objects(`${BULK_MANIFESTS_PREFIX}*`),
        mcpConfigObject: source.objects(MCP_CONFIG_KEY),
        outputBucket: output.arn,
        outputResults: output.objects(`${RESULTS_PREFIX}*`),
    };
}
