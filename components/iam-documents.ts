/** Small builders for IAM JSON documents, so every policy in the stack is written the same way. */
import * as pulumi from "@pulumi/pulumi";

export interface Statement {
    readonly Sid: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action: string | readonly string[];
    readonly Resource?: pulumi.Input<string> | readonly pulumi.Input<string>[];
    readonly Principal?: unknown;
    readonly Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

export function policyDocument(statements: readonly Statement[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** A trust policy for one AWS service principal, pinned to this account (confused-deputy guard). */
export function serviceTrustPolicy(
    service: pulumi.Input<string>,
    accountId: pulumi.Input<string>,
): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AllowServiceToAssume",
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
        ],
    });
}
