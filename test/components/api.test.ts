import type * as aws from "@pulumi/aws";
import * as assert from "assert";
import { functions, jobsTable, routes } from "../../api/contract";
import { TransformApi, type TransformApiArgs } from "../../components/api";
import { ACCESS_LOG_FORMAT } from "../../components/api/rest-api";
import {
    componentResources,
    inputsOf,
    json,
    jsonStatementsOf,
    type ResourceTree,
    statementsOf,
    testContext,
} from "../support/mocks";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc";
const QUEUE_ARN = "arn:aws:batch:us-east-1:123456789012:job-queue/atx-job-queue";

function args(prefix: string, extra: Partial<TransformApiArgs> = {}): TransformApiArgs {
    return {
        context: testContext(),
        namePrefix: prefix,
        invokePolicyName: `${prefix}-invoke`,
        kmsKeyArn: KEY_ARN,
        logRetentionDays: 30,
        jobQueueArn: QUEUE_ARN,
        jobDefinitionName: "atx-transform",
        jobDefinitionArn: "arn:aws:batch:us-east-1:123456789012:job-definition/atx-transform:1",
        sourceBucket: { name: "src", arn: "arn:aws:s3:::src" },
        outputBucket: { name: "out", arn: "arn:aws:s3:::out" },
        codeDirectory: "/nonexistent/bundles",
        allowedGitHosts: ["github.com", "git.example.com"],
        jobTimeoutSeconds: 43200,
        jobLogGroupName: "/aws/batch/atx-transform",
        throttlingRateLimit: 20,
        throttlingBurstLimit: 40,
        ...extra,
    };
}

const trees = new Map<string, Promise<ResourceTree>>();
function api(prefix: string, extra: Partial<TransformApiArgs> = {}): Promise<ResourceTree> {
    if (!trees.has(prefix))
        trees.set(
            prefix,
            componentResources(() => new TransformApi(prefix, args(prefix, extra))),
        );
    return trees.get(prefix)!;
}

