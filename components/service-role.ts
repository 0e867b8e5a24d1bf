import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, serviceTrustPolicy } from "./iam-documents";

export interface ServiceRoleArgs {
    /** Physical name (stack-suffixed by the caller). */
    readonly roleName: pulumi.Input<string>;
    readonly description: string;
    /** The AWS service that assumes the role, e.g. `lambda.amazonaws.com`. */
    readonly service: string;
    readonly accountId: pulumi.Input<string>;
    /** A trust policy with more conditions than the default (the service, from this account). */
    readonly assumeRolePolicy?: PolicyDocument;
    /** Applied when set: the stack's configured permissions boundary. */
    readonly permissionsBoundaryArn?: string;
    /** Default 3600 s. */
    readonly maxSessionDuration?: number;
}

/** Every role of the stack: assumed by one service of this account, bounded when a boundary is configured. */
export function createServiceRole(
    name: string,
    args: ServiceRoleArgs,
    opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
    return new aws.iam.Role(
        name,
        {
            name: args.roleName,
            description: args.description,
            assumeRolePolicy: args.assumeRolePolicy ?? serviceTrustPolicy(args.service, args.accountId),
            permissionsBoundary: args.permissionsBoundaryArn,
            maxSessionDuration: args.maxSessionDuration ?? 3600,
        },
        opts,
    );
}
