/** A client for the local API that signs requests with SigV4 like the AWS CLI or SDK would. */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

export interface ApiResponse<T = unknown> {
    status: number;
    headers: Headers;
    body: T;
}

export interface ClientOptions {
    credentials?: { accessKeyId: string; secretAccessKey: string };
    region?: string;
    /** Changes the signed request after signing (to test tampering). */
    tamper?: (request: { path: string; body?: string; headers: Record<string, string> }) => void;
    unsigned?: boolean;
    signingDate?: Date;
}

export const localCredentials = { accessKeyId: "test", secretAccessKey: "test" };

export async function callApi<T = unknown>(
    baseUrl: string,
    method: string,
    pathAndQuery: string,
    body?: unknown,
    options: ClientOptions = {},
): Promise<ApiResponse<T>> {
    const url = new URL(pathAndQuery, baseUrl);
    const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const query: Record<string, string> = Object.fromEntries(url.searchParams);
    let headers: Record<string, string> = {
        host: url.host,
        ...(text !== undefined ? { "content-type": "application/json" } : {}),
    };
    if (!options.unsigned) {
        const signer = new SignatureV4({
            credentials: options.credentials ?? localCredentials,
            region: options.region ?? "us-east-1",
            service: "execute-api",
            sha256: Sha256,
        });
        const signed = await signer.sign(
            {
                method,
                protocol: url.protocol,
                hostname: url.hostname,
                port: Number(url.port),
                path: url.pathname,
                query,
                headers,
                body: text,
            },
            { signingDate: options.signingDate },
        );
        headers = signed.headers;
    }
    const request = { path: url.pathname + url.search, body: text, headers };
    options.tamper?.(request);
    const { host: _host, ...sent } = request.headers;
    const response = await fetch(new URL(request.path, baseUrl), { method, headers: sent, body: request.body });
    const raw = await response.text();
    let parsed: unknown = raw;
    try {
        parsed = JSON.parse(raw);
    } catch {
        /* not JSON */
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
}
