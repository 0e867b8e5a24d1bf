/**
 * The ATX transformation platform: reads the validated stack config, wires the components together
 * and exports the outputs other teams rely on (see stack-outputs.ts and the README's table).
 */
import { loadConfig } from "./config";
import { AlarmTopic } from "./components/alarms";
import { MCP_CONFIG_KEY, TransformApi } from "./components/api";
import { accessPointArn, accessPointTarget, bucketTarget, grantTo, S3AccessPoints } from "./components/access-points";
import { functionBundles } from "./components/api/bundles";
import { AccessAnalyzers } from "./components/access-analyzer";
import { Audit } from "./components/audit";
import * as pulumi from "@pulumi/pulumi";
import { arns, lookupAwsContext } from "./components/aws-context";
import { TransformBatch } from "./components/batch";
import { Compliance } from "./components/compliance";
import { PlatformKey } from "./components/encryption";
import {
    gitCredentialSecrets,
    JOB_SECRETS_PREFIX,
    JobIdentity,
    jobOutputStatements,
    jobSourceStatements,
} from "./components/identity";
import { platformNames } from "./components/naming";
import { InsightsQueries } from "./components/insights-queries";
import { JobNetwork } from "./components/network";
import { NetworkMonitoring } from "./components/network-monitoring";
import { Observability } from "./components/observability";
import { ContainerRegistry } from "./components/registry";
import { PlatformStorage, RESULTS_PREFIX } from "./components/storage";

const config = loadConfig();
const names = platformNames(config.nameSuffix);
const context = lookupAwsContext();

/** The access points' names when the stack uses them: one per application (jobs, API) and bucket. */
const accessPointNames = config.s3AccessPoints
    ? {
          jobsSource: names.scoped("jobs-source"),
          jobsOutput: names.scoped("jobs-output"),
          apiSource: names.scoped("api-source"),
          apiOutput: names.scoped("api-output"),
      }
    : undefined;

const key = new PlatformKey("platform", { context, aliasName: names.keyAlias });
const storage = new PlatformStorage("storage", {
    context,
    names,
    kmsKeyArn: key.keyArn,
    sourceUploadExpirationDays: config.sourceUploadExpirationDays,
    noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays,
    objectLock: config.objectLock,
    intelligentTiering: config.intelligentTiering,
    replicaRegion: config.replicaRegion,
    permissionsBoundaryArn: config.permissionsBoundaryArn,
    delegateToAccessPoints: config.s3AccessPoints,
});
const jobTargets = accessPointNames
    ? {
          source: accessPointTarget(accessPointArn(context, accessPointNames.jobsSource)),
          output: accessPointTarget(accessPointArn(context, accessPointNames.jobsOutput)),
      }
    : { source: bucketTarget(storage.sourceBucket.arn), output: bucketTarget(storage.outputBucket.arn) };
const registry = new ContainerRegistry("registry", {
    context,
    repositoryName: names.repository,
    kmsKeyArn: key.keyArn,
    imageUri: config.imageUri,
});
const network = new JobNetwork("network", {
    context,
    permissionsBoundaryArn: config.permissionsBoundaryArn,
    existing: config.network,
    mode: config.networkMode,
    namePrefix: names.scoped("jobs"),
    endpointScope: {
        bucketArns: [storage.outputBucket.arn, storage.sourceBucket.arn],
        accessPointArns: [jobTargets.output.arn, jobTargets.source.arn],
        repositoryArns: registry.pullRepositoryArns,
        logGroupArn: arns.logGroup(context, names.jobLogGroup),
        kmsKeyArn: key.keyArn,
        secretArnPattern: pulumi.interpolate`arn:${context.partition}:secretsmanager:${context.region}:${context.accountId}:secret:${JOB_SECRETS_PREFIX}*`,
    },
    kmsKeyArn: key.keyArn,
    logRetentionDays: config.logRetentionDays,
    flowLogGroupName: `/aws/vpc/flow-logs/${names.scoped("jobs")}`,
    flowLogRoleName: names.scoped("flow-logs"),
});
const identity = new JobIdentity("identity", {
    context,
    jobRoleName: names.jobRole,
    executionRoleName: names.executionRole,
    source: jobTargets.source,
    output: jobTargets.output,
    kmsKeyArn: key.keyArn,
    pullRepositoryArns: registry.pullRepositoryArns,
    jobLogGroupName: names.jobLogGroup,
    transformPolicyNames: config.transformPolicyNames,
    permissionsBoundaryArn: config.permissionsBoundaryArn,
});
// The access points' policies name the roles: they follow the roles.
const jobAccessPoints =
    accessPointNames &&
    new S3AccessPoints(
        "job-access-points",
        {
            accessPoints: {
                "jobs-source": {
                    name: accessPointNames.jobsSource,
                    bucket: storage.sourceBucket.bucketName,
                    statements: grantTo(identity.jobRoleArn, jobSourceStatements(jobTargets.source)),
                },
                "jobs-output": {
                    name: accessPointNames.jobsOutput,
                    bucket: storage.outputBucket.bucketName,
                    statements: grantTo(identity.jobRoleArn, jobOutputStatements(jobTargets.output)),
                },
            },
        },
        { dependsOn: [identity] },
    );
