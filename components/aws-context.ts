/** Where the stack runs, looked up once from the provider (never hard-coded to an account or region). */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AwsContext {
    readonly accountId: pulumi.Output<string>;
    readonly region: pulumi.Output<string>;
    readonly partition: pulumi.Output<string>;
    /** The partition's DNS suffix (amazonaws.com, amazonaws.com.cn ...), for service principals. */
    readonly dnsSuffix: pulumi.Output<string>;
}

export function lookupAwsContext(opts?: pulumi.InvokeOutputOptions): AwsContext {
    const partition = aws.getPartitionOutput({}, opts);
    return {
        accountId: aws.getCallerIdentityOutput({}, opts).accountId,
        region: aws.getRegionOutput({}, opts).region,
        partition: partition.partition,
        dnsSuffix: partition.dnsSuffix,
    };
}

/**
 * ARNs built from names the stack chooses, so that they are known at preview (the provider's `arn`
 * output is not) and policies that mention them can be reviewed, and checked, before `pulumi up`.
 */
export const arns = {
    bucket: (ctx: AwsContext, bucketName: pulumi.Input<string>) =>
        pulumi.interpolate`arn:${ctx.partition}:s3:::${bucketName}`,
    role: (ctx: AwsContext, roleName: pulumi.Input<string>) =>
        pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:role/${roleName}`,
    logGroup: (ctx: AwsContext, logGroupName: pulumi.Input<string>) =>
        pulumi.interpolate`arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:${logGroupName}`,
    repository: (ctx: AwsContext, repositoryName: pulumi.Input<string>) =>
        pulumi.interpolate`arn:${ctx.partition}:ecr:${ctx.region}:${ctx.accountId}:repository/${repositoryName}`,
    table: (ctx: AwsContext, tableName: pulumi.Input<string>) =>
        pulumi.interpolate`arn:${ctx.partition}:dynamodb:${ctx.region}:${ctx.accountId}:table/${tableName}`,
    queue: (ctx: AwsContext, queueName: pulumi.Input<string>) =>
        pulumi.interpolate`arn:${ctx.partition}:sqs:${ctx.region}:${ctx.accountId}:${queueName}`,
    batch: (ctx: AwsContext, resource: pulumi.Input<string>) =>
        pulumi.interpolate`arn:${ctx.partition}:batch:${ctx.region}:${ctx.accountId}:${resource}`,
    repositoryUrl: (ctx: AwsContext, repositoryName: pulumi.Input<string>) =>
        pulumi.interpolate`${ctx.accountId}.dkr.ecr.${ctx.region}.${ctx.dnsSuffix}/${repositoryName}`,
};
