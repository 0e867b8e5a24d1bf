import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { adoptedChildOptions } from "./adopted";
import { arns, type AwsContext } from "./aws-context";
import { type PolicyDocument, policyDocument, serviceTrustPolicy, type Statement } from "./iam-documents";

export interface ServiceRoleArgs {
    readonly context: AwsContext;
    /** Physical name (stack-suffixed by the caller). */
    readonly roleName: pulumi.Input<string>;
    readonly description: string;
    /** The AWS service that assumes the role, e.g. `lambda.amazonaws.com`. */
    readonly service: string;
    /** A trust policy with more conditions than the default (the service, from this account). */
    readonly assumeRolePolicy?: PolicyDocument;
    /** Applied when set: the stack's configured permissions boundary. Default none. */
    readonly permissionsBoundaryArn?: string;
    /** Default 3600 s. */
    readonly maxSessionDuration?: number;
    /** Inline policies (statements, or a whole document), keyed by their resource name. Default none. */
    readonly inlinePolicies?: Readonly<Record<string, readonly Statement[] | PolicyDocument>>;
    /**
     * Managed policies to attach, keyed by the policy's name (the attachment is named after it, so
     * adding or removing one leaves the others alone). Default none.
     */
    readonly managedPolicyArns?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * The component that created the role and its policies directly before they had a ServiceRole
     * (their URNs are kept through aliases). Default: this component's parent.
     */
    readonly formerParent?: pulumi.Resource;
}

/**
 * Every role of the stack: assumed by one service of this account, bounded when a boundary is
 * configured, with its inline policies and managed attachments. The role resource carries the
 * component's name.
 */
export class ServiceRole extends pulumi.ComponentResource {
    readonly role: aws.iam.Role;
    /** The role's name and ARN, built from the name so known at preview. */
    readonly roleName: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: ServiceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:iam:ServiceRole", name, {}, opts);
        const child = adoptedChildOptions(this, { parent: args.formerParent ?? opts?.parent });
        this.role = newRole(name, { ...args, accountId: args.context.accountId }, child);
        for (const [policyName, policy] of Object.entries(args.inlinePolicies ?? {})) {
            const document = isStatementList(policy) ? policyDocument(policy) : policy;
            new aws.iam.RolePolicy(policyName, { role: this.role.name, policy: document }, child);
        }
        for (const [attachmentName, policyArn] of Object.entries(args.managedPolicyArns ?? {})) {
            new aws.iam.RolePolicyAttachment(attachmentName, { role: this.role.name, policyArn }, child);
        }
        this.roleName = this.role.name;
        this.arn = arns.role(args.context, this.role.name);
        this.registerOutputs({ roleName: this.roleName, arn: this.arn });
    }
}

function isStatementList(policy: readonly Statement[] | PolicyDocument): policy is readonly Statement[] {
    return Array.isArray(policy);
}

type RoleArgs = Pick<
    ServiceRoleArgs,
    "roleName" | "description" | "service" | "assumeRolePolicy" | "permissionsBoundaryArn" | "maxSessionDuration"
> & { readonly accountId: pulumi.Input<string> };

/** The role resource itself: trust for one service of this account, the boundary, the session limit. */
function newRole(name: string, args: RoleArgs, opts: pulumi.CustomResourceOptions): aws.iam.Role {
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
