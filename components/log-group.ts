import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export interface EncryptedLogGroupArgs {
    /** Physical name, e.g. `/aws/batch/atx-transform`. */
    readonly logGroupName: pulumi.Input<string>;
    /** One of CloudWatch's retention periods (validated with the stack config). */
    readonly retentionDays: number;
    /** The customer-managed key the group is encrypted with. */
    readonly kmsKeyArn: pulumi.Input<string>;
}

/** Every log group in the stack: KMS-encrypted, with a finite retention, never left to defaults. */
export function createEncryptedLogGroup(
    name: string,
    args: EncryptedLogGroupArgs,
    opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(
        name,
        { name: args.logGroupName, retentionInDays: args.retentionDays, kmsKeyId: args.kmsKeyArn },
        opts,
    );
}
