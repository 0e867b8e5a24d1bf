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
/** `arn:<partition>:<service>:<region>:<account>:<resource>`, in this stack's region and account. */
function regional(ctx: AwsContext, service: string, resource: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`arn:${ctx.partition}:${service}:${ctx.region}:${ctx.accountId}:${resource}`;
}

export const arns = {
    bucket: (ctx: AwsContext, bucketName: pulumi.Input<string>) =>
        pulumi.interpolate`arn:${ctx.partition}:s3:::${bucketName}`,
    role: (ctx: AwsContext, roleName: pulumi.Input<string>) =>
        pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:role/${roleName}`,
    /** The account itself as a principal (`arn:...:iam::<account>:root`). */
    accountRoot: (ctx: AwsContext) => pulumi.interpolate`arn:${ctx.partition}:iam::${ctx.accountId}:root`,
    /** An AWS managed policy, by its path and name (`service-role/...` or a plain name). */
    awsManagedPolicy: (ctx: AwsContext, policyPath: pulumi.Input<string>) =>
        pulumi.interpolate`arn:${ctx.partition}:iam::aws:policy/${policyPath}`,
    logGroup: (ctx: AwsContext, logGroupName: pulumi.Input<string>) =>
        regional(ctx, "logs", pulumi.interpolate`log-group:${logGroupName}`),
    repository: (ctx: AwsContext, repositoryName: pulumi.Input<string>) =>
        regional(ctx, "ecr", pulumi.interpolate`repository/${repositoryName}`),
    table: (ctx: AwsContext, tableName: pulumi.Input<string>) =>
        regional(ctx, "dynamodb", pulumi.interpolate`table/${tableName}`),
    queue: (ctx: AwsContext, queueName: pulumi.Input<string>) => regional(ctx, "sqs", queueName),
    topic: (ctx: AwsContext, topicName: pulumi.Input<string>) => regional(ctx, "sns", topicName),
    batch: (ctx: AwsContext, resource: pulumi.Input<string>) => regional(ctx, "batch", resource),
    alarm: (ctx: AwsContext, alarmName: pulumi.Input<string>) =>
        regional(ctx, "cloudwatch", pulumi.interpolate`alarm:${alarmName}`),
    eventRule: (ctx: AwsContext, ruleName: pulumi.Input<string>) =>
        regional(ctx, "events", pulumi.interpolate`rule/${ruleName}`),
    stateMachine: (ctx: AwsContext, name: pulumi.Input<string>) =>
        regional(ctx, "states", pulumi.interpolate`stateMachine:${name}`),
    deliveryStream: (ctx: AwsContext, name: pulumi.Input<string>) =>
        regional(ctx, "firehose", pulumi.interpolate`deliverystream/${name}`),
    trail: (ctx: AwsContext, trailName: pulumi.Input<string>) =>
        regional(ctx, "cloudtrail", pulumi.interpolate`trail/${trailName}`),
    secret: (ctx: AwsContext, secretName: pulumi.Input<string>) =>
        regional(ctx, "secretsmanager", pulumi.interpolate`secret:${secretName}`),
    /** Every log group and stream of this region and account (`...:logs:<region>:<account>:*`). */
    anyLogs: (ctx: AwsContext) => regional(ctx, "logs", "*"),
    repositoryUrl: (ctx: AwsContext, repositoryName: pulumi.Input<string>) =>
        pulumi.interpolate`${ctx.accountId}.dkr.ecr.${ctx.region}.${ctx.dnsSuffix}/${repositoryName}`,
};
