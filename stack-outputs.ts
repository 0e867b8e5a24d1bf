/**
 * The stack outputs other teams read: a contract. Renaming or removing one breaks consumers, so the
 * program's exports, this list and the README's table are kept equal by test/program.test.ts.
 *
 * Consumers:
 *   import { platformOutputs } from "<this repo>/stack-outputs";
 *   const atx = platformOutputs(new pulumi.StackReference("acme/atx-platform/prod"));
 *   atx.jobQueueArn.apply(...)
 */
import type * as pulumi from "@pulumi/pulumi";

export const PLATFORM_OUTPUTS = {
    outputBucketName: "Bucket where jobs write results (under transformations/)",
    outputBucketArn: "ARN of the output bucket",
    sourceBucketName: "Bucket for sources to transform (uploads/ expire) and the MCP configuration",
    sourceBucketArn: "ARN of the source bucket",
    accessLogBucketName: "Bucket receiving the S3 server access logs of the other buckets",
    jobQueueArn: "ARN of the Batch job queue to submit transformations to",
    jobQueueName: "Name of the Batch job queue",
    jobDefinitionArn: "ARN (with revision) of the Batch job definition",
    jobDefinitionName: "Name of the Batch job definition (submit by name for the latest revision)",
    logGroupName: "CloudWatch log group of the jobs",
    ecrRepositoryUrl: "ECR repository URL for the job image",
    imageUri: "Image reference the job definition runs",
    kmsKeyArn: "ARN of the stack's customer-managed KMS key",
    kmsKeyAlias: "Alias of the KMS key",
    vpcId: "VPC the jobs run in",
    subnetIds: "Subnets the jobs run in (list)",
    securityGroupId: "Security group of the jobs (no ingress, HTTPS egress)",
    jobRoleArn: "ARN of the job role (ATXBatchJobRole)",
    executionRoleArn: "ARN of the execution role (ATXBatchExecutionRole)",
    apiUrl: "Invoke URL of the REST API's prod stage (SigV4-signed requests)",
    apiId: "Id of the REST API",
    apiInvokePolicyArn: "Managed policy granting execute-api:Invoke on the API: attach it to callers",
    jobsTableName: "DynamoDB table holding job and batch state",
    dashboardUrl: "Console URL of the platform's CloudWatch dashboard",
    alarmTopicArn: "SNS topic (KMS-encrypted) every alarm and alert notifies: subscribe to it",
    trailArn: "ARN of the audit CloudTrail trail",
} as const;

export type PlatformOutputName = keyof typeof PLATFORM_OUTPUTS;

/** Every output is a string except these lists. */
type ListOutput = "subnetIds";
export type PlatformOutputs = {
    readonly [K in PlatformOutputName]: pulumi.Output<K extends ListOutput ? string[] : string>;
};

/** Typed access to a platform stack's outputs; a missing output fails the consumer's preview. */
export function platformOutputs(stack: pulumi.StackReference): PlatformOutputs {
    const outputs: Partial<Record<PlatformOutputName, pulumi.Output<unknown>>> = {};
    for (const name of Object.keys(PLATFORM_OUTPUTS) as PlatformOutputName[]) {
        outputs[name] = stack.requireOutput(name);
    }
    return outputs as PlatformOutputs;
}
