/** Every policy of the pack, in report order. Importing this module starts nothing. */
import { type Policies } from "@pulumi/policy";
import {
    apigatewayMethodIamAuth,
    apigatewayNoApiKeys,
    apigatewayNoDataTraceInProduction,
    apigatewayStageAccessLogging,
    apigatewayStageThrottling,
} from "./apigateway";
import {
    batchComputeEnvironmentFargate,
    batchJobFargate,
    batchJobLogsToCloudWatch,
    batchJobNonRootUser,
    batchJobNoPlaintextCredentials,
    batchJobNotPrivileged,
    batchJobResourceRequirements,
    batchJobRetryStrategy,
    batchJobTimeout,
} from "./batch";
import { cloudtrailSecureTrail } from "./cloudtrail";
import {
    dynamodbTableDeletionProtection,
    dynamodbTableKmsEncryption,
    dynamodbTablePointInTimeRecovery,
    lambdaLogGroupEncrypted,
    lambdaNoPublicAccess,
    secretsmanagerSecretKmsKey,
    snsTopicKmsEncryption,
    snsTopicTlsOnly,
    sqsQueueKmsEncryption,
    sqsQueueTlsOnly,
    sqsSnsNoPublicPolicy,
} from "./data-stores";
import { ecrImmutableTags, ecrScanOnPush } from "./ecr";
import {
    iamDistinctJobRoles,
    iamNoAccessKeys,
    iamNoAdminPolicyAttachments,
    iamNoAdminWildcards,
    iamRolePermissionsBoundary,
} from "./iam";
import { kmsKeyRotation } from "./kms";
import { logGroupKmsEncryption, logGroupRetention } from "./logs";
import { batchJobFailureAlarm } from "./monitoring";
import { securityGroupEgressAllowedPorts, securityGroupNoPublicIngress, vpcFlowLogsEnabled } from "./network";
import {
    s3BucketAccessLogging,
    s3BucketKmsEncryption,
    s3BucketPublicAccessBlock,
    s3BucketTlsOnly,
    s3BucketVersioning,
    s3NoPublicAccess,
    s3ProductionMfaDelete,
    s3ResultsObjectLock,
    s3SourceUploadsExpire,
} from "./s3";
import { s3ReplicaAsProtectedAsSource } from "./s3-replication";
import { secretVersionValueIsSecret, ssmCredentialsSecureString } from "./secrets";

export * from "./apigateway";
export * from "./batch";
export * from "./cloudtrail";
export * from "./data-stores";
export * from "./ecr";
export * from "./iam";
export * from "./kms";
export * from "./logs";
export * from "./monitoring";
export * from "./network";
export * from "./s3";
export * from "./s3-replication";
export * from "./secrets";

export const policies: Policies = [
    // S3
    s3BucketTlsOnly,
    s3BucketKmsEncryption,
    s3BucketVersioning,
    s3BucketPublicAccessBlock,
    s3BucketAccessLogging,
    s3NoPublicAccess,
    s3SourceUploadsExpire,
    s3ResultsObjectLock,
    s3ProductionMfaDelete,
    s3ReplicaAsProtectedAsSource,
    // Network
    securityGroupNoPublicIngress,
    securityGroupEgressAllowedPorts,
    vpcFlowLogsEnabled,
    // KMS and logs
    kmsKeyRotation,
    logGroupRetention,
    logGroupKmsEncryption,
    // ECR
    ecrScanOnPush,
    ecrImmutableTags,
    // IAM
    iamNoAdminWildcards,
    iamNoAdminPolicyAttachments,
    iamNoAccessKeys,
    iamDistinctJobRoles,
    iamRolePermissionsBoundary,
    // Batch
    batchJobTimeout,
    batchJobRetryStrategy,
    batchJobResourceRequirements,
    batchJobFargate,
    batchJobNotPrivileged,
    batchJobNonRootUser,
    batchJobLogsToCloudWatch,
    batchJobNoPlaintextCredentials,
    batchComputeEnvironmentFargate,
    // API Gateway
    apigatewayMethodIamAuth,
    apigatewayNoApiKeys,
    apigatewayStageAccessLogging,
    apigatewayStageThrottling,
    apigatewayNoDataTraceInProduction,
    // DynamoDB, SQS, SNS and Lambda
    dynamodbTableKmsEncryption,
    dynamodbTablePointInTimeRecovery,
    dynamodbTableDeletionProtection,
    sqsQueueKmsEncryption,
    sqsQueueTlsOnly,
    snsTopicKmsEncryption,
    snsTopicTlsOnly,
    sqsSnsNoPublicPolicy,
    lambdaNoPublicAccess,
    lambdaLogGroupEncrypted,
    // Secrets, audit and monitoring
    secretsmanagerSecretKmsKey,
    secretVersionValueIsSecret,
    ssmCredentialsSecureString,
    cloudtrailSecureTrail,
    batchJobFailureAlarm,
];
