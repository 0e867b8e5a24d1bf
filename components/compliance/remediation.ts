/**
 * Automatic remediation of the drifts that are safe to undo without a human, through the
 * AWS-owned SSM Automation documents, run by Config as soon as a rule finds the drift.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { arns, type AwsContext } from "../aws-context";
import { ServiceRole } from "../service-role";
import { type BucketTarget, type Remediation } from "./rules";

/** The AWS-owned document for each remediation, what it may call, and its parameters. */
export const REMEDIATION_DOCUMENTS: Readonly<
    Record<
        Remediation,
        {
            readonly document: string;
            readonly actions: readonly string[];
            readonly parameters: (
                bucket: BucketTarget,
                kmsKeyArn: pulumi.Input<string>,
            ) => Record<string, pulumi.Input<string>>;
        }
    >
> = {
    publicAccessBlock: {
        document: "AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock",
        actions: ["s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"],
        parameters: () => ({
            BlockPublicAcls: "true",
            IgnorePublicAcls: "true",
            BlockPublicPolicy: "true",
            RestrictPublicBuckets: "true",
        }),
    },
    // Restores default encryption with a bucket key: SSE-KMS with the stack's key, or SSE-S3 where
    // the bucket is the documented exception.
    encryption: {
        document: "AWS-EnableS3BucketKeys",
        actions: ["s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"],
        parameters: (bucket, kmsKeyArn): Record<string, pulumi.Input<string>> =>
            bucket.kms ? { KMSKeyId: kmsKeyArn } : {},
    },
    versioning: {
        document: "AWS-ConfigureS3BucketVersioning",
        actions: ["s3:GetBucketVersioning", "s3:PutBucketVersioning"],
        parameters: () => ({ VersioningState: "Enabled" }),
    },
};

/** The role SSM Automation assumes to remediate: only the remediation actions, only on the stack's buckets. */
export function createRemediationRole(
    name: string,
    args: {
        readonly context: AwsContext;
        readonly roleName: string;
        readonly bucketNames: readonly pulumi.Input<string>[];
        readonly permissionsBoundaryArn?: string;
    },
    opts: pulumi.ComponentResourceOptions,
): ServiceRole {
    const policy: aws.iam.PolicyDocument = {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "RestoreBucketProtections",
                Effect: "Allow",
                Action: [...new Set(Object.values(REMEDIATION_DOCUMENTS).flatMap((d) => d.actions))],
                Resource: args.bucketNames.map((bucket) => arns.bucket(args.context, bucket)),
            },
        ],
    };
    return new ServiceRole(
        name,
        {
            context: args.context,
            roleName: args.roleName,
            description: "Lets Config's automatic remediation restore the platform buckets' protections",
            service: "ssm.amazonaws.com",
            permissionsBoundaryArn: args.permissionsBoundaryArn,
            inlinePolicies: { [`${name}-policy`]: policy },
        },
        opts,
    );
}

/** Config runs the document on each non-compliant evaluation of the rule (a few attempts, then it reports). */
export function createRemediation(
    name: string,
    args: {
        readonly ruleName: pulumi.Input<string>;
        readonly kind: Remediation;
        readonly bucket: BucketTarget;
        readonly kmsKeyArn: pulumi.Input<string>;
        readonly roleArn: pulumi.Input<string>;
    },
    opts: pulumi.CustomResourceOptions,
): aws.cfg.RemediationConfiguration {
    const doc = REMEDIATION_DOCUMENTS[args.kind];
    const statics = doc.parameters(args.bucket, args.kmsKeyArn);
    return new aws.cfg.RemediationConfiguration(
        name,
        {
            configRuleName: args.ruleName,
            targetType: "SSM_DOCUMENT",
            targetId: doc.document,
            automatic: true,
            maximumAutomaticAttempts: 3,
            retryAttemptSeconds: 60,
            parameters: [
                { name: "AutomationAssumeRole", staticValue: args.roleArn },
                { name: "BucketName", resourceValue: "RESOURCE_ID" },
                ...Object.entries(statics).map(([key, value]) => ({ name: key, staticValue: value })),
            ],
        },
        opts,
    );
}
