/**
 * Long-running job detection. AWS Batch emits no duration metric and its job-state time limits act
 * on RUNNABLE jobs only, so each job that starts RUNNING on the queue gets a watcher: an EventBridge
 * rule starts a Step Functions execution that waits the configured time, asks Batch for the job's
 * status and, if it is still RUNNING, counts it (metric `LongRunningJobs`, alarmed) and sends one
 * message naming the job to the alarm topic.
 *
 * Why this and not a schedule that lists running jobs: it is exact per job, has no code to maintain
 * (a Wait state and three service integrations), costs nothing while waiting and a handful of state
 * transitions per job. Limits, stated honestly: jobs already running when this is first deployed are
 * not watched; a job retried after an infrastructure failure gets one watcher per attempt (the first
 * can report a job whose later attempt is still running, i.e. in progress longer than the limit
 * overall); a job whose timeout is shorter than the limit is stopped by Batch first and reported as
 * a failure instead.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { arns, type AwsContext } from "./aws-context";
import { ServiceRole } from "./service-role";

/** Namespace of the job metrics (metric filters on job state events and the watcher). */
export const JOB_METRICS_NAMESPACE = "ATX/Jobs";

export interface LongRunningJobWatchArgs {
    readonly context: AwsContext;
    /** Permissions boundary for every role created here. Default none. */
    readonly permissionsBoundaryArn?: string;
    /** Physical names: the state machine, the rule, its role and the state machine's role. */
    readonly stateMachineName: string;
    readonly ruleName: string;
    readonly roleName: string;
    readonly startRoleName: string;
    /** The queue's ARN (built from its name): only its jobs are watched. */
    readonly jobQueueArn: pulumi.Input<string>;
    /** How long a job may run before it is reported. */
    readonly afterHours: number;
    readonly alarmTopicArn: pulumi.Input<string>;
    /** The key the alarm topic is encrypted with (publishing needs it). */
    readonly kmsKeyArn: pulumi.Input<string>;
}

export class LongRunningJobWatch extends pulumi.ComponentResource {
    readonly stateMachine: aws.sfn.StateMachine;
    readonly rule: aws.cloudwatch.EventRule;

    constructor(name: string, args: LongRunningJobWatchArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:observability:LongRunningJobWatch", name, {}, opts);
        const child = { parent: this };
        const { region, dnsSuffix } = args.context;
        const stateMachineArn = arns.stateMachine(args.context, args.stateMachineName);

        const role = new ServiceRole(
            `${name}-role`,
            {
                roleName: args.roleName,
                description: "Checks whether a Batch job is still running and reports it",
                service: "states.amazonaws.com",
                context: args.context,
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                inlinePolicies: {
                    [`${name}-role-policy`]: [
                        // DescribeJobs supports no resource-level permissions; it only reads job status.
                        { Sid: "ReadJobStatus", Effect: "Allow", Action: "batch:DescribeJobs", Resource: "*" },
                        {
                            Sid: "CountLongRunningJobs",
                            Effect: "Allow",
                            Action: "cloudwatch:PutMetricData",
                            Resource: "*",
                            Condition: { StringEquals: { "cloudwatch:namespace": JOB_METRICS_NAMESPACE } },
                        },
                        {
                            Sid: "NotifyAlarmTopic",
                            Effect: "Allow",
                            Action: "sns:Publish",
                            Resource: args.alarmTopicArn,
                        },
                        {
                            Sid: "UseKeyForAlarmTopic",
                            Effect: "Allow",
                            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                            Resource: args.kmsKeyArn,
                            Condition: {
                                StringEquals: { "kms:ViaService": pulumi.interpolate`sns.${region}.${dnsSuffix}` },
                            },
                        },
                    ],
                },
            },
            child,
        );

        this.stateMachine = new aws.sfn.StateMachine(
            `${name}-state-machine`,
            {
                name: args.stateMachineName,
                type: "STANDARD",
                roleArn: role.arn,
                definition: watchDefinition(args.afterHours, args.alarmTopicArn),
            },
            { parent: this, dependsOn: [role] },
        );

        this.rule = new aws.cloudwatch.EventRule(
            `${name}-rule`,
            {
                name: args.ruleName,
                description: `Watch each job of the queue that starts running; report it after ${args.afterHours} h`,
                eventPattern: pulumi.jsonStringify({
                    source: ["aws.batch"],
                    "detail-type": ["Batch Job State Change"],
                    detail: { jobQueue: [args.jobQueueArn], status: ["RUNNING"] },
                }),
            },
            child,
        );
        const startRole = new ServiceRole(
            `${name}-start-role`,
            {
                roleName: args.startRoleName,
                description: "Lets the job-running rule start the long-running-job watcher",
                service: "events.amazonaws.com",
                context: args.context,
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                inlinePolicies: {
                    [`${name}-start-role-policy`]: [
                        {
                            Sid: "StartWatcher",
                            Effect: "Allow",
                            Action: "states:StartExecution",
                            Resource: stateMachineArn,
                        },
                    ],
                },
            },
            child,
        );

        new aws.cloudwatch.EventTarget(
            `${name}-target`,
            { rule: this.rule.name, arn: this.stateMachine.arn, roleArn: startRole.arn },
            child,
        );
        this.registerOutputs({ stateMachineArn });
    }
}

