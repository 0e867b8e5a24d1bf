/**
 * S3 Access Points: each application (the jobs, the API) reaches a bucket through its own access
 * point, whose policy grants each of its roles exactly that role's actions on its prefixes. The
 * bucket policy delegates access control to the access points of this account, and every role's S3
 * statements name its access point, never the bucket.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arns, type AwsContext } from "./aws-context";
import { policyJson, type Statement } from "./iam-documents";

/** How IAM names a bucket-level resource and its objects: the bucket itself, or one access point of it. */
export interface S3Target {
    /** The bucket's ARN, or the access point's (what `s3:ListBucket` is granted on). */
    readonly arn: pulumi.Input<string>;
    /** The ARN of the objects whose keys match `keyPattern` (e.g. `transformations/*`). */
    readonly objects: (keyPattern: string) => pulumi.Output<string>;
}

export function bucketTarget(bucketArn: pulumi.Input<string>): S3Target {
    return { arn: bucketArn, objects: (keyPattern) => pulumi.interpolate`${bucketArn}/${keyPattern}` };
}

export function accessPointTarget(accessPointArn: pulumi.Input<string>): S3Target {
    return { arn: accessPointArn, objects: (keyPattern) => pulumi.interpolate`${accessPointArn}/object/${keyPattern}` };
}

/** An access point's ARN, built from its name so known at preview. */
export function accessPointArn(context: AwsContext, name: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.interpolate`arn:${context.partition}:s3:${context.region}:${context.accountId}:accesspoint/${name}`;
}

/**
 * The bucket policy statement that hands access control to the access points: any request made
 * through an access point of this account is left to that access point's policy (and the caller's
 * identity policy). Requests addressing the bucket directly get nothing from it.
 */
export function delegateToAccessPoints(context: AwsContext, bucketArn: pulumi.Input<string>): Statement {
    return {
        Sid: "DelegateToOwnAccessPoints",
        Effect: "Allow",
        Principal: { AWS: arns.accountRoot(context) },
        Action: "s3:*",
        Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
        Condition: { StringEquals: { "s3:DataAccessPointAccount": context.accountId } },
    };
}

/** A role's S3 statements (resources on one access point) as that access point's policy grants them. */
export function grantTo(roleArn: pulumi.Input<string>, statements: readonly Statement[]): Statement[] {
    return statements.map((statement) => ({ ...statement, Principal: { AWS: roleArn } }));
}

export interface AccessPointSpec {
    /** Physical name: 3-50 characters, lowercase, unique in the account and region. */
    readonly name: string;
    readonly bucket: pulumi.Input<string>;
    /** The access point policy: each role's statements, with that role as principal (see {@link grantTo}). */
    readonly statements: readonly Statement[];
}

export interface S3AccessPointsArgs {
    /** The access points, keyed by a short id (`jobs-source`, `api-output`, ...). */
    readonly accessPoints: Readonly<Record<string, AccessPointSpec>>;
}

/**
 * The stack's access points: internet origin (the API's functions run outside the VPC; the jobs
 * reach S3 through the gateway endpoint or NAT, which an internet-origin access point accepts),
 * every public access setting blocked, and a policy naming only the roles that use it.
 */
export class S3AccessPoints extends pulumi.ComponentResource {
    readonly accessPoints: Readonly<Record<string, aws.s3.AccessPoint>>;

    constructor(name: string, args: S3AccessPointsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:storage:S3AccessPoints", name, {}, opts);
        const created: Record<string, aws.s3.AccessPoint> = {};
        for (const [id, spec] of Object.entries(args.accessPoints)) {
            created[id] = new aws.s3.AccessPoint(
                `${name}-${id}`,
                {
                    name: spec.name,
                    bucket: spec.bucket,
                    publicAccessBlockConfiguration: {
                        blockPublicAcls: true,
                        blockPublicPolicy: true,
                        ignorePublicAcls: true,
                        restrictPublicBuckets: true,
                    },
                    policy: policyJson(spec.statements),
                },
                { parent: this },
            );
        }
        this.accessPoints = created;
        this.registerOutputs(Object.fromEntries(Object.entries(created).map(([id, ap]) => [id, ap.arn])));
    }
}
