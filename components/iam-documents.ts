/**
 * Builders for IAM policy documents, so every policy in the stack is written the same way.
 *
 * Documents are passed to the provider as structured `PolicyDocument` objects, not as JSON text:
 * an ARN that is unknown at preview then leaves only that leaf unknown, and the engine, reviewers
 * and the policy pack still see every action, effect, principal and condition. The provider encodes
 * an object document to JSON itself (the same statements, keys in sorted order; equivalent policies
 * are not a change). `policyJson` is for the few inputs that take only a string (a KMS key policy):
 * give those documents only values known at preview.
 */
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

type Values = pulumi.Input<string> | pulumi.Input<string>[];

export interface Statement {
    readonly Sid: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action: string | string[];
    readonly Resource?: Values;
    readonly Principal?: "*" | aws.types.input.iam.AWSPrincipal | aws.types.input.iam.ServicePrincipal;
    readonly Condition?: Record<string, Record<string, Values>>;
}

export type PolicyDocument = aws.types.input.iam.PolicyDocument;

export function policyDocument(statements: readonly Statement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: [...statements] };
}

/** The same document as JSON text, for inputs that accept only a string. */
export function policyJson(statements: readonly Statement[]): pulumi.Output<string> {
    return pulumi.jsonStringify(policyDocument(statements));
}

/** A trust policy for one AWS service principal, pinned to this account (confused-deputy guard). */
export function serviceTrustPolicy(service: pulumi.Input<string>, accountId: pulumi.Input<string>): PolicyDocument {
    return policyDocument([
        {
            Sid: "AllowServiceToAssume",
            Effect: "Allow",
            Principal: { Service: service },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
    ]);
}
