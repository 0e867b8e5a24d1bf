/** The drift remediation function against moto through the real SDK: idempotent, report-only, notifying. */
import * as assert from "assert";
import {
    CloudTrailClient,
    CreateTrailCommand,
    GetTrailStatusCommand,
    StartLoggingCommand,
    StopLoggingCommand,
} from "@aws-sdk/client-cloudtrail";
import {
    AuthorizeSecurityGroupEgressCommand,
    CreateSecurityGroupCommand,
    DescribeSecurityGroupRulesCommand,
    EC2Client,
    RevokeSecurityGroupEgressCommand,
} from "@aws-sdk/client-ec2";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startMoto, type MotoServer } from "../api/local/moto";
import { handler } from "../remediation/handler";
import { isAllowedEgress, reconcile, type ReconcileTarget } from "../remediation/reconcile";

const REGION = "us-east-1";

describe("drift remediation (remediation/) against moto", function () {
    this.timeout(60_000);
    let moto: MotoServer;
    const saved = { ...process.env };
    const ec2 = () => new EC2Client({ region: REGION });
    const cloudtrail = () => new CloudTrailClient({ region: REGION });

    before(async () => {
        moto = await startMoto();
        Object.assign(process.env, {
            AWS_ACCESS_KEY_ID: "test",
            AWS_SECRET_ACCESS_KEY: "test",
            AWS_REGION: REGION,
            AWS_ENDPOINT_URL: moto.url,
        });
    });
    after(async () => {
        process.env = saved;
        await moto?.stop();
    });

    /** A job group with HTTPS egress plus two widened rules, and a stopped trail. */
    async function drifted(prefix: string): Promise<ReconcileTarget> {
        const { GroupId } = await ec2().send(
            new CreateSecurityGroupCommand({ GroupName: `${prefix}-jobs`, Description: "jobs" }),
        );
        await ec2().send(
            new RevokeSecurityGroupEgressCommand({
                GroupId,
                IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
            }),
        );
        for (const port of [443, 22]) {
            await ec2().send(
                new AuthorizeSecurityGroupEgressCommand({
                    GroupId,
                    IpPermissions: [
                        { IpProtocol: "tcp", FromPort: port, ToPort: port, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
                    ],
                }),
            );
        }
        await ec2().send(
            new AuthorizeSecurityGroupEgressCommand({
                GroupId,
                IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "10.0.0.0/8" }] }],
            }),
        );
        await new S3Client({ region: REGION, forcePathStyle: true }).send(
            new CreateBucketCommand({ Bucket: `${prefix}-trail` }),
        );
        const trail = await cloudtrail().send(
            new CreateTrailCommand({ Name: `${prefix}-trail`, S3BucketName: `${prefix}-trail` }),
        );
        await cloudtrail().send(new StartLoggingCommand({ Name: trail.TrailARN }));
        await cloudtrail().send(new StopLoggingCommand({ Name: trail.TrailARN }));
        return { securityGroupId: GroupId!, allowedEgressPorts: [443], trailArn: trail.TrailARN!, remediate: true };
    }

    const egressOf = async (groupId: string) =>
        (
            (
                await ec2().send(
                    new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }),
                )
            ).SecurityGroupRules ?? []
        )
            .filter((r) => r.IsEgress)
            .map((r) => `${r.IpProtocol} ${r.FromPort}-${r.ToPort}`);

    it("revokes egress beyond 443 and restarts the trail, then finds nothing the second time", async () => {
        const target = await drifted("fix");
        const clients = { ec2: ec2(), cloudtrail: cloudtrail() };
        const changes = await reconcile(clients, target);
        assert.deepStrictEqual(
            changes.map((c) => [c.resource === target.trailArn ? "trail" : "group", c.action]),
            [
                ["group", "reverted"],
                ["group", "reverted"],
                ["trail", "reverted"],
            ],
        );
        assert.ok(
            changes.some((c) => /tcp 22-22 to 0\.0\.0\.0\/0/.test(c.drift)),
            JSON.stringify(changes),
        );
        assert.ok(
            changes.some((c) => /all traffic to 10\.0\.0\.0\/8/.test(c.drift)),
            JSON.stringify(changes),
        );
        assert.deepStrictEqual(await egressOf(target.securityGroupId), ["tcp 443-443"]);
        assert.strictEqual(
            (await cloudtrail().send(new GetTrailStatusCommand({ Name: target.trailArn }))).IsLogging,
            true,
        );
        assert.deepStrictEqual(await reconcile(clients, target), []);
    });

    it("in report-only mode changes nothing and reports what it found", async () => {
        const target = { ...(await drifted("report")), remediate: false };
        const changes = await reconcile({ ec2: ec2(), cloudtrail: cloudtrail() }, target);
        assert.strictEqual(changes.length, 3);
        assert.ok(changes.every((c) => c.action === "reported"));
        assert.strictEqual((await egressOf(target.securityGroupId)).length, 3);
        assert.strictEqual(
            (await cloudtrail().send(new GetTrailStatusCommand({ Name: target.trailArn }))).IsLogging,
            false,
        );
    });

    it("the Lambda handler notifies the topic with what it changed", async () => {
        const target = await drifted("notify");
        const sns = new SNSClient({ region: REGION });
        const sqs = new SQSClient({ region: REGION });
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "notify-alarms" }));
        const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "notify-inbox" }));
        const { Attributes } = await sqs.send(
            new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
        );
        await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn }));
        Object.assign(process.env, {
            SECURITY_GROUP_ID: target.securityGroupId,
            ALLOWED_EGRESS_PORTS: "443",
            TRAIL_ARN: target.trailArn,
            REMEDIATE: "true",
            ALARM_TOPIC_ARN: TopicArn,
        });
        const result = await handler({
            "detail-type": "AWS API Call via CloudTrail",
            detail: { eventName: "StopLogging" },
        });
        assert.strictEqual(result.changes.length, 3);
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2 }));
        const body = JSON.parse(Messages![0].Body!) as { Message: string };
        assert.match(body.Message, /Triggered by StopLogging/);
        assert.match(body.Message, /trail not logging: reverted/);
        assert.match(body.Message, /tcp 22-22 to 0\.0\.0\.0\/0\): reverted/);
        // Nothing left to do: no second notification.
        assert.deepStrictEqual((await handler({})).changes, []);
    });

    it("allows only TCP to exactly an allowed port", () => {
        assert.ok(isAllowedEgress({ IpProtocol: "tcp", FromPort: 443, ToPort: 443 }, [443]));
        for (const rule of [
            { IpProtocol: "tcp", FromPort: 443, ToPort: 444 },
            { IpProtocol: "udp", FromPort: 443, ToPort: 443 },
            { IpProtocol: "-1" },
            { IpProtocol: "tcp", FromPort: 80, ToPort: 80 },
        ]) {
            assert.ok(!isAllowedEgress(rule, [443]), JSON.stringify(rule));
        }
    });
});
