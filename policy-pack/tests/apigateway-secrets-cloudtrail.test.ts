import { strict as assert } from "assert";
import {
    apigatewayMethodIamAuth,
    apigatewayNoApiKeys,
    apigatewayNoDataTraceInProduction,
    batchJobFailureAlarm,
    apigatewayStageAccessLogging,
    apigatewayStageThrottling,
    cloudtrailSecureTrail,
    secretVersionValueIsSecret,
    ssmCredentialsSecureString,
} from "../policies";
import { check, KEY_ARN, mandatory, resource, T, unknownAdvisories, UNKNOWN } from "./harness";

describe("apigateway-method-iam-auth", () => {
    it("reports no violation for AWS_IAM", async () => {
        assert.deepEqual(
            await check(apigatewayMethodIamAuth, [
                resource(T.method, "m", { httpMethod: "POST", authorization: "AWS_IAM" }),
            ]),
            [],
        );
    });
    it("reports a violation for NONE", async () => {
        const vs = await check(apigatewayMethodIamAuth, [
            resource(T.method, "m", { httpMethod: "GET", authorization: "NONE" }),
        ]);
        assert.match(mandatory(vs)[0].message, /must require AWS_IAM authorization \(authorization is 'NONE'\)/);
    });
});

const api = resource(
    "aws:apigateway/restApi:RestApi",
    "api",
    { name: "atx" },
    { outputs: { id: UNKNOWN, name: "atx" } },
);
const stage = (inputs: Record<string, unknown> = {}, stack = "dev") =>
    resource(
        T.stage,
        "stage",
        {
            restApi: UNKNOWN,
            stageName: "v1",
            deployment: UNKNOWN,
            accessLogSettings: { destinationArn: UNKNOWN, format: '{"requestId":"$context.requestId"}' },
            ...inputs,
        },
        { propertyDependencies: { restApi: [api] }, stack },
    );
const settings = (s: Record<string, unknown>, st = stage(), methodPath = "*/*") =>
    resource(
        T.methodSettings,
        "settings",
        { restApi: UNKNOWN, stageName: "v1", methodPath, settings: s },
        { propertyDependencies: { restApi: [api], stageName: [st] }, stack: st.urn.split(":")[2] },
    );
const throttled = { throttlingBurstLimit: 50, throttlingRateLimit: 20, loggingLevel: "INFO", metricsEnabled: true };

describe("apigateway-stage-access-logging", () => {
    it("reports no violation with a destination and a format", async () => {
        assert.deepEqual(await check(apigatewayStageAccessLogging, [stage()], { preview: true }), []);
    });
    it("reports a violation without access logs", async () => {
        assert.equal(
            mandatory(await check(apigatewayStageAccessLogging, [stage({ accessLogSettings: undefined })])).length,
            1,
        );
    });
});

describe("apigateway-stage-throttling", () => {
    it("reports no violation when a MethodSettings for */* of the stage throttles", async () => {
        const st = stage();
        assert.deepEqual(
            await check(apigatewayStageThrottling, [api, st, settings(throttled, st)], { preview: true }),
            [],
        );
    });
    it("reports a violation when the stage has no method settings", async () => {
        const st = stage();
        assert.deepEqual(
            mandatory(await check(apigatewayStageThrottling, [api, st], { preview: true })).map((v) => v.urn),
            [st.urn],
        );
    });
    it("reports a violation when the settings do not throttle", async () => {
        const st = stage();
        assert.equal(
            mandatory(
                await check(apigatewayStageThrottling, [api, st, settings({ metricsEnabled: true }, st)], {
                    preview: true,
                }),
            ).length,
            1,
        );
    });
    it("reports a violation when throttling covers a single method only", async () => {
        const st = stage();
        assert.equal(
            mandatory(
                await check(apigatewayStageThrottling, [api, st, settings(throttled, st, "jobs/POST")], {
                    preview: true,
                }),
            ).length,
            1,
        );
    });
});

describe("apigateway-no-data-trace-in-production", () => {
    it("reports no violation in prod without data trace", async () => {
        assert.deepEqual(
            await check(apigatewayNoDataTraceInProduction, [settings(throttled, stage({}, "prod"))], { stack: "prod" }),
            [],
        );
    });
    it("reports no violation for data trace in dev", async () => {
        assert.deepEqual(
            await check(apigatewayNoDataTraceInProduction, [settings({ ...throttled, dataTraceEnabled: true })]),
            [],
        );
    });
    it("reports a violation for data trace in prod", async () => {
        const vs = await check(
            apigatewayNoDataTraceInProduction,
            [settings({ ...throttled, dataTraceEnabled: true }, stage({}, "prod"))],
            { stack: "prod" },
        );
        assert.match(mandatory(vs)[0].message, /must not enable data-trace logging/);
    });
});

