/**
 * The local stand-in for API Gateway: an HTTP server on 127.0.0.1 that checks SigV4 like an
 * AWS_IAM method, turns each request into a REST API proxy event for the function contract.ts
 * routes it to, and writes the function's answer back. Requests may carry the stage prefix
 * (`/prod/jobs`) or not (`/jobs`).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { functions, routes, stageName, type FunctionName, type RouteContract } from "../contract";
import { verifySigV4, type Credentials } from "./sigv4";

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Partial<Context>) => Promise<APIGatewayProxyResult>;

export interface LocalApiOptions {
    port: number;
    credentials: Credentials;
    region: string;
    handlers: Partial<Record<FunctionName, ProxyHandler>>;
}

/** API Gateway's own payload limit. */
const maxPayloadBytes = 10 * 1024 * 1024;
const accountId = "123456789012";

interface CompiledRoute extends RouteContract {
    pattern: RegExp;
    parameterNames: string[];
    /** Literal segments win over parameters, as in API Gateway: routes are tried most literal first. */
    specificity: number;
}

const compiledRoutes: CompiledRoute[] = routes
    .map((route) => {
        const segments = route.path.split("/").slice(1);
        const parameterNames = segments.filter((s) => s.startsWith("{")).map((s) => s.slice(1, -1));
        const pattern = new RegExp(`^/${segments.map((s) => (s.startsWith("{") ? "([^/]+)" : s)).join("/")}/?$`);
        const specificity = segments.reduce((score, s, i) => score + (s.startsWith("{") ? 0 : 2 ** (10 - i)), 0);
        return { ...route, pattern, parameterNames, specificity };
    })
    .sort((a, b) => b.specificity - a.specificity);

function matchRoute(method: string, rawPath: string) {
    let path: string;
    try {
        path = decodeURI(rawPath);
    } catch {
        return undefined; // malformed percent-encoding: no resource matches
    }
    for (const route of compiledRoutes) {
        const match = route.pattern.exec(path);
        if (match && route.method === method) {
            const pathParameters = Object.fromEntries(
                route.parameterNames.map((name, i) => [name, decodeURIComponent(match[i + 1])]),
            );
            return { route, path, pathParameters };
        }
    }
    return undefined;
}

function gatewayError(res: ServerResponse, status: number, errorType: string, message: string) {
    res.writeHead(status, {
        "content-type": "application/json",
        "x-amzn-errortype": errorType,
        "x-amzn-requestid": randomUUID(),
    });
    res.end(JSON.stringify({ message }));
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size <= maxPayloadBytes) chunks.push(chunk);
        });
        req.on("end", () => resolve(size > maxPayloadBytes ? undefined : Buffer.concat(chunks)));
        req.on("error", reject);
    });
}

export function toProxyEvent(
    req: IncomingMessage,
    path: string,
    query: string,
    body: Buffer,
    route: CompiledRoute,
    pathParameters: Record<string, string>,
    accessKeyId: string,
): APIGatewayProxyEvent {
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
        headers[name] = value;
        (multiValueHeaders[name] ??= []).push(value);
    }
    const params = new URLSearchParams(query);
    const multiValueQuery: Record<string, string[]> = {};
    for (const [key, value] of params) (multiValueQuery[key] ??= []).push(value);
    const hasQuery = Object.keys(multiValueQuery).length > 0;
    const requestId = randomUUID();
    return {
        resource: route.path,
        path,
        httpMethod: route.method,
        headers,
        multiValueHeaders,
        queryStringParameters: hasQuery
            ? Object.fromEntries(Object.entries(multiValueQuery).map(([k, v]) => [k, v[v.length - 1]]))
            : null,
        multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
        pathParameters: route.parameterNames.length ? pathParameters : null,
        stageVariables: null,
        body: body.length ? body.toString("utf8") : null,
        isBase64Encoded: false,
        requestContext: {
            accountId,
            apiId: "local",
            authorizer: null,
            protocol: "HTTP/1.1",
            httpMethod: route.method,
            path: `/${stageName}${path}`,
            stage: stageName,
            requestId,
            requestTimeEpoch: Date.now(),
            resourceId: "local",
            resourcePath: route.path,
            identity: {
                accessKey: accessKeyId,
                accountId,
                caller: accessKeyId,
                user: accessKeyId,
                userArn: `arn:aws:iam::${accountId}:user/local`,
                sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
                userAgent: req.headers["user-agent"] ?? null,
                apiKey: null,
                apiKeyId: null,
                clientCert: null,
                cognitoAuthenticationProvider: null,
                cognitoAuthenticationType: null,
                cognitoIdentityId: null,
                cognitoIdentityPoolId: null,
                principalOrgId: null,
            },
        },
    };
}

/** Answers one request as API Gateway and the Lambda function would; never rejects. */
async function answer(req: IncomingMessage, res: ServerResponse, options: LocalApiOptions): Promise<void> {
    try {
        const url = new URL(req.url ?? "/", "http://local");
        const rawPath = url.pathname.startsWith(`/${stageName}/`)
            ? url.pathname.slice(stageName.length + 1)
            : url.pathname;
        const body = await readBody(req);
        if (!body) return gatewayError(res, 413, "RequestTooLarge", "Request Too Long");
        const matched = matchRoute(req.method ?? "GET", rawPath);
        // API Gateway answers an unknown resource or method with this 403, before checking signatures.
        if (!matched)
            return gatewayError(res, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");

        const verdict = await verifySigV4(
            {
                method: req.method ?? "GET",
                path: url.pathname,
                query: url.search.slice(1),
                headers: req.headers,
                body,
            },
            options.credentials,
            options.region,
        );
        if (!verdict.ok) return gatewayError(res, 403, verdict.errorType, verdict.message);

        const handler = options.handlers[matched.route.function];
        if (!handler) return gatewayError(res, 502, "InternalServerErrorException", "Internal server error");
        const event = toProxyEvent(
            req,
            matched.path,
            url.search.slice(1),
            body,
            matched.route,
            matched.pathParameters,
            verdict.accessKeyId,
        );
        const started = Date.now();
        const timeoutMs = functions[matched.route.function].timeoutSeconds * 1000;
        const result = await handler(event, {
            awsRequestId: event.requestContext.requestId,
            getRemainingTimeInMillis: () => timeoutMs - (Date.now() - started),
        });
        res.writeHead(result.statusCode, {
            ...(result.headers as Record<string, string>),
            "x-amzn-requestid": event.requestContext.requestId,
        });
        res.end(result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body);
    } catch (error) {
        // What API Gateway answers when the Lambda function itself fails.
        console.error("local api: handler failed:", error);
        if (!res.headersSent) gatewayError(res, 502, "InternalServerErrorException", "Internal server error");
        else res.end();
    }
}

export function startLocalApi(options: LocalApiOptions): Promise<Server> {
    const server = createServer((req, res) => void answer(req, res, options));
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, "127.0.0.1", () => resolve(server));
    });
}
