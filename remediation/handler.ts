/**
 * Lambda entry point: runs on the CloudTrail events that can widen the job security group's egress
 * or stop the trail, and hourly as a backstop; reconciles, logs each change as a JSON line and
 * notifies the alarm topic with what it changed (or found, in report-only mode).
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { EC2Client } from "@aws-sdk/client-ec2";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { reconcile, type ReconcileTarget } from "./reconcile";

function required(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
}

export function targetFromEnvironment(): ReconcileTarget & { readonly topicArn: string } {
    return {
        securityGroupId: required("SECURITY_GROUP_ID"),
        allowedEgressPorts: required("ALLOWED_EGRESS_PORTS").split(",").map(Number),
        trailArn: required("TRAIL_ARN"),
        remediate: required("REMEDIATE") === "true",
        topicArn: required("ALARM_TOPIC_ARN"),
    };
}

export async function handler(event: { readonly "detail-type"?: string; readonly detail?: { eventName?: string } }) {
    const target = targetFromEnvironment();
    const changes = await reconcile({ ec2: new EC2Client({}), cloudtrail: new CloudTrailClient({}) }, target);
    const trigger = event.detail?.eventName ?? event["detail-type"] ?? "invocation";
    for (const change of changes) console.log(JSON.stringify({ message: "drift", trigger, ...change }));
    if (changes.length > 0) {
        await new SNSClient({}).send(
            new PublishCommand({
                TopicArn: target.topicArn,
                Subject: `ATX platform drift ${target.remediate ? "reverted" : "found (report only)"}`,
                Message: [
                    `Triggered by ${trigger}. Runbook: docs/runbooks/configNonCompliant.md`,
                    ...changes.map((c) => `- ${c.resource}: ${c.drift}: ${c.action}`),
                ].join("\n"),
            }),
        );
    }
    return { changes };
}
