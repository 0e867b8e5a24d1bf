/**
 * IAM Access Analyzer for the account: one analyzer for external access (a bucket, key, role or
 * topic shared outside the account) and one for unused access (roles and permissions nobody uses),
 * the checklist's "regular IAM access reviews" done continuously. New active findings go to the
 * alarm topic. Organisations that run analyzers centrally switch this off (`accessAnalyzers`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AwsContext } from "./aws-context";
import { runbookLink } from "./runbooks";

export interface AccessAnalyzersArgs {
    readonly context: AwsContext;
    /** Physical names: `external` and `unused` are appended. */
    readonly namePrefix: string;
    readonly alarmTopicArn: pulumi.Input<string>;
    /** Days without use after which a role, key or permission is reported. Default 90. */
    readonly unusedAccessAgeDays?: number;
}

export class AccessAnalyzers extends pulumi.ComponentResource {
    readonly external: aws.accessanalyzer.Analyzer;
    readonly unused: aws.accessanalyzer.Analyzer;

    constructor(name: string, args: AccessAnalyzersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:audit:AccessAnalyzers", name, {}, opts);
        const child = { parent: this };
        const { accountId, region, partition } = args.context;
        const analyzerArn = (analyzerName: string) =>
            pulumi.interpolate`arn:${partition}:access-analyzer:${region}:${accountId}:analyzer/${analyzerName}`;

        const externalName = `${args.namePrefix}-external`;
        const unusedName = `${args.namePrefix}-unused`;
        this.external = new aws.accessanalyzer.Analyzer(
            `${name}-external`,
            { analyzerName: externalName, type: "ACCOUNT" },
            child,
        );
        this.unused = new aws.accessanalyzer.Analyzer(
            `${name}-unused`,
            {
                analyzerName: unusedName,
                type: "ACCOUNT_UNUSED_ACCESS",
                configuration: { unusedAccess: { unusedAccessAge: args.unusedAccessAgeDays ?? 90 } },
            },
            child,
        );
        // Findings are events whose `resources` name the analyzer; only new or changed ACTIVE ones.
        const rule = new aws.cloudwatch.EventRule(
            `${name}-findings`,
            {
                name: `${args.namePrefix}-findings`,
                description: `IAM Access Analyzer reported an active finding. ${runbookLink("accessAnalyzerFindings")}`,
                eventPattern: pulumi.jsonStringify({
                    source: ["aws.access-analyzer"],
                    resources: [analyzerArn(externalName), analyzerArn(unusedName)],
                    detail: { status: ["ACTIVE"] },
                }),
            },
            { ...child, dependsOn: [this.external, this.unused] },
        );
        new aws.cloudwatch.EventTarget(`${name}-findings-target`, { rule: rule.name, arn: args.alarmTopicArn }, child);
        this.registerOutputs({ externalAnalyzerArn: this.external.arn, unusedAnalyzerArn: this.unused.arn });
    }
}