const batch = new TransformBatch(
    "batch",
    {
        names,
        region: context.region,
        subnetIds: network.subnetIds,
        assignPublicIp: config.networkMode === "public",
        securityGroupIds: [network.securityGroupId],
        imageUri: registry.imageUri,
        jobRoleArn: identity.jobRoleArn,
        executionRoleArn: identity.executionRoleArn,
        kmsKeyArn: key.keyArn,
        logRetentionDays: config.logRetentionDays,
        vcpu: config.fargateVcpu,
        memoryMiB: config.fargateMemoryMiB,
        ephemeralStorageGiB: config.ephemeralStorageGiB,
        jobTimeoutSeconds: config.jobTimeoutSeconds,
        retryAttempts: config.retryAttempts,
        maxVcpus: config.maxVcpus,
        environment: {
            S3_BUCKET: storage.outputBucket.bucketName,
            SOURCE_BUCKET: storage.sourceBucket.bucketName,
            OUTPUT_PREFIX: RESULTS_PREFIX.replace(/\/$/, ""),
            AWS_REGION: context.region,
            ALLOWED_GIT_HOSTS: config.allowedGitHosts.join(","),
            GIT_CREDENTIAL_SECRETS: gitCredentialSecrets(config.allowedGitHosts),
            MCP_CONFIG_KEY,
            // The job reaches the buckets through its access points (their ARNs, known at preview).
            ...(accessPointNames && {
                S3_ACCESS_POINT: jobTargets.output.arn,
                SOURCE_ACCESS_POINT: jobTargets.source.arn,
            }),
        },
    },
    // The definition quotes the roles, image and access points by name: wait for them and the push.
    { dependsOn: [identity, registry, ...(jobAccessPoints ? [jobAccessPoints] : [])] },
);

const api = new TransformApi("api", {
    context,
    namePrefix: names.scoped("api"),
    invokePolicyName: names.apiInvokePolicy,
    kmsKeyArn: key.keyArn,
    logRetentionDays: config.logRetentionDays,
    jobQueueArn: batch.jobQueue.arn,
    jobDefinitionName: batch.jobDefinition.name,
    jobDefinitionArn: batch.jobDefinition.arn,
    sourceBucket: {
        name: storage.sourceBucket.bucketName,
        arn: storage.sourceBucket.arn,
        accessPointName: accessPointNames?.apiSource,
    },
    outputBucket: {
        name: storage.outputBucket.bucketName,
        arn: storage.outputBucket.arn,
        accessPointName: accessPointNames?.apiOutput,
    },
    codeDirectory: functionBundles(),
    allowedGitHosts: config.allowedGitHosts,
    jobTimeoutSeconds: config.jobTimeoutSeconds,
    jobLogGroupName: batch.logGroup.name,
    throttlingRateLimit: config.api.throttlingRateLimit,
    throttlingBurstLimit: config.api.throttlingBurstLimit,
    bulkSubmitRatePerSecond: config.api.bulkSubmitRatePerSecond,
    manageAccountSettings: config.api.manageAccountSettings,
    permissionsBoundaryArn: config.permissionsBoundaryArn,
});

