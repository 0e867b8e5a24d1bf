/**
 * The REST API in front of the functions: every method requires AWS_IAM (SigV4), request bodies are
 * validated against the contract's models before a function runs, and the `prod` stage has JSON
 * access logs, execution logs without bodies, metrics, tracing and throttling.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { type FunctionName, type RouteContract, routes, stageName } from "../../api/contract";
import { createEncryptedLogGroup } from "../log-group";
import { adoptedChildOptions } from "../adopted";

export interface RestApiArgs {
    readonly apiName: string;
    readonly functions: Record<FunctionName, aws.lambda.Function>;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    readonly accessLogGroupName: string;
    /** Steady-state requests per second across the stage. */
    readonly throttlingRateLimit: number;
    readonly throttlingBurstLimit: number;
    /** What the functions need before the API may serve requests: its deployment waits for them. */
    readonly deployAfter?: readonly pulumi.Resource[];
}

/** One line of JSON per request: who called what, and how it ended. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
    requestId: "$context.requestId",
    extendedRequestId: "$context.extendedRequestId",
    time: "$context.requestTime",
    httpMethod: "$context.httpMethod",
    resourcePath: "$context.resourcePath",
    status: "$context.status",
    responseLength: "$context.responseLength",
    latencyMs: "$context.responseLatency",
    integrationStatus: "$context.integration.status",
    errorType: "$context.error.responseType",
    errorMessage: "$context.error.message",
    caller: "$context.identity.caller",
    userArn: "$context.identity.userArn",
    sourceIp: "$context.identity.sourceIp",
    userAgent: "$context.identity.userAgent",
});

/**
 * The REST API of api/contract.ts: a method per route, each with AWS_IAM authorization and its
 * function's proxy integration, request validation and models, a deployment that follows the
 * routes, the stage with its encrypted access log, and method settings (metrics, throttling).
 * The component carries `apiName`; the API's resources sat directly under TransformApi before and
 * keep their URNs through aliases.
 */
export class RestApi extends pulumi.ComponentResource {
    readonly api: aws.apigateway.RestApi;
    readonly stage: aws.apigateway.Stage;
    readonly accessLogGroup: aws.cloudwatch.LogGroup;

    constructor(args: RestApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:api:RestApi", args.apiName, {}, opts);
        const created = createRestApiResources(args, adoptedChildOptions(this, opts));
        this.api = created.api;
        this.stage = created.stage;
        this.accessLogGroup = created.accessLogGroup;
        this.registerOutputs({ restApiId: this.api.id, invokeUrl: this.stage.invokeUrl });
    }
}

