import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { createMetricAlarm, type MetricAlarmSpec } from "./alarms";
import { arns, type AwsContext } from "./aws-context";
import { type PlatformNames } from "./naming";

/** What every platform alarm shares: where it lives, how it is named and whom it notifies. */
export interface AlarmScope {
    readonly context: AwsContext;
    readonly names: PlatformNames;
    /** The alarm topic every alarm notifies (on ALARM and on OK). */
    readonly topicArn: pulumi.Input<string>;
}

/** The alarms a component creates, with their ARNs built from their names (known at preview). */
export class AlarmSet {
    readonly alarms: aws.cloudwatch.MetricAlarm[] = [];
    readonly arns: pulumi.Output<string>[] = [];

    /** `prefix` starts each alarm's resource name; `opts` are the alarms' resource options. */
    constructor(
        private readonly prefix: string,
        private readonly scope: AlarmScope,
        private readonly opts: pulumi.CustomResourceOptions,
    ) {}

    /** Adds the alarm `<stack-scoped id>`, as resource `<prefix>-<id>`. */
    add(id: string, spec: Omit<MetricAlarmSpec, "alarmName" | "topicArn">): void {
        const alarmName = this.scope.names.scoped(id);
        const alarm = { ...spec, alarmName, topicArn: this.scope.topicArn };
        this.alarms.push(createMetricAlarm(`${this.prefix}-${id}`, alarm, this.opts));
        this.arns.push(arns.alarm(this.scope.context, alarmName));
    }
}