const alarmTopic = new AlarmTopic("alarms", {
    context,
    topicName: names.scoped("alarms"),
    kmsKeyArn: key.keyArn,
    emails: config.observability.alarmEmails,
    httpsEndpoints: config.observability.alarmHttpsEndpoints,
});
const audit = new Audit("audit", {
    context,
    permissionsBoundaryArn: config.permissionsBoundaryArn,
    names,
    kmsKeyArn: key.keyArn,
    accessLogBucketName: storage.logBucket.bucketName,
    dataEventBucketArns: [storage.outputBucket.arn, storage.sourceBucket.arn],
    noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays,
    logsToCloudWatch: config.audit.cloudTrailLogsToCloudWatch,
    logRetentionDays: config.logRetentionDays,
    alarmTopicArn: alarmTopic.topicArn,
    alarms: config.observability.alarms,
});
const observability = new Observability("observability", {
    context,
    permissionsBoundaryArn: config.permissionsBoundaryArn,
    names,
    kmsKeyArn: key.keyArn,
    logRetentionDays: config.logRetentionDays,
    alarmTopicArn: alarmTopic.topicArn,
    alarms: config.observability.alarms,
    longRunningJobHours: config.observability.longRunningJobHours,
    jobTimeoutSeconds: config.jobTimeoutSeconds,
    jobQueueName: batch.jobQueue.name,
    jobLogGroupName: batch.logGroup.name,
    repositoryName: registry.repository.name,
    accessLogBucketName: storage.logBucket.bucketName,
    dashboardAlarmArns: audit.alarmArns,
    api: { restApiName: api.restApi.name, stageName: api.stage.stageName },
    functions: Object.entries(api.functions).map(([id, fn]) => ({ id, functionName: fn.name })),
});

const flowLogGroupName = `/aws/vpc/flow-logs/${names.scoped("jobs")}`;
const jobEventLogGroupName = observability.jobEvents.logGroup.name;
new InsightsQueries("insights", {
    queryName: (id) => names.scoped(id),
    logGroups: { jobEvents: jobEventLogGroupName, apiAccess: api.accessLogGroupName, flowLogs: flowLogGroupName },
});
new NetworkMonitoring("network-monitoring", {
    flowLogGroupName: network.flowLogGroup.name,
    vpcId: network.vpcId,
    alarmName: names.scoped("rejected-egress"),
    alarmTopicArn: alarmTopic.topicArn,
    settings: config.observability.alarms.rejectedEgress,
});
if (config.audit.accessAnalyzers) {
    new AccessAnalyzers("access-analyzers", {
        context,
        namePrefix: names.scoped("access"),
        alarmTopicArn: alarmTopic.topicArn,
    });
}
if (config.compliance.enabled) {
    new Compliance("compliance", {
        context,
        names,
        targets: {
            buckets: [
                { role: "output", name: storage.outputBucket.bucketName, kms: true, accessLogged: true },
                { role: "source", name: storage.sourceBucket.bucketName, kms: true, accessLogged: true },
                { role: "logs", name: storage.logBucket.bucketName, kms: false, accessLogged: false },
                { role: "trail", name: audit.bucket.bucketName, kms: true, accessLogged: true },
                ...(observability.archive
                    ? [
                          {
                              role: "archive",
                              name: observability.archive.bucket.bucketName,
                              kms: true,
                              accessLogged: true,
                          },
                      ]
                    : []),
            ],
            kmsKeyArn: key.keyArn,
            repositoryName: registry.repository.name,
            securityGroupId: network.securityGroupId,
            logRetentionDays: config.logRetentionDays,
            logGroupNames: [names.jobLogGroup, flowLogGroupName, `/aws/events/${names.scoped("batch-jobs")}`],
        },
        vpcId: network.vpcId,
        trailArn: audit.trailArn,
        alarmTopicArn: alarmTopic.topicArn,
        createRecorder: config.compliance.createRecorder,
        accessLogBucketName: storage.logBucket.bucketName,
        remediate: config.compliance.remediate,
        permissionsBoundaryArn: config.permissionsBoundaryArn,
    });
}

export const outputBucketName = storage.outputBucket.bucketName;
export const outputBucketArn = storage.outputBucket.arn;
export const sourceBucketName = storage.sourceBucket.bucketName;
export const sourceBucketArn = storage.sourceBucket.arn;
export const accessLogBucketName = storage.logBucket.bucketName;
export const jobQueueArn = batch.jobQueue.arn;
export const jobQueueName = batch.jobQueue.name;
export const jobDefinitionArn = batch.jobDefinition.arn;
export const jobDefinitionName = batch.jobDefinition.name;
export const logGroupName = batch.logGroup.name;
export const ecrRepositoryUrl = registry.repositoryUrl;
export const imageUri = registry.imageUri;
export const kmsKeyArn = key.keyArn;
export const kmsKeyAlias = key.alias.name;
export const vpcId = network.vpcId;
export const subnetIds = network.subnetIds;
export const securityGroupId = network.securityGroupId;
export const jobRoleArn = identity.jobRoleArn;
export const executionRoleArn = identity.executionRoleArn;
export const apiUrl = api.url;
export const apiId = api.restApi.id;
export const apiInvokePolicyArn = api.invokePolicy.arn;
export const jobsTableName = api.table.name;
export const dashboardUrl = observability.dashboardUrl;
export const alarmTopicArn = alarmTopic.topicArn;
export const trailArn = audit.trailArn;
