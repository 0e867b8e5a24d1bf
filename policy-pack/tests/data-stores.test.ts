import { strict as assert } from "assert";
import {
    DATA_STORE_TYPES as D,
    dynamodbTableDeletionProtection,
    dynamodbTableKmsEncryption,
    dynamodbTablePointInTimeRecovery,
    lambdaLogGroupEncrypted,
    lambdaNoPublicAccess,
    secretsmanagerSecretKmsKey,
    snsTopicKmsEncryption,
    snsTopicTlsOnly,
    sqsQueueKmsEncryption,
    sqsQueueTlsOnly,
    sqsSnsNoPublicPolicy,
} from "../policies";
import { check, KEY_ARN, mandatory, resource, T, unknownAdvisories, UNKNOWN } from "./harness";

const table = (inputs: Record<string, unknown> = {}, stack = "dev") =>
    resource(
        D.table,
        "jobs",
        {
            serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
            pointInTimeRecovery: { enabled: true },
            deletionProtectionEnabled: true,
            ...inputs,
        },
        { stack },
    );

describe("dynamodb-table-kms-encryption", () => {
    it("accepts the platform key, also while its ARN is unknown", async () => {
        assert.deepEqual(await check(dynamodbTableKmsEncryption, [table()]), []);
        const preview = table({ serverSideEncryption: { enabled: true, kmsKeyArn: UNKNOWN } });
        assert.deepEqual(await check(dynamodbTableKmsEncryption, [preview], { preview: true }), []);
    });
    it("reports a table without a key, or with the AWS managed key", async () => {
        for (const sse of [undefined, { enabled: true }, { enabled: true, kmsKeyArn: "alias/aws/dynamodb" }]) {
            const vs = await check(dynamodbTableKmsEncryption, [table({ serverSideEncryption: sse })]);
            assert.equal(mandatory(vs).length, 1, JSON.stringify(sse));
        }
    });
});

describe("dynamodb-table-point-in-time-recovery", () => {
    it("accepts PITR and reports a table without it", async () => {
        assert.deepEqual(await check(dynamodbTablePointInTimeRecovery, [table()]), []);
        const vs = await check(dynamodbTablePointInTimeRecovery, [table({ pointInTimeRecovery: { enabled: false } })]);
        assert.match(mandatory(vs)[0].message, /point-in-time recovery/);
    });
});

describe("dynamodb-table-deletion-protection", () => {
    it("requires deletion protection on production stacks only", async () => {
        const unprotected = { deletionProtectionEnabled: false };
        assert.equal(mandatory(await check(dynamodbTableDeletionProtection, [table(unprotected, "prod")])).length, 1);
        assert.deepEqual(await check(dynamodbTableDeletionProtection, [table(unprotected, "dev")]), []);
        assert.deepEqual(await check(dynamodbTableDeletionProtection, [table({}, "prod")]), []);
    });
});

describe("sqs-queue-kms-encryption and sns-topic-kms-encryption", () => {
    it("accept a customer key and report a missing or AWS managed one", async () => {
        assert.deepEqual(await check(sqsQueueKmsEncryption, [resource(D.queue, "q", { kmsMasterKeyId: KEY_ARN })]), []);
        assert.equal(mandatory(await check(sqsQueueKmsEncryption, [resource(D.queue, "q", {})])).length, 1);
        const managed = resource(D.topic, "t", { kmsMasterKeyId: "alias/aws/sns" });
        assert.equal(mandatory(await check(snsTopicKmsEncryption, [managed])).length, 1);
        const preview = resource(D.topic, "t", { kmsMasterKeyId: UNKNOWN });
        assert.deepEqual(await check(snsTopicKmsEncryption, [preview], { preview: true }), []);
    });
});

