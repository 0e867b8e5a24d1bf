/**
 * The remediation function (remediation/handler.ts) for the drifts without an AWS-owned document:
 * job security group egress widened, the audit trail stopped. Runs on the CloudTrail API calls that
 * cause them and hourly; notifies the alarm topic of what it changed.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { bundleFunction } from "../../api/build";
import { lambdaHandler, lambdaRuntime } from "../../api/contract";
import { arns, type AwsContext } from "../aws-context";
import { createEncryptedLogGroup } from "../log-group";
import { ServiceRole } from "../service-role";

const repoRoot = path.resolve(__dirname, "..", "..");

let bundle: Promise<string> | undefined;
/** Bundles remediation/handler.ts once per run into .build/remediation (esbuild takes a fraction of a second). */
export function remediationBundle(): Promise<string> {
    const dir = path.join(repoRoot, ".build", "remediation");
    bundle ??= bundleFunction(path.join(repoRoot, "remediation", "handler.ts"), path.join(dir, "index.js")).then(
        () => dir,
    );
    return bundle;
}

/** The API calls that widen a group's egress or stop, change or delete a trail. */
export const DRIFT_EVENTS = {
    "ec2.amazonaws.com": ["AuthorizeSecurityGroupEgress", "ModifySecurityGroupRules"],
    "cloudtrail.amazonaws.com": ["StopLogging", "UpdateTrail", "PutEventSelectors"],
} as const;

export interface DriftRemediationArgs {
    readonly context: AwsContext;
    readonly functionName: string;
    readonly securityGroupId: pulumi.Input<string>;
    readonly allowedEgressPorts: readonly number[];
    readonly trailArn: pulumi.Input<string>;
    readonly alarmTopicArn: pulumi.Input<string>;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** false: report only. */
    readonly remediate: boolean;
    readonly permissionsBoundaryArn?: string;
}

export class DriftRemediation extends pulumi.ComponentResource {
    readonly function: aws.lambda.Function;

    constructor(name: string, args: DriftRemediationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:compliance:DriftRemediation", name, {}, opts);
        const child = { parent: this };
        const { context } = args;
        const { accountId, region, partition, dnsSuffix } = context;
        const logGroup = createEncryptedLogGroup(
            `${name}-logs`,
            {
                logGroupName: `/aws/lambda/${args.functionName}`,
                retentionDays: args.logRetentionDays,
                kmsKeyArn: args.kmsKeyArn,
            },
            child,
        );
        const groupArn = pulumi.interpolate`arn:${partition}:ec2:${region}:${accountId}:security-group/${args.securityGroupId}`;
        const policy: aws.iam.PolicyDocument = {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "WriteOwnLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: pulumi.interpolate`${arns.logGroup(context, logGroup.name)}:log-stream:*`,
                },
                // Describe calls have no resource-level permissions.
                { Sid: "ReadRules", Effect: "Allow", Action: "ec2:DescribeSecurityGroupRules", Resource: "*" },
                ...(args.remediate
                    ? [
                          {
                              Sid: "RevokeEgress",
                              Effect: "Allow" as const,
                              Action: "ec2:RevokeSecurityGroupEgress",
                              Resource: groupArn,
                          },
                      ]
                    : []),
                {
                    Sid: "Trail",
                    Effect: "Allow",
                    Action: args.remediate
                        ? ["cloudtrail:GetTrailStatus", "cloudtrail:StartLogging"]
                        : "cloudtrail:GetTrailStatus",
                    Resource: args.trailArn,
                },
                { Sid: "Notify", Effect: "Allow", Action: "sns:Publish", Resource: args.alarmTopicArn },
                {
                    Sid: "EncryptNotifications",
                    Effect: "Allow",
                    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                    Resource: args.kmsKeyArn,
                    Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`sns.${region}.${dnsSuffix}` } },
                },
            ],
        };
        const role = new ServiceRole(
            `${name}-role`,
            {
                context,
                roleName: args.functionName,
                description: "Reverts widened job egress and restarts the stopped audit trail",
                service: "lambda.amazonaws.com",
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                inlinePolicies: { [`${name}-access`]: policy },
            },
            child,
        );

        this.function = new aws.lambda.Function(
            name,
            {
                name: args.functionName,
                description: "Reverts widened job egress and restarts the stopped audit trail (idempotent)",
                runtime: lambdaRuntime,
                architectures: ["arm64"],
                handler: lambdaHandler,
                code: new pulumi.asset.FileArchive(remediationBundle()),
                role: role.arn,
                timeout: 60,
                memorySize: 256,
                reservedConcurrentExecutions: 1,
                environment: {
                    variables: {
                        SECURITY_GROUP_ID: args.securityGroupId,
                        ALLOWED_EGRESS_PORTS: args.allowedEgressPorts.join(","),
                        TRAIL_ARN: args.trailArn,
                        REMEDIATE: String(args.remediate),
                        ALARM_TOPIC_ARN: args.alarmTopicArn,
                    },
                },
                kmsKeyArn: args.kmsKeyArn,
                loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            },
            { ...child, dependsOn: [role, logGroup] },
        );
        this.createTriggers(name, args);
        this.registerOutputs({ functionName: this.function.name });
    }

    private createTriggers(name: string, args: DriftRemediationArgs): void {
        const child = { parent: this };
        const triggers = {
            events: {
                eventPattern: pulumi.jsonStringify({
                    "detail-type": ["AWS API Call via CloudTrail"],
                    detail: {
                        $or: Object.entries(DRIFT_EVENTS).map(([eventSource, eventName]) => ({
                            eventSource: [eventSource],
                            eventName,
                        })),
                    },
                }),
            },
            hourly: { scheduleExpression: "rate(1 hour)" },
        };
        for (const [id, trigger] of Object.entries(triggers)) {
            const rule = new aws.cloudwatch.EventRule(
                `${name}-${id}`,
                {
                    name: `${args.functionName}-${id}`,
                    description: "Runs the drift remediation function",
                    ...trigger,
                },
                child,
            );
            new aws.cloudwatch.EventTarget(`${name}-${id}-target`, { rule: rule.name, arn: this.function.arn }, child);
            new aws.lambda.Permission(
                `${name}-${id}-invoke`,
                {
                    function: this.function.name,
                    action: "lambda:InvokeFunction",
                    principal: "events.amazonaws.com",
                    sourceArn: rule.arn,
                },
                child,
            );
        }
    }
}