describe("secretsmanager-secret-value-is-secret", () => {
    it("reports no violation when secretString is a Pulumi secret", async () => {
        const sv = resource(
            T.secretVersion,
            "sv",
            { secretId: "s", secretString: "v" },
            { secretProperties: ["secretString"] },
        );
        assert.deepEqual(await check(secretVersionValueIsSecret, [sv]), []);
    });
    it("reports no violation for a version with no value in the program", async () => {
        assert.deepEqual(
            await check(secretVersionValueIsSecret, [resource(T.secretVersion, "sv", { secretId: "s" })]),
            [],
        );
    });
    it("reports a violation when secretString is plaintext", async () => {
        const vs = await check(secretVersionValueIsSecret, [
            resource(T.secretVersion, "sv", { secretId: "s", secretString: "hunter2" }),
        ]);
        assert.match(mandatory(vs)[0].message, /must hold secretString as a Pulumi secret/);
    });
});

describe("ssm-credentials-secure-string", () => {
    it("reports no violation for a SecureString token", async () => {
        assert.deepEqual(
            await check(ssmCredentialsSecureString, [
                resource(T.ssmParameter, "p", { name: "/atx/github-token", type: "SecureString", value: "x" }),
            ]),
            [],
        );
    });
    it("reports a violation for a String token", async () => {
        assert.equal(
            mandatory(
                await check(ssmCredentialsSecureString, [
                    resource(T.ssmParameter, "p", { name: "/atx/github-token", type: "String", value: "x" }),
                ]),
            ).length,
            1,
        );
    });
});

describe("cloudtrail-secure-trail", () => {
    const trail = (inputs: Record<string, unknown>) =>
        resource(T.trail, "trail", { s3BucketName: "atx-trail", ...inputs });
    it("reports no violation for a validated, KMS-encrypted trail", async () => {
        assert.deepEqual(
            await check(cloudtrailSecureTrail, [trail({ enableLogFileValidation: true, kmsKeyId: KEY_ARN })]),
            [],
        );
    });
    it("reports a stack violation when no trail exists", async () => {
        const vs = await check(cloudtrailSecureTrail, [resource(T.kmsKey, "k", {})]);
        assert.equal(vs.length, 1);
        assert.equal(vs[0].urn, "");
    });
    it("reports a violation when log file validation is off", async () => {
        assert.equal(
            mandatory(
                await check(cloudtrailSecureTrail, [trail({ enableLogFileValidation: false, kmsKeyId: KEY_ARN })]),
            ).length,
            1,
        );
    });
    it("reports a violation when logging is stopped", async () => {
        assert.equal(
            mandatory(
                await check(cloudtrailSecureTrail, [
                    trail({ enableLogFileValidation: true, kmsKeyId: KEY_ARN, enableLogging: false }),
                ]),
            ).length,
            1,
        );
    });
    it("reports the engine's advisory when the only trail's validation setting is unknown", async () => {
        const vs = await check(
            cloudtrailSecureTrail,
            [trail({ enableLogFileValidation: UNKNOWN, kmsKeyId: KEY_ARN })],
            { preview: true },
        );
        assert.equal(unknownAdvisories(vs).length, 1);
    });
});

describe("apigateway-no-api-keys", () => {
    it("reports no violation for IAM-authorized methods", async () => {
        assert.deepEqual(
            await check(apigatewayNoApiKeys, [
                resource(T.method, "m", { httpMethod: "GET", authorization: "AWS_IAM", apiKeyRequired: false }),
            ]),
            [],
        );
    });
    it("reports a violation for a method requiring an API key", async () => {
        assert.equal(
            mandatory(
                await check(apigatewayNoApiKeys, [
                    resource(T.method, "m", { httpMethod: "GET", authorization: "AWS_IAM", apiKeyRequired: true }),
                ]),
            ).length,
            1,
        );
    });
    it("reports a violation for an API key resource", async () => {
        assert.match(
            mandatory(
                await check(apigatewayNoApiKeys, [
                    resource("aws:apigateway/apiKey:ApiKey", "partner", { name: "partner" }),
                ]),
            )[0].message,
            /must not exist/,
        );
    });
});

describe("batch-job-failure-alarm", () => {
    const jobDef = resource(T.jobDefinition, "job", { type: "container" });
    const rule = (pattern: unknown) =>
        resource("aws:cloudwatch/eventRule:EventRule", "failed", { eventPattern: pattern });
    const failed = JSON.stringify({
        source: ["aws.batch"],
        "detail-type": ["Batch Job State Change"],
        detail: { status: ["FAILED"] },
    });
    it("reports no violation when a rule catches FAILED Batch jobs", async () => {
        assert.deepEqual(await check(batchJobFailureAlarm, [jobDef, rule(failed)]), []);
    });
    it("reports no violation for a stack without job definitions", async () => {
        assert.deepEqual(await check(batchJobFailureAlarm, [resource(T.kmsKey, "k", {})]), []);
    });
    it("reports an advisory violation when the only Batch rule watches RUNNING jobs", async () => {
        const vs = await check(batchJobFailureAlarm, [jobDef, rule(failed.replace("FAILED", "RUNNING"))]);
        assert.equal(vs.length, 1);
        assert.equal(vs[0].enforcementLevel, "advisory");
        assert.doesNotMatch(vs[0].message, /can't run/);
    });
    it("reports the engine's advisory when a rule's pattern is unknown", async () => {
        assert.equal(
            unknownAdvisories(await check(batchJobFailureAlarm, [jobDef, rule(UNKNOWN)], { preview: true })).length,
            1,
        );
    });
});
