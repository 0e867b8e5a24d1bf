/**
 * The API Gateway (REST, Lambda proxy) side of the handlers: routing by resource and method, body
 * parsing with a size bound, and turning every failure into the JSON error format of errors.ts.
 * Bad input always ends as a 4xx; only faults of the platform itself answer 5xx.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { env } from "./config";
import { ApiError } from "./errors";
import { describeError, isThrottling } from "./retry";

export type Route = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const securityHeaders = {
    "content-type": "application/json",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
};

export function json(statusCode: number, body: unknown): APIGatewayProxyResult {
    return { statusCode, headers: securityHeaders, body: JSON.stringify(body) };
}

/** The request body as text (API Gateway base64-encodes some). */
export function requestBodyText(event: APIGatewayProxyEvent): string {
    return event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");
}

export function parseJsonBody(event: APIGatewayProxyEvent): unknown {
    const bytes = Buffer.from(requestBodyText(event), "utf8");
    const max = env.maxBodyBytes();
    if (bytes.length > max) throw new ApiError("PayloadTooLarge", `request body must be at most ${max} bytes`);
    if (bytes.length === 0) throw new ApiError("InvalidJson", "request body must be a JSON document");
    try {
        return JSON.parse(bytes.toString("utf8"));
    } catch {
        throw new ApiError("InvalidJson", "request body is not valid JSON");
    }
}

/** One Lambda handler serving several routes, keyed `"<METHOD> <resource>"` as in contract.ts. */
export function apiHandler(routes: Record<string, Route>) {
    return async (event: APIGatewayProxyEvent, context?: Partial<Context>): Promise<APIGatewayProxyResult> => {
        const route = routes[`${event.httpMethod} ${event.resource}`];
        try {
            if (!route) throw new ApiError("NotFound", `no route for ${event.httpMethod} ${event.resource}`);
            return await route(event);
        } catch (error) {
            return errorResponse(error, context?.awsRequestId ?? event.requestContext?.requestId);
        }
    };
}

function errorResponse(error: unknown, requestId?: string): APIGatewayProxyResult {
    if (error instanceof ApiError) return json(error.statusCode, error.toBody());
    console.error(JSON.stringify({ level: "error", requestId, error: describeError(error) }));
    const failure = isThrottling(error)
        ? new ApiError("ServiceUnavailable", "the service is busy; retry with backoff")
        : new ApiError("InternalError", `internal error${requestId ? ` (request ${requestId})` : ""}`);
    return json(failure.statusCode, failure.toBody());
}