const denyInsecure = (action: string, resourceArn: unknown = UNKNOWN) => ({
    Version: "2012-10-17",
    Statement: [
        {
            Effect: "Deny",
            Principal: "*",
            Action: action,
            Resource: resourceArn,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ],
});

describe("sqs-queue-tls-only", () => {
    const queue = resource(D.queue, "q", {}, { outputs: { url: UNKNOWN, id: UNKNOWN, arn: UNKNOWN } });
    const queuePolicy = (policy: unknown) =>
        resource(
            D.queuePolicy,
            "q-policy",
            { queueUrl: UNKNOWN, policy },
            { propertyDependencies: { queueUrl: [queue] } },
        );
    it("accepts a queue policy object denying sqs:* without TLS, with unknown ARNs", async () => {
        const vs = await check(sqsQueueTlsOnly, [queue, queuePolicy(denyInsecure("sqs:*"))], { preview: true });
        assert.deepEqual(vs, []);
    });
    it("reports a queue without a policy, or whose policy denies only some actions", async () => {
        assert.equal(mandatory(await check(sqsQueueTlsOnly, [queue], { preview: true })).length, 1);
        const partial = queuePolicy(denyInsecure("sqs:SendMessage"));
        assert.equal(mandatory(await check(sqsQueueTlsOnly, [queue, partial], { preview: true })).length, 1);
    });
    it("can't run on a policy string that is unknown as a whole", async () => {
        const vs = await check(sqsQueueTlsOnly, [queue, queuePolicy(UNKNOWN)], { preview: true });
        assert.equal(unknownAdvisories(vs).length, 1);
    });
    it("matches a queue policy by URL in exported state", async () => {
        const url = "https://sqs.us-east-1.amazonaws.com/123456789012/q";
        const known = resource(D.queue, "q", {}, { outputs: { url, id: url } });
        const policy = resource(D.queuePolicy, "p", { queueUrl: url, policy: JSON.stringify(denyInsecure("*")) });
        assert.deepEqual(await check(sqsQueueTlsOnly, [known, policy]), []);
    });
});

describe("sns-topic-tls-only", () => {
    const topic = resource(D.topic, "t", {}, { outputs: { arn: UNKNOWN, id: UNKNOWN } });
    const topicPolicy = (policy: unknown) =>
        resource(D.topicPolicy, "t-policy", { arn: UNKNOWN, policy }, { propertyDependencies: { arn: [topic] } });
    it("accepts a deny of sns:Publish without TLS", async () => {
        assert.deepEqual(
            await check(snsTopicTlsOnly, [topic, topicPolicy(denyInsecure("sns:Publish"))], { preview: true }),
            [],
        );
    });
    it("reports a topic whose policy has no TLS deny", async () => {
        const allowOnly = {
            Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish" }],
        };
        const vs = await check(snsTopicTlsOnly, [topic, topicPolicy(allowOnly)], { preview: true });
        assert.match(mandatory(vs)[0].message, /SNS topic 't' must have a topic policy/);
    });
});

describe("lambda-no-public-access", () => {
    it("accepts a service permission pinned to a source", async () => {
        const p = resource(D.permission, "p", {
            action: "lambda:InvokeFunction",
            principal: "apigateway.amazonaws.com",
            sourceArn: UNKNOWN,
        });
        assert.deepEqual(await check(lambdaNoPublicAccess, [p], { preview: true }), []);
        const pinned = resource(D.permission, "p", {
            action: "lambda:InvokeFunction",
            principal: "*",
            sourceAccount: "123456789012",
        });
        assert.deepEqual(await check(lambdaNoPublicAccess, [pinned]), []);
    });
    it("reports a permission for everyone and any function URL", async () => {
        const open = resource(D.permission, "p", { action: "lambda:InvokeFunction", principal: "*" });
        const url = resource(D.functionUrl, "u", { functionName: "f", authorizationType: "AWS_IAM" });
        const vs = mandatory(await check(lambdaNoPublicAccess, [open, url]));
        assert.deepEqual(
            vs.map((v) => v.urn.split("::").pop()),
            ["p", "u"],
        );
    });
});

describe("lambda-log-group-encrypted", () => {
    const group = (name: string, kmsKeyId?: string) =>
        resource(T.logGroup, `lg-${name}`, { name, ...(kmsKeyId ? { kmsKeyId } : {}) });
    const fn = (inputs: Record<string, unknown>, deps: Record<string, ReturnType<typeof group>[]> = {}) =>
        resource(D.function, "f", { name: "atx-f", ...inputs }, { propertyDependencies: deps });
    it("accepts the encrypted group named by loggingConfig, or Lambda's default name", async () => {
        const g = group("/atx/f", KEY_ARN);
        assert.deepEqual(
            await check(
                lambdaLogGroupEncrypted,
                [g, fn({ loggingConfig: { logGroup: UNKNOWN } }, { loggingConfig: [g] })],
                { preview: true },
            ),
            [],
        );
        assert.deepEqual(await check(lambdaLogGroupEncrypted, [group("/aws/lambda/atx-f", KEY_ARN), fn({})]), []);
    });
    it("reports a function without a group of this stack, or with an unencrypted one", async () => {
        assert.match(
            mandatory(await check(lambdaLogGroupEncrypted, [fn({})]))[0].message,
            /must log to a log group of this stack/,
        );
        const vs = await check(lambdaLogGroupEncrypted, [group("/aws/lambda/atx-f"), fn({})]);
        assert.match(mandatory(vs)[0].message, /has no kmsKeyId/);
    });
});

describe("secretsmanager-secret-kms-key", () => {
    it("requires a customer key", async () => {
        assert.deepEqual(await check(secretsmanagerSecretKmsKey, [resource(D.secret, "s", { kmsKeyId: KEY_ARN })]), []);
        assert.equal(mandatory(await check(secretsmanagerSecretKmsKey, [resource(D.secret, "s", {})])).length, 1);
    });
});

describe("sqs-sns-no-public-policy", () => {
    const statement = (extra: object) => ({
        Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: UNKNOWN, ...extra }],
    });
    it("finds Principal '*' in a queue or topic policy whose ARNs are unknown", async () => {
        const vs = await check(
            sqsSnsNoPublicPolicy,
            [
                resource(D.queuePolicy, "qp", { queueUrl: UNKNOWN, policy: statement({}) }),
                resource(D.topicPolicy, "tp", { arn: UNKNOWN, policy: JSON.stringify(statement({})) }),
            ],
            { preview: true },
        );
        assert.deepEqual(
            mandatory(vs).map((v) => v.urn.split("::").pop()),
            ["qp", "tp"],
        );
    });
    it("accepts everyone pinned by a source condition, even with an unknown source ARN", async () => {
        const pinned = statement({ Condition: { ArnEquals: { "aws:SourceArn": UNKNOWN } } });
        const vs = await check(
            sqsSnsNoPublicPolicy,
            [resource(D.queuePolicy, "qp", { queueUrl: UNKNOWN, policy: pinned })],
            {
                preview: true,
            },
        );
        assert.deepEqual(vs, []);
    });
});
