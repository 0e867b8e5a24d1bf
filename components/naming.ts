/**
 * Physical names of account- or region-global resources. The AWS sample's names are the prod defaults;
 * every other stack carries its suffix so that prod and dev can share one account.
 */
import * as pulumi from "@pulumi/pulumi";

export interface PlatformNames {
    readonly jobRole: string;
    readonly executionRole: string;
    readonly jobLogGroup: string;
    readonly computeEnvironment: string;
    readonly jobQueue: string;
    readonly jobDefinition: string;
    readonly repository: string;
    readonly keyAlias: string;
    readonly apiInvokePolicy: string;
    /** A bucket's name for a role (`output`, `source`, `logs`): `atx-custom-<role>-<account><suffix>`. */
    bucket(role: string, accountId: pulumi.Input<string>): pulumi.Output<string>;
    /** A stack-unique name for anything else: `atx-<base><suffix>`. */
    scoped(base: string): string;
}

/** `atx-custom-<role>-<account><suffix>`: the one naming rule of the platform's buckets (also used by the restore tool). */
export function bucketName(role: string, accountId: string, suffix: string): string {
    return `atx-custom-${role}-${accountId}${suffix}`;
}

export function platformNames(suffix: string): PlatformNames {
    return {
        jobRole: `ATXBatchJobRole${suffix}`,
        executionRole: `ATXBatchExecutionRole${suffix}`,
        jobLogGroup: `/aws/batch/atx-transform${suffix}`,
        computeEnvironment: `atx-fargate${suffix}`,
        jobQueue: `atx-job-queue${suffix}`,
        jobDefinition: `atx-transform${suffix}`,
        repository: `aws-transform-cli${suffix}`,
        keyAlias: `alias/atx-platform${suffix}`,
        apiInvokePolicy: `InvokeATXApi${suffix}`,
        bucket: (role, accountId) => pulumi.output(accountId).apply((account) => bucketName(role, account, suffix)),
        scoped: (base) => `atx-${base}${suffix}`,
    };
}
