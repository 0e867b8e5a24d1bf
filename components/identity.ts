import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type S3Target } from "./access-points";
import { arns, type AwsContext } from "./aws-context";
import { policyDocument, type Statement } from "./iam-documents";
import { BULK_MANIFESTS_PREFIX, RESULTS_PREFIX } from "./storage";
import { ServiceRole } from "./service-role";

/** Prefix of the Secrets Manager secrets jobs may read (git tokens and the like). */
export const JOB_SECRETS_PREFIX = "atx/";

/**
 * The container's GIT_CREDENTIAL_SECRETS: for each allowed git host, the secret holding its token,
 * named after the host's first label (github.com -> atx/github-token, the AWS sample's name).
 */
export function gitCredentialSecrets(hosts: readonly string[]): string {
    return hosts.map((host) => `${host}=${JOB_SECRETS_PREFIX}${host.split(".")[0]}-token`).join(",");
}

export interface JobIdentityArgs {
    readonly context: AwsContext;
    readonly jobRoleName: string;
    readonly executionRoleName: string;
    /** How the job role's policy names the source bucket: the bucket, or the jobs' access point of it. */
    readonly source: S3Target;
    /** The same for the output bucket. */
    readonly output: S3Target;
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Repositories the execution role may pull from (this stack's, plus a configured image's). */
    readonly pullRepositoryArns: readonly pulumi.Input<string>[];
    /** Name of the log group the jobs' awslogs driver writes to. */
    readonly jobLogGroupName: string;
    /** AWS managed policies (names) for the AWS Transform service. Default none. */
    readonly transformPolicyNames?: readonly string[];
    /** Applied to every role created here when set. */
    readonly permissionsBoundaryArn?: string;
}

/**
 * The two roles every job runs with, kept apart as the checklist asks: the job role (what the
 * transformation may touch) and the execution role (what ECS needs to start the container).
 * Every statement names its actions and is scoped to this stack's ARNs.
 */
export class JobIdentity extends pulumi.ComponentResource {
    readonly jobRole: ServiceRole;
    readonly executionRole: ServiceRole;
    /** Built from the role names, so known at preview (the job definition quotes them). */
    readonly jobRoleArn: pulumi.Output<string>;
    readonly executionRoleArn: pulumi.Output<string>;

    constructor(name: string, args: JobIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:identity:JobIdentity", name, {}, opts);
        const child = { parent: this };
        const serviceRole = (roleName: string, description: string) => ({
            context: args.context,
            roleName,
            description,
            service: "ecs-tasks.amazonaws.com",
            permissionsBoundaryArn: args.permissionsBoundaryArn,
        });
        const managedPolicyArns: Record<string, pulumi.Input<string>> = {};
        for (const policyName of args.transformPolicyNames ?? []) {
            managedPolicyArns[`${name}-job-${policyName}`] = arns.awsManagedPolicy(args.context, policyName);
        }
        this.jobRole = new ServiceRole(
            `${name}-${args.jobRoleName}`,
            {
                ...serviceRole(args.jobRoleName, "ATX transformation jobs: read sources, write results"),
                inlinePolicies: {
                    [`${name}-job-access`]: jobRoleStatements(args),
                    // Apart from the statements above: the key's ARN stays unknown until the key exists.
                    [`${name}-job-key-access`]: [
                        {
                            Sid: "UsePlatformKey",
                            Effect: "Allow",
                            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                            Resource: args.kmsKeyArn,
                        },
                    ],
                },
                managedPolicyArns,
            },
            child,
        );
        const logGroupArn = arns.logGroup(args.context, args.jobLogGroupName);
        this.executionRole = new ServiceRole(
            `${name}-${args.executionRoleName}`,
            {
                ...serviceRole(args.executionRoleName, "ATX Batch (ECS) task execution: pull image, write logs"),
                inlinePolicies: {
                    [`${name}-execution-access`]: [
                        {
                            // GetAuthorizationToken has no resource-level permissions: "*" is the only form.
                            Sid: "EcrLogin",
                            Effect: "Allow",
                            Action: "ecr:GetAuthorizationToken",
                            Resource: "*",
                        },
                        {
                            Sid: "PullJobImage",
                            Effect: "Allow",
                            Action: [
                                "ecr:BatchGetImage",
                                "ecr:GetDownloadUrlForLayer",
                                "ecr:BatchCheckLayerAvailability",
                            ],
                            Resource: [...args.pullRepositoryArns],
                        },
                        {
                            Sid: "WriteJobLogs",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                            Resource: pulumi.interpolate`${logGroupArn}:log-stream:*`,
                        },
                    ],
                },
            },
            child,
        );
        this.jobRoleArn = this.jobRole.arn;
        this.executionRoleArn = this.executionRole.arn;
        this.registerOutputs({ jobRoleArn: this.jobRoleArn, executionRoleArn: this.executionRoleArn });
    }
}

function jobRoleStatements(args: JobIdentityArgs): Statement[] {
    return [
        ...jobSourceStatements(args.source),
        ...jobOutputStatements(args.output),
        {
            Sid: "ReadJobSecrets",
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: arns.secret(args.context, `${JOB_SECRETS_PREFIX}*`),
        },
    ];
}

/** What jobs may do in the source bucket: list it and read sources, except other callers' bulk requests. */
export function jobSourceStatements(source: S3Target): Statement[] {
    return [
        { Sid: "ListSourceBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: source.arn },
        { Sid: "ReadSources", Effect: "Allow", Action: "s3:GetObject", Resource: source.objects("*") },
        {
            // Other callers' bulk requests: only the API reads them.
            Sid: "DenyBulkManifests",
            Effect: "Deny",
            Action: "s3:GetObject",
            Resource: source.objects(`${BULK_MANIFESTS_PREFIX}*`),
        },
    ];
}

/** What jobs may do in the output bucket: list and write results under `transformations/` only. */
export function jobOutputStatements(output: S3Target): Statement[] {
    return [
        {
            Sid: "ListOwnResults",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: output.arn,
            Condition: { StringLike: { "s3:prefix": [`${RESULTS_PREFIX}*`] } },
        },
        {
            Sid: "WriteResultsUnderTransformations",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
            Resource: output.objects(`${RESULTS_PREFIX}*`),
        },
    ];
}

export interface ApiInvokePolicyArgs {
    readonly policyName: string;
    /** The API's execution ARN (`arn:aws:execute-api:<region>:<account>:<api-id>`). */
    readonly apiExecutionArn: pulumi.Input<string>;
    readonly stageName: string;
}

/**
 * The managed policy other teams attach to their users or roles to call the API (SigV4): invoke on
 * this API's stage only, nothing else.
 */
export function createApiInvokePolicy(
    name: string,
    args: ApiInvokePolicyArgs,
    opts: pulumi.CustomResourceOptions,
): aws.iam.Policy {
    return new aws.iam.Policy(
        name,
        {
            name: args.policyName,
            description: "Invoke the ATX transformation REST API (execute-api:Invoke on its stage)",
            policy: policyDocument([
                {
                    Sid: "InvokeAtxApi",
                    Effect: "Allow",
                    Action: "execute-api:Invoke",
                    Resource: pulumi.interpolate`${args.apiExecutionArn}/${args.stageName}/*/*`,
                },
            ]),
        },
        opts,
    );
}