/** The watcher's Amazon States Language definition (input: the Batch "RUNNING" event). */
export function watchDefinition(afterHours: number, alarmTopicArn: pulumi.Input<string>): pulumi.Output<string> {
    const retry = [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 }];
    return pulumi.jsonStringify({
        Comment: `Report a Batch job still RUNNING ${afterHours} h after it started`,
        StartAt: "WaitForLimit",
        States: {
            WaitForLimit: { Type: "Wait", Seconds: Math.round(afterHours * 3600), Next: "DescribeJob" },
            DescribeJob: {
                Type: "Task",
                Resource: "arn:aws:states:::aws-sdk:batch:describeJobs",
                Parameters: { "Jobs.$": "States.Array($.detail.jobId)" },
                ResultSelector: { "jobs.$": "$.Jobs" },
                ResultPath: "$.current",
                Retry: retry,
                Next: "StillRunning",
            },
            StillRunning: {
                Type: "Choice",
                Choices: [
                    // Batch forgets jobs some days after they end: nothing to report then.
                    { Variable: "$.current.jobs[0]", IsPresent: false, Next: "Done" },
                    { Variable: "$.current.jobs[0].Status", StringEquals: "RUNNING", Next: "CountLongRunningJob" },
                ],
                Default: "Done",
            },
            CountLongRunningJob: {
                Type: "Task",
                Resource: "arn:aws:states:::aws-sdk:cloudwatch:putMetricData",
                Parameters: {
                    Namespace: JOB_METRICS_NAMESPACE,
                    MetricData: [
                        {
                            MetricName: "LongRunningJobs",
                            Dimensions: [{ Name: "JobQueue", "Value.$": "$.detail.jobQueue" }],
                            Value: 1,
                            Unit: "Count",
                        },
                    ],
                },
                ResultPath: null,
                Retry: retry,
                Next: "NotifyLongRunningJob",
            },
            NotifyLongRunningJob: {
                Type: "Task",
                Resource: "arn:aws:states:::sns:publish",
                Parameters: {
                    TopicArn: alarmTopicArn,
                    Subject: `ATX job running longer than ${afterHours} h`,
                    "Message.$": `States.Format('ATX job {} ({}) on {} has been running for more than ${afterHours} hours.', $.detail.jobName, $.detail.jobId, $.detail.jobQueue)`,
                },
                ResultPath: null,
                Retry: retry,
                End: true,
            },
            Done: { Type: "Succeed" },
        },
    });
}
