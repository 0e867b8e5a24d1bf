import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AwsContext } from "./aws-context";

/** What the VPC endpoints' policies let through: this stack's buckets, repository, log group, key and secrets. */
export interface EndpointScope {
    /** ARNs of the buckets jobs read and write (the output and source buckets). */
    readonly bucketArns: readonly pulumi.Input<string>[];
    /** ARNs of the access points jobs reach those buckets through. Default none. */
    readonly accessPointArns?: readonly pulumi.Input<string>[];
    /** The repositories jobs pull their image from. */
    readonly repositoryArns: readonly pulumi.Input<string>[];
    readonly logGroupArn: pulumi.Input<string>;
    readonly kmsKeyArn: pulumi.Input<string>;
    /** ARN pattern of the secrets jobs read, e.g. `arn:aws:secretsmanager:<region>:<account>:secret:atx/*`. */
    readonly secretArnPattern: pulumi.Input<string>;
}

export interface PrivateNetworkArgs {
    readonly context: AwsContext;
    /** Name tag prefix, stack-unique. */
    readonly namePrefix: string;
    readonly scope: EndpointScope;
    /** Default `10.80.0.0/16`; two public /24s (NAT) and two private /20s (jobs) are carved from it. */
    readonly cidrBlock?: string;
}

/** The interface endpoints jobs need, by service name suffix. */
export const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts", "kms"] as const;
type InterfaceEndpoint = (typeof INTERFACE_ENDPOINTS)[number];

/**
 * A VPC for jobs without public addresses: private subnets in two zones whose AWS traffic stays on
 * VPC endpoints (S3 gateway; ECR, CloudWatch Logs, Secrets Manager, STS and KMS interface
 * endpoints, each with a policy scoped to this stack), and whose other HTTPS traffic (git hosts,
 * package registries, AWS Transform) leaves through a NAT gateway per zone.
 */
export class PrivateNetwork extends pulumi.ComponentResource {
    readonly vpc: aws.ec2.Vpc;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    /** The S3 gateway endpoint's managed prefix list, for security group egress. */
    readonly s3PrefixListId: pulumi.Output<string>;
    /** The security group of the interface endpoints (HTTPS in from the VPC only). */
    readonly endpointSecurityGroup: aws.ec2.SecurityGroup;