function createRestApiResources(args: RestApiArgs, opts: pulumi.CustomResourceOptions) {
    const name = args.apiName;
    const api = new aws.apigateway.RestApi(
        name,
        {
            name,
            description: "ATX transformations: submit and follow AWS Batch jobs (IAM authentication)",
            endpointConfiguration: { types: "REGIONAL" },
            minimumCompressionSize: "1024",
        },
        opts,
    );
    const bodyValidator = new aws.apigateway.RequestValidator(
        `${name}-body-validator`,
        { restApi: api.id, name: "body-and-parameters", validateRequestBody: true, validateRequestParameters: true },
        opts,
    );
    // A rejected body answers in the handlers' error format instead of API Gateway's default.
    new aws.apigateway.Response(
        `${name}-bad-request-body`,
        {
            restApiId: api.id,
            responseType: "BAD_REQUEST_BODY",
            statusCode: "400",
            responseTemplates: {
                "application/json": JSON.stringify({
                    error: { code: "InvalidRequestBody", message: "$context.error.validationErrorString" },
                }),
            },
        },
        opts,
    );

    const pathResources = new Map<string, aws.apigateway.Resource>();
    const resourceFor = (routePath: string): pulumi.Input<string> => {
        if (routePath === "/") return api.rootResourceId;
        const existing = pathResources.get(routePath);
        if (existing) return existing.id;
        const parentPath = routePath.slice(0, routePath.lastIndexOf("/")) || "/";
        const parentId = resourceFor(parentPath);
        const resource = new aws.apigateway.Resource(
            `${name}${routePath.replace(/[{}]/g, "").replace(/\//g, "-")}`,
            { restApi: api.id, parentId, pathPart: routePath.slice(routePath.lastIndexOf("/") + 1) },
            opts,
        );
        pathResources.set(routePath, resource);
        return resource.id;
    };

    const models = new Map<object, aws.apigateway.Model>();
    const modelFor = (schema: object): aws.apigateway.Model => {
        let model = models.get(schema);
        if (model === undefined) {
            const title = (schema as { title: string }).title;
            model = new aws.apigateway.Model(
                `${name}-model-${title}`,
                { restApi: api.id, name: title, contentType: "application/json", schema: JSON.stringify(schema) },
                opts,
            );
            models.set(schema, model);
        }
        return model;
    };

    const routeResources: pulumi.Resource[] = [];
    for (const route of routes) {
        const id = `${name}-${route.method.toLowerCase()}${route.path.replace(/[{}]/g, "").replace(/\//g, "-")}`;
        const method = new aws.apigateway.Method(
            id,
            {
                restApi: api.id,
                resourceId: resourceFor(route.path),
                httpMethod: route.method,
                authorization: "AWS_IAM",
                requestValidatorId: bodyValidator.id,
                requestModels: route.requestModel
                    ? { "application/json": modelFor(route.requestModel).name }
                    : undefined,
                requestParameters: requestParameters(route),
            },
            opts,
        );
        const fn = args.functions[route.function];
        const integration = new aws.apigateway.Integration(
            `${id}-integration`,
            {
                restApi: api.id,
                resourceId: method.resourceId,
                httpMethod: method.httpMethod,
                type: "AWS_PROXY",
                integrationHttpMethod: "POST",
                uri: fn.invokeArn,
            },
            opts,
        );
        new aws.lambda.Permission(
            `${id}-permission`,
            {
                action: "lambda:InvokeFunction",
                function: fn.name,
                principal: "apigateway.amazonaws.com",
                // This route on this stage only.
                sourceArn: pulumi.interpolate`${api.executionArn}/${stageName}/${route.method}${route.path.replace(/\{[^}]+\}/g, "*")}`,
            },
            opts,
        );
        routeResources.push(method, integration);
    }

    const deployment = new aws.apigateway.Deployment(
        `${name}-deployment`,
        {
            restApi: api.id,
            description: "Routes and models of api/contract.ts",
            // A new deployment whenever a route or a model changes.
            triggers: { routes: crypto.createHash("sha256").update(JSON.stringify(routes)).digest("hex") },
        },
        { ...opts, dependsOn: [...routeResources, ...(args.deployAfter ?? [])] },
    );
    const accessLogGroup = createEncryptedLogGroup(
        `${name}-access-logs`,
        { logGroupName: args.accessLogGroupName, retentionDays: args.logRetentionDays, kmsKeyArn: args.kmsKeyArn },
        opts,
    );
    const stage = new aws.apigateway.Stage(
        `${name}-stage`,
        {
            restApi: api.id,
            deployment: deployment.id,
            stageName,
            xrayTracingEnabled: true,
            accessLogSettings: { destinationArn: accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
        },
        opts,
    );
    new aws.apigateway.MethodSettings(
        `${name}-method-settings`,
        {
            restApi: api.id,
            stageName: stage.stageName,
            methodPath: "*/*",
            settings: {
                metricsEnabled: true,
                loggingLevel: "INFO",
                // Full request/response bodies would put sources, tokens and commands in the logs.
                dataTraceEnabled: false,
                throttlingRateLimit: args.throttlingRateLimit,
                throttlingBurstLimit: args.throttlingBurstLimit,
            },
        },
        opts,
    );
    return { api, stage, accessLogGroup };
}

function requestParameters(route: RouteContract): Record<string, boolean> | undefined {
    const parameters: Record<string, boolean> = {};
    for (const [, name] of route.path.matchAll(/\{([^}]+)\}/g)) parameters[`method.request.path.${name}`] = true;
    for (const name of route.queryParameters ?? []) parameters[`method.request.querystring.${name}`] = false;
    return Object.keys(parameters).length > 0 ? parameters : undefined;
}
