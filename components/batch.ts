import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { byCodePoint } from "../api/lib/order";
import { createEncryptedLogGroup } from "./log-group";

/**
 * Exit codes of the job container (container/README.md): only TRANSIENT_FAILURE is worth another
 * attempt; a failed transformation or rejected input fails the same way every time.
 */
export const JOB_EXIT_CODES = {
    success: 0,
    transformationFailed: 1,
    invalidUsage: 64,
    invalidInput: 65,
    internalError: 70,
    transientFailure: 75,
} as const;

/** Container reasons ECS gives when the task never ran the job: infrastructure, worth a retry. */
export const RETRYABLE_CONTAINER_REASONS = [
    "CannotPullContainerError*",
    "ResourceInitializationError*",
    "CannotStartContainerError*",
] as const;

export interface TransformBatchArgs {
    readonly names: {
        readonly computeEnvironment: string;
        readonly jobQueue: string;
        readonly jobDefinition: string;
        readonly jobLogGroup: string;
    };
    readonly region: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Jobs in public subnets need a public IP to reach AWS; in private subnets they use endpoints and NAT. Default true. */
    readonly assignPublicIp?: boolean;
    readonly imageUri: pulumi.Input<string>;
    readonly jobRoleArn: pulumi.Input<string>;
    readonly executionRoleArn: pulumi.Input<string>;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    readonly vcpu: number;
    readonly memoryMiB: number;
    readonly ephemeralStorageGiB: number;
    readonly jobTimeoutSeconds: number;
    readonly retryAttempts: number;
    readonly maxVcpus: number;
    /** Plain (non-secret) environment for the container: bucket names, allowed hosts, secret names. */
    readonly environment: Record<string, pulumi.Input<string>>;
    /** Jobs stuck RUNNABLE longer than this are cancelled (e.g. unsatisfiable resources). Default 4 h. */
    readonly maxRunnableSeconds?: number;
}

/**
 * AWS Batch on Fargate: the compute environment in the jobs' subnets and security group, the job
 * queue, the job definition and the log group its awslogs driver writes to.
 */
export class TransformBatch extends pulumi.ComponentResource {
    readonly computeEnvironment: aws.batch.ComputeEnvironment;
    readonly jobQueue: aws.batch.JobQueue;
    readonly jobDefinition: aws.batch.JobDefinition;
    readonly logGroup: aws.cloudwatch.LogGroup;

    constructor(name: string, args: TransformBatchArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:batch:TransformBatch", name, {}, opts);
        const child = { parent: this };

        this.logGroup = createEncryptedLogGroup(
            `${name}-jobs`,
            { logGroupName: args.names.jobLogGroup, retentionDays: args.logRetentionDays, kmsKeyArn: args.kmsKeyArn },
            child,
        );
        this.computeEnvironment = new aws.batch.ComputeEnvironment(
            `${name}-fargate`,
            {
                name: args.names.computeEnvironment,
                type: "MANAGED",
                state: "ENABLED",
                // No serviceRole: Batch uses its service-linked role, the documented least-privilege path.
                computeResources: {
                    type: "FARGATE",
                    maxVcpus: args.maxVcpus,
                    subnets: args.subnetIds,
                    securityGroupIds: args.securityGroupIds,
                },
            },
            child,
        );
        this.jobQueue = new aws.batch.JobQueue(
            `${name}-queue`,
            {
                name: args.names.jobQueue,
                state: "ENABLED",
                priority: 1,
                computeEnvironmentOrders: [{ order: 1, computeEnvironment: this.computeEnvironment.arn }],
                jobStateTimeLimitActions: [
                    {
                        action: "CANCEL",
                        state: "RUNNABLE",
                        maxTimeSeconds: args.maxRunnableSeconds ?? 4 * 3600,
                        reason: "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
                    },
                ],
            },
            child,
        );
        this.jobDefinition = new aws.batch.JobDefinition(
            `${name}-job`,
            {
                name: args.names.jobDefinition,
                type: "container",
                platformCapabilities: ["FARGATE"],
                propagateTags: true,
                timeout: { attemptDurationSeconds: args.jobTimeoutSeconds },
                retryStrategy: {
                    attempts: args.retryAttempts,
                    evaluateOnExits: [
                        { action: "RETRY", onExitCode: String(JOB_EXIT_CODES.transientFailure) },
                        ...RETRYABLE_CONTAINER_REASONS.map((onReason) => ({ action: "RETRY", onReason })),
                        { action: "EXIT", onExitCode: "*" },
                    ],
                },
                containerProperties: containerProperties(args, this.logGroup.name),
            },
            child,
        );
        this.registerOutputs({
            jobQueueArn: this.jobQueue.arn,
            jobDefinitionArn: this.jobDefinition.arn,
            logGroupName: this.logGroup.name,
        });
    }
}

function containerProperties(args: TransformBatchArgs, logGroupName: pulumi.Output<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        image: args.imageUri,
        jobRoleArn: args.jobRoleArn,
        executionRoleArn: args.executionRoleArn,
        resourceRequirements: [
            { type: "VCPU", value: String(args.vcpu) },
            { type: "MEMORY", value: String(args.memoryMiB) },
        ],
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        fargatePlatformConfiguration: { platformVersion: "LATEST" },
        // Public subnets without NAT: the task needs a public IP to reach AWS APIs over HTTPS.
        networkConfiguration: { assignPublicIp: args.assignPublicIp === false ? "DISABLED" : "ENABLED" },
        ephemeralStorage: { sizeInGiB: args.ephemeralStorageGiB },
        // The image's non-root user; the ATX CLI needs a writable root filesystem
        // (docs/requirements.md, known limitations).
        user: "1000",
        readonlyRootFilesystem: false,
        privileged: false,
        // An init process reaps the transformation's children and forwards SIGTERM on timeouts.
        linuxParameters: { initProcessEnabled: true },
        logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": logGroupName, "awslogs-region": args.region, "awslogs-stream-prefix": "atx" },
        },
        // The container derives ATX_SHELL_TIMEOUT's default from the job's timeout.
        environment: Object.entries({ ...args.environment, ATX_JOB_TIMEOUT_SECONDS: String(args.jobTimeoutSeconds) })
            .sort(([a], [b]) => byCodePoint(a, b))
            .map(([name, value]) => ({ name, value })),
    });
}
