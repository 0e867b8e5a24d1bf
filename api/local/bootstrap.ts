/**
 * Creates, in the emulator, what the Pulumi component creates in AWS for the handlers: the jobs
 * table (from contract.ts, so both stay the same), the bulk queue, the source and output buckets,
 * a Batch job queue and job definition, and the jobs' log group. Returns the environment the handlers then need.
 */
import {
    BatchClient,
    type ContainerProperties,
    CreateComputeEnvironmentCommand,
    CreateJobQueueCommand,
    RegisterJobDefinitionCommand,
} from "@aws-sdk/client-batch";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { jobsTable } from "../contract";

export interface LocalResources {
    [name: string]: string;
}

export async function bootstrapLocalResources(
    endpoint: string,
    prefix = "atx-local",
    region = process.env.AWS_REGION ?? "us-east-1",
): Promise<LocalResources> {
    const common = { endpoint, region };
    const serviceRoleArn = await createRole(endpoint, region, `${prefix}-batch-service`);
    const { jobQueueArn, jobDefinitionArn } = await createFargateJobQueue(new BatchClient(common), {
        prefix,
        serviceRoleArn,
        definitionName: `${prefix}-atx`,
        containerProperties: { environment: [{ name: "S3_BUCKET", value: `${prefix}-output` }] },
    });

    const dynamo = new DynamoDBClient(common);
    await dynamo.send(
        new CreateTableCommand({
            TableName: `${prefix}-jobs`,
            BillingMode: jobsTable.billingMode,
            AttributeDefinitions: jobsTable.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
            KeySchema: [
                { AttributeName: jobsTable.hashKey, KeyType: "HASH" },
                { AttributeName: jobsTable.rangeKey, KeyType: "RANGE" },
            ],
            GlobalSecondaryIndexes: jobsTable.globalSecondaryIndexes.map((index) => ({
                IndexName: index.name,
                KeySchema: [
                    { AttributeName: index.hashKey, KeyType: "HASH" },
                    { AttributeName: index.rangeKey, KeyType: "RANGE" },
                ],
                Projection: {
                    ProjectionType: index.projectionType,
                    ...("nonKeyAttributes" in index ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}),
                },
            })),
        }),
    );

    const sqs = new SQSClient(common);
    // Shorter than in AWS (contract.bulkQueue), so a message the submitter hands back comes again
    // within a test, but longer than a 100-job message takes on a loaded machine, so a message being
    // processed is not delivered a second time.
    const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: `${prefix}-bulk`, Attributes: { VisibilityTimeout: "60" } }),
    );
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));

    const s3 = new S3Client({ ...common, forcePathStyle: true });
    for (const bucket of [`${prefix}-source`, `${prefix}-output`])
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));

    const jobLogGroup = `/aws/batch/${prefix}`;
    await new CloudWatchLogsClient(common).send(new CreateLogGroupCommand({ logGroupName: jobLogGroup }));

    return {
        AWS_REGION: region,
        JOB_LOG_GROUP: jobLogGroup,
        JOBS_TABLE: `${prefix}-jobs`,
        JOB_QUEUE_ARN: jobQueueArn,
        JOB_DEFINITION_ARN: jobDefinitionArn,
        SOURCE_BUCKET: `${prefix}-source`,
        OUTPUT_BUCKET: `${prefix}-output`,
        BULK_QUEUE_URL: QueueUrl!,
        BULK_QUEUE_ARN: Attributes!.QueueArn!,
        KMS_KEY_ID: `arn:aws:kms:${region}:123456789012:key/00000000-0000-4000-8000-000000000000`,
        S3_FORCE_PATH_STYLE: "true",
    };
}

export interface FargateJobQueueSpec {
    readonly prefix: string;
    /** The compute environment's service role. */
    readonly serviceRoleArn: string;
    readonly definitionName: string;
    /** Added to the definition's container (a 1 vCPU, 2 GiB Amazon Linux image). */
    readonly containerProperties?: Partial<ContainerProperties>;
    readonly timeoutSeconds?: number;
}

/** An unmanaged Fargate compute environment, its job queue and a job definition in the emulator. */
export async function createFargateJobQueue(
    batch: BatchClient,
    spec: FargateJobQueueSpec,
): Promise<{ jobQueueArn: string; jobDefinitionArn: string }> {
    const environment = await batch.send(
        new CreateComputeEnvironmentCommand({
            computeEnvironmentName: `${spec.prefix}-fargate`,
            type: "UNMANAGED",
            state: "ENABLED",
            serviceRole: spec.serviceRoleArn,
        }),
    );
    const queue = await batch.send(
        new CreateJobQueueCommand({
            jobQueueName: `${spec.prefix}-queue`,
            priority: 1,
            state: "ENABLED",
            computeEnvironmentOrder: [{ order: 1, computeEnvironment: environment.computeEnvironmentArn! }],
        }),
    );
    const definition = await batch.send(
        new RegisterJobDefinitionCommand({
            jobDefinitionName: spec.definitionName,
            type: "container",
            platformCapabilities: ["FARGATE"],
            ...(spec.timeoutSeconds !== undefined ? { timeout: { attemptDurationSeconds: spec.timeoutSeconds } } : {}),
            containerProperties: {
                image: "public.ecr.aws/amazonlinux/amazonlinux:2023",
                resourceRequirements: [
                    { type: "VCPU", value: "1" },
                    { type: "MEMORY", value: "2048" },
                ],
                ...spec.containerProperties,
            },
        }),
    );
    return { jobQueueArn: queue.jobQueueArn!, jobDefinitionArn: definition.jobDefinitionArn! };
}

/** The SDK's IAM client is not a dependency of this project; one query-API call does the job. */
async function createRole(endpoint: string, region: string, name: string): Promise<string> {
    const body = new URLSearchParams({
        Action: "CreateRole",
        Version: "2010-05-08",
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "batch.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
    });
    // moto routes a request to a service by the credential scope of its (unverified) signature.
    const response = await fetch(`${endpoint}/`, {
        method: "POST",
        body,
        headers: {
            "content-type": "application/x-www-form-urlencoded",
            authorization: `AWS4-HMAC-SHA256 Credential=local/20260101/${region}/iam/aws4_request, SignedHeaders=host, Signature=0`,
        },
    });
    const text = await response.text();
    const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
    if (!response.ok || !arn) throw new Error(`CreateRole failed: HTTP ${response.status} ${text.slice(0, 300)}`);
    return arn;
}
