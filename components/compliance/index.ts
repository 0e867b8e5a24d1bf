/**
 * Run-time compliance: AWS Config rules that mirror the policy pack on the stack's deployed
 * resources, so drift made after `pulumi up` (console, CLI, another tool) is noticed; automatic
 * remediation of the drifts safe to undo; every non-compliant evaluation of the stack's resources
 * sent to the alarm topic.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AwsContext } from "../aws-context";
import { type PlatformNames } from "../naming";
import { runbookLink } from "../runbooks";
import { DriftRemediation } from "./drift-function";
import { ConfigRecorder } from "./recorder";
import { createRemediation, createRemediationRole } from "./remediation";
import { type ComplianceTargets, configRuleSpecs } from "./rules";

export interface ComplianceArgs {
    readonly context: AwsContext;
    readonly names: PlatformNames;
    readonly targets: ComplianceTargets;
    /** The VPC the jobs run in: the flow-log rule is periodic and reports every VPC of the account. */
    readonly vpcId: pulumi.Input<string>;
    /** Non-compliant evaluations of the stack's resources go here. */
    readonly alarmTopicArn: pulumi.Input<string>;
    /**
     * Create the recorder and delivery channel (and their bucket). Default true; false where the
     * account already records (one recorder per account and region), e.g. centrally.
     */
    readonly createRecorder?: boolean;
    /** Needed with createRecorder: the delivery bucket's server access logs go there. */
    readonly accessLogBucketName: pulumi.Input<string>;
    /** The audit trail: restarted by the remediation function when stopped. */
    readonly trailArn: pulumi.Input<string>;
    /** Fix the safe drifts automatically. Default true; false reports only. */
    readonly remediate?: boolean;
    readonly permissionsBoundaryArn?: string;
}

export class Compliance extends pulumi.ComponentResource {
    readonly rules: aws.cfg.Rule[] = [];
    readonly remediations: aws.cfg.RemediationConfiguration[] = [];
    readonly recorder?: ConfigRecorder;
    /** Reverts widened job egress and a stopped trail (no AWS-owned document does). */
    readonly driftRemediation?: DriftRemediation;

    constructor(name: string, args: ComplianceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:compliance:Compliance", name, {}, opts);
        const child = { parent: this };
        const { context, names, targets } = args;

        if (args.createRecorder ?? true) {
            this.recorder = new ConfigRecorder(
                `${name}-recorder`,
                {
                    context,
                    names,
                    kmsKeyArn: targets.kmsKeyArn,
                    accessLogBucketName: args.accessLogBucketName,
                    permissionsBoundaryArn: args.permissionsBoundaryArn,
                },
                child,
            );
        }
        // The delivery bucket is one of the stack's buckets too.
        const buckets = [
            ...targets.buckets,
            ...(this.recorder
                ? [{ role: "config", name: this.recorder.bucket.bucketName, kms: true, accessLogged: true }]
                : []),
        ];
        const ruleOpts = { ...child, dependsOn: this.recorder ? [this.recorder.status] : [] };
        const remediationRole =
            (args.remediate ?? true)
                ? createRemediationRole(
                      `${name}-remediation-role`,
                      {
                          context,
                          roleName: names.scoped("config-remediation"),
                          bucketNames: buckets.map((b) => b.name),
                          permissionsBoundaryArn: args.permissionsBoundaryArn,
                      },
                      child,
                  )
                : undefined;

        // Notified: every evaluation of a rule scoped to one resource or to a resource type (IAM
        // policies, API stages: any admin policy or unlogged stage matters); of the periodic
        // account-wide rules, only the evaluations of the stack's resources.
        const scopedRuleNames: string[] = [];
        const accountRuleNames: string[] = [];
        for (const spec of configRuleSpecs({ ...targets, buckets })) {
            const ruleName = names.scoped(spec.id);
            (spec.scope !== undefined ? scopedRuleNames : accountRuleNames).push(ruleName);
            const rule = new aws.cfg.Rule(
                `${name}-${spec.id}`,
                {
                    name: ruleName,
                    description: `Mirrors the policy pack after deployment (AWS managed rule ${spec.identifier})`,
                    source: { owner: "AWS", sourceIdentifier: spec.identifier },
                    scope: spec.scope && {
                        complianceResourceTypes: [spec.scope.resourceType],
                        complianceResourceId: spec.scope.resourceId,
                    },
                    inputParameters: spec.inputParameters && pulumi.jsonStringify(spec.inputParameters),
                },
                ruleOpts,
            );
            this.rules.push(rule);
            if (spec.remediation !== undefined && remediationRole !== undefined) {
                this.remediations.push(
                    createRemediation(
                        `${name}-${spec.id}-remediation`,
                        {
                            ruleName: rule.name,
                            kind: spec.remediation.kind,
                            bucket: spec.remediation.bucket,
                            kmsKeyArn: targets.kmsKeyArn,
                            roleArn: remediationRole.arn,
                        },
                        child,
                    ),
                );
            }
        }
        if (targets.securityGroupId !== undefined) {
            this.driftRemediation = new DriftRemediation(
                `${name}-drift`,
                {
                    context,
                    functionName: names.scoped("drift-remediation"),
                    securityGroupId: targets.securityGroupId,
                    allowedEgressPorts: [443],
                    trailArn: args.trailArn,
                    alarmTopicArn: args.alarmTopicArn,
                    kmsKeyArn: targets.kmsKeyArn,
                    logRetentionDays: targets.logRetentionDays,
                    remediate: args.remediate ?? true,
                    permissionsBoundaryArn: args.permissionsBoundaryArn,
                },
                child,
            );
        }
        this.createNotification(name, args, scopedRuleNames, accountRuleNames, child);
        this.registerOutputs({ ruleNames: this.rules.map((r) => r.name) });
    }

    /**
     * NON_COMPLIANT evaluations to the alarm topic: those of the scoped rules, and those of the
     * account-wide rules about the stack's resources (the account itself for the trail rules, the
     * jobs' VPC, the key, the log groups).
     */
    private createNotification(
        name: string,
        args: ComplianceArgs,
        scopedRuleNames: string[],
        accountRuleNames: string[],
        child: pulumi.CustomResourceOptions,
    ): void {
        const { names, targets, context } = args;
        const keyId = pulumi.output(targets.kmsKeyArn).apply((arn) => arn.slice(arn.lastIndexOf("/") + 1));
        const nonCompliant = { newEvaluationResult: { complianceType: ["NON_COMPLIANT"] } };
        const rule = new aws.cloudwatch.EventRule(
            `${name}-non-compliant`,
            {
                name: names.scoped("config-non-compliant"),
                description: `A Config rule found one of the platform's resources non-compliant. ${runbookLink("configNonCompliant")}`,
                eventPattern: pulumi.jsonStringify({
                    source: ["aws.config"],
                    "detail-type": ["Config Rules Compliance Change"],
                    detail: {
                        $or: [
                            { configRuleName: scopedRuleNames, ...nonCompliant },
                            {
                                configRuleName: accountRuleNames,
                                resourceId: [context.accountId, args.vpcId, keyId, ...targets.logGroupNames],
                                ...nonCompliant,
                            },
                        ],
                    },
                }),
            },
            child,
        );
        new aws.cloudwatch.EventTarget(
            `${name}-non-compliant-target`,
            { rule: rule.name, arn: args.alarmTopicArn },
            child,
        );
    }
}