    constructor(name: string, args: PrivateNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:network:PrivateNetwork", name, {}, opts);
        const child = { parent: this };
        const cidr = args.cidrBlock ?? "10.80.0.0/16";
        const tags = (suffix: string) => ({ Name: `${args.namePrefix}-${suffix}` });

        this.vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags("vpc") },
            child,
        );
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: this.vpc.id, tags: tags("igw") }, child);
        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public-routes`,
            { vpcId: this.vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tags("public") },
            child,
        );
        const octets = cidr.split("/")[0].split(".").slice(0, 2).join(".");
        const privateRouteTables: aws.ec2.RouteTable[] = [];
        const privateSubnets: aws.ec2.Subnet[] = [];
        ["a", "b"].forEach((zone, i) => {
            const availabilityZone = pulumi.interpolate`${args.context.region}${zone}`;
            const publicSubnet = new aws.ec2.Subnet(
                `${name}-public-${zone}`,
                {
                    vpcId: this.vpc.id,
                    cidrBlock: `${octets}.${i}.0/24`,
                    availabilityZone,
                    tags: tags(`public-${zone}`),
                },
                child,
            );
            new aws.ec2.RouteTableAssociation(
                `${name}-public-${zone}`,
                { subnetId: publicSubnet.id, routeTableId: publicRoutes.id },
                child,
            );
            const eip = new aws.ec2.Eip(`${name}-nat-${zone}`, { domain: "vpc", tags: tags(`nat-${zone}`) }, child);
            const nat = new aws.ec2.NatGateway(
                `${name}-nat-${zone}`,
                { allocationId: eip.id, subnetId: publicSubnet.id, tags: tags(`nat-${zone}`) },
                { parent: this, dependsOn: [igw] },
            );
            const subnet = new aws.ec2.Subnet(
                `${name}-private-${zone}`,
                {
                    vpcId: this.vpc.id,
                    cidrBlock: `${octets}.${16 * (i + 1)}.0/20`,
                    availabilityZone,
                    mapPublicIpOnLaunch: false,
                    tags: tags(`private-${zone}`),
                },
                child,
            );
            const routes = new aws.ec2.RouteTable(
                `${name}-private-${zone}`,
                {
                    vpcId: this.vpc.id,
                    routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
                    tags: tags(`private-${zone}`),
                },
                child,
            );
            new aws.ec2.RouteTableAssociation(
                `${name}-private-${zone}`,
                { subnetId: subnet.id, routeTableId: routes.id },
                child,
            );
            privateSubnets.push(subnet);
            privateRouteTables.push(routes);
        });
        this.privateSubnetIds = pulumi.all(privateSubnets.map((s) => s.id));

        const s3 = new aws.ec2.VpcEndpoint(
            `${name}-s3`,
            {
                vpcId: this.vpc.id,
                serviceName: pulumi.interpolate`com.amazonaws.${args.context.region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds: privateRouteTables.map((t) => t.id),
                policy: pulumi.jsonStringify(s3EndpointPolicy(args.context, args.scope)),
                tags: tags("s3"),
            },
            child,
        );
        this.s3PrefixListId = s3.prefixListId;
        this.endpointSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-endpoints`,
            {
                vpcId: this.vpc.id,
                description: "ATX VPC endpoints: HTTPS from the VPC only",
                ingress: [
                    {
                        description: "HTTPS from the VPC",
                        protocol: "tcp",
                        fromPort: 443,
                        toPort: 443,
                        cidrBlocks: [cidr],
                    },
                ],
                egress: [],
                revokeRulesOnDelete: true,
            },
            child,
        );
        for (const service of INTERFACE_ENDPOINTS) {
            new aws.ec2.VpcEndpoint(
                `${name}-${service.replace(".", "-")}`,
                {
                    vpcId: this.vpc.id,
                    serviceName: pulumi.interpolate`com.amazonaws.${args.context.region}.${service}`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: this.privateSubnetIds,
                    securityGroupIds: [this.endpointSecurityGroup.id],
                    policy: pulumi.jsonStringify(interfaceEndpointPolicy(service, args.context, args.scope)),
                    tags: tags(service),
                },
                child,
            );
        }
        this.registerOutputs({ vpcId: this.vpc.id, privateSubnetIds: this.privateSubnetIds });
    }
}

/** Principals of this account only, on the resources named. */
function statement(
    sid: string,
    context: AwsContext,
    actions: string[],
    resources: readonly pulumi.Input<string>[],
): aws.iam.PolicyStatement {
    return {
        Sid: sid,
        Effect: "Allow",
        Principal: "*",
        Action: actions,
        Resource: [...resources],
        Condition: { StringEquals: { "aws:PrincipalAccount": context.accountId } },
    };
}

/**
 * The S3 gateway: this stack's buckets, and the bucket ECR serves image layers from (pulls go
 * through S3, read-only).
 */
export function s3EndpointPolicy(context: AwsContext, scope: EndpointScope): aws.iam.PolicyDocument {
    const objects = scope.bucketArns.map((b) => pulumi.interpolate`${b}/*`);
    const accessPoints = (scope.accessPointArns ?? []).flatMap((ap) => [ap, pulumi.interpolate`${ap}/object/*`]);
    return {
        Version: "2012-10-17",
        Statement: [
            statement("ThisStacksBuckets", context, ["s3:*"], [...scope.bucketArns, ...objects, ...accessPoints]),
            {
                Sid: "EcrImageLayers",
                Effect: "Allow",
                Principal: "*",
                Action: ["s3:GetObject"],
                Resource: [
                    pulumi.interpolate`arn:${context.partition}:s3:::prod-${context.region}-starport-layer-bucket/*`,
                ],
            },
        ],
    };
}

export function interfaceEndpointPolicy(
    service: InterfaceEndpoint,
    context: AwsContext,
    scope: EndpointScope,
): aws.iam.PolicyDocument {
    const statements: Record<InterfaceEndpoint, aws.iam.PolicyStatement[]> = {
        "ecr.api": [
            // GetAuthorizationToken has no resource: it is account-wide by design.
            statement("AuthorizationToken", context, ["ecr:GetAuthorizationToken"], ["*"]),
            statement(
                "PullThisRepository",
                context,
                [
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:DescribeImages",
                ],
                [...scope.repositoryArns],
            ),
        ],
        "ecr.dkr": [
            statement("AuthorizationToken", context, ["ecr:GetAuthorizationToken"], ["*"]),
            statement(
                "PullThisRepository",
                context,
                ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                [...scope.repositoryArns],
            ),
        ],
        logs: [
            statement(
                "WriteJobLogs",
                context,
                ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                [scope.logGroupArn, pulumi.interpolate`${scope.logGroupArn}:log-stream:*`],
            ),
        ],
        secretsmanager: [
            statement(
                "ReadJobSecrets",
                context,
                ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                [scope.secretArnPattern],
            ),
        ],
        // Credential calls of this account's principals only (the task role's own session needs none).
        sts: [statement("ThisAccountsPrincipals", context, ["sts:GetCallerIdentity", "sts:AssumeRole"], ["*"])],
        kms: [
            statement(
                "UseThisStacksKey",
                context,
                ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                [scope.kmsKeyArn],
            ),
        ],
    };
    return { Version: "2012-10-17", Statement: statements[service] };
}
