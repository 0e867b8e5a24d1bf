import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arns, type AwsContext } from "./aws-context";
import { createEncryptedLogGroup } from "./log-group";
import { type EndpointScope, PrivateNetwork } from "./private-network";
import { ServiceRole } from "./service-role";

export interface JobNetworkArgs {
    readonly context: AwsContext;
    /** Permissions boundary for every role created here. Default none. */
    readonly permissionsBoundaryArn?: string;
    /** An existing VPC and its subnets; default: the account's default VPC and its default subnets. */
    readonly existing?: {
        readonly vpcId: string;
        readonly subnetIds: readonly string[];
        /** An existing security group for the jobs; default: one is created. */
        readonly securityGroupId?: string;
    };
    /**
     * `public` (default): the default VPC's public subnets, jobs get a public IP. `private`: a new
     * VPC with private subnets, VPC endpoints scoped by `endpointScope` and NAT gateways.
     */
    readonly mode?: "public" | "private";
    /** Required in private mode: what the VPC endpoints' policies allow. */
    readonly endpointScope?: EndpointScope;
    /** Name prefix of the private VPC's resources (stack-unique). Default `atx-jobs`. */
    readonly namePrefix?: string;
    /** TCP ports jobs may reach, anywhere. Default [443]: HTTPS only. */
    readonly egressPorts?: readonly number[];
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** Stack-unique names of the flow log group and of the role that delivers to it. */
    readonly flowLogGroupName: string;
    readonly flowLogRoleName: string;
}

/**
 * Where the Fargate jobs run: public subnets (jobs get a public IP, so no NAT is needed), a security
 * group with no ingress and HTTPS-only egress, and VPC Flow Logs to an encrypted log group.
 */
export class JobNetwork extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly subnetIds: pulumi.Output<string[]>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly flowLogGroup: aws.cloudwatch.LogGroup;

    constructor(name: string, args: JobNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:network:JobNetwork", name, {}, opts);
        const child = { parent: this };

        let egress: aws.types.input.ec2.SecurityGroupEgress[] = (args.egressPorts ?? [443]).map((port) => ({
            description: `TCP ${port} to AWS APIs, AWS Transform and git hosts`,
            protocol: "tcp",
            fromPort: port,
            toPort: port,
            cidrBlocks: ["0.0.0.0/0"],
            ipv6CidrBlocks: ["::/0"],
        }));
        if (args.mode === "private") {
            if (args.existing !== undefined || args.endpointScope === undefined) {
                throw new Error("JobNetwork: private mode creates its own VPC and needs endpointScope");
            }
            const vpc = new PrivateNetwork(
                `${name}-private`,
                { context: args.context, namePrefix: args.namePrefix ?? "atx-jobs", scope: args.endpointScope },
                child,
            );
            this.vpcId = vpc.vpc.id;
            this.subnetIds = vpc.privateSubnetIds;
            egress = privateEgress(vpc);
        } else if (args.existing !== undefined) {
            this.vpcId = pulumi.output(args.existing.vpcId);
            this.subnetIds = pulumi.output([...args.existing.subnetIds]);
        } else {
            const vpc = aws.ec2.getVpcOutput({ default: true }, child);
            this.vpcId = vpc.id;
            this.subnetIds = aws.ec2.getSubnetsOutput(
                {
                    filters: [
                        { name: "vpc-id", values: [vpc.id] },
                        { name: "default-for-az", values: ["true"] },
                    ],
                },
                child,
            ).ids;
        }

        this.securityGroupId =
            args.existing?.securityGroupId !== undefined
                ? pulumi.output(args.existing.securityGroupId)
                : new aws.ec2.SecurityGroup(
                      `${name}-jobs`,
                      {
                          vpcId: this.vpcId,
                          description:
                              args.mode === "private"
                                  ? "ATX Batch jobs: no ingress, HTTPS to VPC endpoints and through the NAT"
                                  : "ATX Batch jobs: no ingress, HTTPS-only egress",
                          // An explicit empty list removes any ingress rule added outside this stack.
                          ingress: [],
                          egress,
                          revokeRulesOnDelete: true,
                      },
                      child,
                  ).id;

        this.flowLogGroup = createEncryptedLogGroup(
            `${name}-flow-logs`,
            { logGroupName: args.flowLogGroupName, retentionDays: args.logRetentionDays, kmsKeyArn: args.kmsKeyArn },
            child,
        );
        const flowLogGroupArn = arns.logGroup(args.context, args.flowLogGroupName);
        const deliveryRole = new ServiceRole(
            `${name}-flow-logs-role`,
            {
                roleName: args.flowLogRoleName,
                description: "Delivers this VPC's flow logs to its log group",
                service: "vpc-flow-logs.amazonaws.com",
                context: args.context,
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                inlinePolicies: {
                    [`${name}-flow-logs-delivery`]: [
                        {
                            Sid: "WriteFlowLogsToOwnLogGroup",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [flowLogGroupArn, pulumi.interpolate`${flowLogGroupArn}:log-stream:*`],
                        },
                    ],
                },
            },
            child,
        );

        new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                vpcId: this.vpcId,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: flowLogGroupArn,
                iamRoleArn: deliveryRole.arn,
                maxAggregationInterval: 60,
            },
            { parent: this, dependsOn: [this.flowLogGroup] },
        );
        this.registerOutputs({
            vpcId: this.vpcId,
            subnetIds: this.subnetIds,
            securityGroupId: this.securityGroupId,
            flowLogGroupName: this.flowLogGroup.name,
        });
    }
}

/** HTTPS egress in private mode, split by path: S3 gateway, interface endpoints, and the NAT for the rest. */
function privateEgress(vpc: PrivateNetwork): aws.types.input.ec2.SecurityGroupEgress[] {
    const https = { protocol: "tcp", fromPort: 443, toPort: 443 };
    return [
        { ...https, description: "HTTPS to S3 through the gateway endpoint", prefixListIds: [vpc.s3PrefixListId] },
        {
            ...https,
            description: "HTTPS to the ECR, Logs, Secrets Manager, STS and KMS endpoints",
            securityGroups: [vpc.endpointSecurityGroup.id],
        },
        {
            ...https,
            description: "HTTPS to git hosts, package registries and AWS Transform through the NAT gateways",
            cidrBlocks: ["0.0.0.0/0"],
        },
    ];
}