describe("TransformApi", () => {
    it("requires AWS_IAM on every method of every route, and validates bodies and parameters", async () => {
        const tree = await api("api-auth");
        const methods = tree.ofType("aws:apigateway/method:Method");
        assert.strictEqual(methods.length, routes.length);
        const validator = tree.one("aws:apigateway/requestValidator:RequestValidator");
        for (const method of methods) {
            assert.strictEqual(method.inputs.authorization, "AWS_IAM", method.name);
            assert.strictEqual(method.inputs.requestValidatorId, validator.id, method.name);
        }
        assert.deepStrictEqual(
            [validator.inputs.validateRequestBody, validator.inputs.validateRequestParameters],
            [true, true],
        );
        const posts = methods.filter((m) => m.inputs.httpMethod === "POST");
        assert.ok(
            posts.every((m) => inputsOf<aws.apigateway.MethodArgs>(m).requestModels?.["application/json"]),
            "every POST has a body model",
        );
        const models = tree
            .ofType("aws:apigateway/model:Model")
            .map((m) => json(m, "schema") as { additionalProperties?: unknown });
        assert.ok(
            models.every((m) => m.additionalProperties === false),
            "models refuse unknown fields",
        );
    });

    it("answers a rejected body in the handlers' JSON error format", async () => {
        const tree = await api("api-auth");
        const response = inputsOf<aws.apigateway.ResponseArgs>(tree.one("aws:apigateway/response:Response"));
        assert.strictEqual(response.responseType, "BAD_REQUEST_BODY");
        const template = response.responseTemplates?.["application/json"];
        assert.ok(template !== undefined, "a JSON response template");
        assert.deepStrictEqual(Object.keys((JSON.parse(template) as { error: object }).error), ["code", "message"]);
    });

    it("logs every request as JSON to an encrypted log group and never logs bodies", async () => {
        const tree = await api("api-auth");
        const stage = inputsOf<aws.apigateway.StageArgs>(tree.one("aws:apigateway/stage:Stage"));
        assert.strictEqual(stage.stageName, "prod");
        assert.strictEqual(stage.xrayTracingEnabled, true);
        assert.strictEqual(stage.accessLogSettings?.format, ACCESS_LOG_FORMAT);
        assert.ok((JSON.parse(ACCESS_LOG_FORMAT) as { userArn?: string }).userArn, "the caller's identity is logged");
        const accessLogs = tree.named("api-auth-access-logs").inputs;
        assert.deepStrictEqual([accessLogs.kmsKeyId, accessLogs.retentionInDays], [KEY_ARN, 30]);
        const { settings } = tree.one("aws:apigateway/methodSettings:MethodSettings").inputs;
        assert.deepStrictEqual(settings, {
            metricsEnabled: true,
            loggingLevel: "INFO",
            dataTraceEnabled: false,
            throttlingRateLimit: 20,
            throttlingBurstLimit: 40,
        });
    });

    it("lets API Gateway invoke each function only for its own routes on the prod stage", async () => {
        const tree = await api("api-auth");
        const permissions = tree
            .ofType("aws:lambda/permission:Permission")
            .filter((p) => p.inputs.principal === "apigateway.amazonaws.com");
        assert.strictEqual(permissions.length, routes.length);
        const sourceArns = permissions.map((p) =>
            (inputsOf<aws.lambda.PermissionArgs>(p).sourceArn ?? "").replace(
                /^arn:aws:execute-api:us-east-1:123456789012:[\w-]+/,
                "",
            ),
        );
        assert.ok(sourceArns.includes("/prod/GET/jobs/*/results"), sourceArns.join(" "));
        assert.ok(
            sourceArns.every((arn) => arn.startsWith("/prod/")),
            sourceArns.join(" "),
        );
    });

    it("gives every function its own role with exactly the contract's permissions, and its own log group", async () => {
        const tree = await api("api-auth");
        const lambdas = tree.ofType("aws:lambda/function:Function").map((f) => inputsOf<aws.lambda.FunctionArgs>(f));
        assert.deepStrictEqual(
            lambdas.map((f) => f.name).sort(),
            Object.keys(functions)
                .map((f) => `api-auth-${f}`)
                .sort(),
        );
        const roles = new Set(lambdas.map((f) => f.role));
        assert.strictEqual(roles.size, lambdas.length, "no shared role");
        for (const fn of lambdas) {
            const { name } = fn;
            assert.ok(name !== undefined, "every function is named");
            assert.strictEqual(fn.kmsKeyArn, KEY_ARN);
            assert.strictEqual(fn.tracingConfig?.mode, "Active");
            const group = inputsOf<aws.cloudwatch.LogGroupArgs>(tree.named(`${name}-logs`));
            assert.deepStrictEqual(
                [group.name, group.kmsKeyId, group.retentionInDays],
                [`/aws/lambda/${name}`, KEY_ARN, 30],
            );
            assert.strictEqual(fn.loggingConfig?.logGroup, group.name);
            for (const statement of statementsOf(tree.named(`${name}-access`), "policy")) {
                for (const action of [statement.Action].flat())
                    assert.ok(!action.endsWith("*") && action !== "*", `${name}: ${action}`);
            }
        }
    });

    it("scopes the upload and result permissions to their prefixes", async () => {
        const tree = await api("api-auth");
        const statements = (fn: string) => statementsOf(tree.named(`api-auth-${fn}-access`), "policy");
        const upload = statements("upload").find((s) => [s.Action].flat().includes("s3:PutObject"));
        assert.deepStrictEqual(upload?.Resource, ["arn:aws:s3:::src/uploads/*"]);
        const mcp = statements("mcp-config").find((s) => [s.Action].flat().includes("s3:PutObject"));
        assert.deepStrictEqual(mcp?.Resource, ["arn:aws:s3:::src/config/mcp.json"]);
        const list = statements("jobs").find((s) => [s.Action].flat().includes("s3:ListBucket"));
        assert.deepStrictEqual(list?.Condition, { StringLike: { "s3:prefix": ["transformations/*"] } });
        const submit = statements("bulk-submitter").find((s) => [s.Action].flat().includes("batch:SubmitJob"));
        assert.deepStrictEqual(submit?.Resource, [
            QUEUE_ARN,
            "arn:aws:batch:us-east-1:123456789012:job-definition/atx-transform:*",
        ]);
    });

    it("passes the stack's names, ARNs and settings to the functions", async () => {
        const tree = await api("api-auth");
        const env = (fn: string) =>
            inputsOf<aws.lambda.FunctionArgs>(
                tree.one("aws:lambda/function:Function", (name) => name === `api-auth-${fn}`),
            ).environment?.variables ?? {};
        assert.strictEqual(env("jobs").JOB_QUEUE_ARN, QUEUE_ARN);
        assert.strictEqual(env("jobs").OUTPUT_BUCKET, "out");
        assert.strictEqual(env("jobs").ALLOWED_SOURCE_HOSTS, "github.com,git.example.com");
        assert.strictEqual(env("jobs").JOBS_TABLE, "api-auth-jobs");
        assert.strictEqual(env("upload").KMS_KEY_ID, KEY_ARN);
        assert.strictEqual(env("mcp-config").MCP_CONFIG_KEY, "config/mcp.json");
        assert.strictEqual(env("bulk-submitter").SUBMIT_RATE_PER_SECOND, "10");
    });

    it("reaches a bucket through its own access point only when given one, and deploys once it exists", async () => {
        const tree = await api("api-ap", {
            sourceBucket: { name: "src", arn: "arn:aws:s3:::src", accessPointName: "api-src" },
        });
        const point = tree.one("aws:s3/accessPoint:AccessPoint");
        assert.deepStrictEqual([point.inputs.name, point.inputs.bucket], ["api-src", "src"]);
        const arn = "arn:aws:s3:us-east-1:123456789012:accesspoint/api-src";
        const env = (fn: string) =>
            inputsOf<aws.lambda.FunctionArgs>(
                tree.one("aws:lambda/function:Function", (name) => name === `api-ap-${fn}`),
            ).environment?.variables ?? {};
        assert.strictEqual(env("upload").SOURCE_BUCKET_ACCESS_POINT, arn);
        assert.strictEqual(
            env("jobs").OUTPUT_BUCKET_ACCESS_POINT,
            undefined,
            "the output bucket is addressed directly",
        );
        // Its policy grants the functions' roles on the access point, never on the bucket.
        const resources = jsonStatementsOf(point, "policy").flatMap((s) => [s.Resource ?? []].flat());
        assert.ok(resources.length > 0 && resources.every((r) => String(r).startsWith(arn)), String(resources));
        const deployment = tree.one("aws:apigateway/deployment:Deployment");
        assert.ok(deployment.dependencies.includes(point.urn));

        const direct = await api("api-auth");
        assert.strictEqual(direct.ofType("aws:s3/accessPoint:AccessPoint").length, 0);
    });

    it("keeps job state in a KMS-encrypted table with point-in-time recovery", async () => {
        const table = inputsOf<aws.dynamodb.TableArgs>((await api("api-auth")).one("aws:dynamodb/table:Table"));
        assert.deepStrictEqual(table.serverSideEncryption, { enabled: true, kmsKeyArn: KEY_ARN });
        assert.deepStrictEqual(table.pointInTimeRecovery, { enabled: true });
        assert.strictEqual(table.deletionProtectionEnabled, true);
        assert.deepStrictEqual(
            table.globalSecondaryIndexes?.map((i) => i.name),
            jobsTable.globalSecondaryIndexes.map((i) => i.name),
        );
    });

    it("feeds the bulk submitter from a KMS-encrypted, TLS-only queue with a dead-letter queue", async () => {
        const tree = await api("api-auth");
        const queues = tree.ofType("aws:sqs/queue:Queue");
        assert.ok(queues.every((q) => q.inputs.kmsMasterKeyId === KEY_ARN));
        assert.deepStrictEqual(json(tree.named("api-auth-bulk-submissions"), "redrivePolicy"), {
            deadLetterTargetArn: "arn:aws:sqs:us-east-1:123456789012:api-auth-dead-letters",
            maxReceiveCount: 10,
        });
        for (const policy of tree.ofType("aws:sqs/queuePolicy:QueuePolicy")) {
            const deny = statementsOf(policy, "policy").find((s) => s.Sid === "DenyInsecureTransport");
            assert.deepStrictEqual(deny?.Condition, { Bool: { "aws:SecureTransport": "false" } }, policy.name);
        }
        const mapping = inputsOf<aws.lambda.EventSourceMappingArgs>(
            tree.one("aws:lambda/eventSourceMapping:EventSourceMapping"),
        );
        assert.deepStrictEqual(
            [mapping.functionName, mapping.batchSize, mapping.scalingConfig?.maximumConcurrency],
            ["api-auth-bulk-submitter", 1, 2],
        );
    });

    it("records state changes of this stack's job queue only", async () => {
        const tree = await api("api-auth");
        const pattern: unknown = json(tree.one("aws:cloudwatch/eventRule:EventRule"), "eventPattern");
        assert.deepStrictEqual(pattern, {
            source: ["aws.batch"],
            "detail-type": ["Batch Job State Change"],
            detail: { jobQueue: [QUEUE_ARN] },
        });
        const target = inputsOf<aws.cloudwatch.EventTargetArgs>(tree.one("aws:cloudwatch/eventTarget:EventTarget"));
        assert.strictEqual(target.deadLetterConfig?.arn, "arn:aws:sqs:us-east-1:123456789012:api-auth-dead-letters");
    });

    it("creates the invoke policy for callers, and the account's logging role only when asked", async () => {
        const managed = await api("api-auth");
        const [statement] = statementsOf(managed.one("aws:iam/policy:Policy"), "policy");
        assert.strictEqual(statement.Action, "execute-api:Invoke");
        const resource = statement.Resource;
        assert.ok(typeof resource === "string", `one resource: ${JSON.stringify(resource)}`);
        assert.match(resource, /\/prod\/\*\/\*$/);
        assert.strictEqual(managed.ofType("aws:apigateway/account:Account").length, 1);
        const unmanaged = await api("api-shared", { manageAccountSettings: false });
        assert.strictEqual(unmanaged.ofType("aws:apigateway/account:Account").length, 0);
    });
});
