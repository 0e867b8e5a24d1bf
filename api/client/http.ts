/**
 * SigV4-signed calls to the ATX REST API (service `execute-api`), with credentials from the
 * standard AWS provider chain (environment, shared config/credentials files and SSO, web identity,
 * container and instance metadata). Credentials are only ever handed to the signer.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { createReadStream } from "node:fs";

/** The API answered 4xx/5xx: `body` is its JSON error (or the raw text). */
export class ApiError extends Error {
    constructor(
        readonly status: number,
        readonly body: unknown,
        readonly errorType?: string,
    ) {
        super(`HTTP ${status}`);
    }
}

/** No answer: connection refused, DNS, TLS, timeout. */
export class NetworkError extends Error {}

/** No credentials found by the provider chain (or they could not be loaded). */
export class CredentialsError extends Error {}

export interface ApiClientOptions {
    baseUrl: string;
    region: string;
    timeoutMs?: number;
}

/** The region in an API Gateway invoke URL (`https://id.execute-api.<region>.amazonaws.com/prod`). */
export function regionFromUrl(url: string): string | undefined {
    try {
        return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(url).hostname)?.[1];
    } catch {
        return undefined;
    }
}

interface ErrorLike {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
}

function asErrorLike(value: unknown): ErrorLike | undefined {
    return typeof value === "object" && value !== null ? value : undefined;
}

/** A message for a failed connection, from the error chain, without URLs' query strings. */
function describeNetworkError(error: unknown): string {
    const parts: string[] = [];
    for (let e = asErrorLike(error); e && parts.length < 4; e = asErrorLike(e.cause)) {
        const text = [e.code, e.message].filter(Boolean).join(" ");
        if (text && !parts.includes(text)) parts.push(text);
    }
    return parts.join(": ").replace(/\?[^\s]*/g, "?…") || "network error";
}

/** The standard provider chain, failing with a CredentialsError that says how to configure it. */
export function credentialChain() {
    const provider = defaultProvider();
    return async () => {
        try {
            return await provider();
        } catch (error) {
            throw new CredentialsError(
                `no AWS credentials: ${(error as Error).name ?? "error"} (configure the standard provider chain: AWS_PROFILE, AWS_ACCESS_KEY_ID..., SSO, instance role)`,
            );
        }
    };
}

export class ApiClient {
    private readonly base: URL;
    private readonly signer: SignatureV4;

    constructor(private readonly options: ApiClientOptions) {
        this.base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
        this.signer = new SignatureV4({
            credentials: credentialChain(),
            region: options.region,
            service: "execute-api",
            sha256: Sha256,
        });
    }

    /** `path` is relative to the stage URL, e.g. `jobs/abc` (segments already encoded). */
    async call<T = unknown>(
        method: string,
        path: string,
        query: Record<string, string | undefined> = {},
        body?: unknown,
    ): Promise<T> {
        const url = new URL(path.replace(/^\//, ""), this.base);
        for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
        const text = body === undefined ? undefined : JSON.stringify(body);
        const signed = await this.signer.sign({
            method,
            protocol: url.protocol,
            hostname: url.hostname,
            port: url.port ? Number(url.port) : undefined,
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            headers: {
                host: url.host,
                accept: "application/json",
                ...(text !== undefined ? { "content-type": "application/json" } : {}),
            },
            body: text,
        });
        const { host: _host, ...headers } = signed.headers as Record<string, string>;
        let response: Response;
        let raw: string;
        try {
            response = await fetch(url, {
                method,
                headers,
                body: text,
                signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
            });
            raw = await response.text();
        } catch (error) {
            throw new NetworkError(describeNetworkError(error));
        }
        let parsed: unknown = raw;
        try {
            parsed = raw === "" ? null : JSON.parse(raw);
        } catch {
            /* not JSON: kept as text */
        }
        if (response.status >= 400)
            throw new ApiError(response.status, parsed, response.headers.get("x-amzn-errortype") ?? undefined);
        return parsed as T;
    }
}

/**
 * PUTs a file to a presigned URL with exactly the given headers (content-length included);
 * `onProgress` hears the bytes sent so far.
 */
export function putFile(
    uploadUrl: string,
    headers: Record<string, string>,
    file: string,
    onProgress?: (bytesSent: number) => void,
    timeoutMs = 30 * 60_000,
): Promise<void> {
    const url = new URL(uploadUrl);
    const send = url.protocol === "https:" ? httpsRequest : url.protocol === "http:" ? httpRequest : undefined;
    if (!send) return Promise.reject(new NetworkError(`unsupported upload URL scheme ${url.protocol}`));
    return new Promise((resolve, reject) => {
        const req = send(url, { method: "PUT", headers, timeout: timeoutMs }, (res: IncomingMessage) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => {
                const status = res.statusCode ?? 0;
                if (status >= 200 && status < 300) return resolve();
                // S3's XML error: code and message only (never the URL or its signature).
                const text = Buffer.concat(chunks).toString("utf8");
                const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
                const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
                reject(
                    new ApiError(status, {
                        error: {
                            code: code ?? "UploadFailed",
                            message: message ?? `the upload was refused with HTTP ${status}`,
                        },
                    }),
                );
            });
            res.on("error", (error) => reject(new NetworkError(describeNetworkError(error))));
        });
        req.on("timeout", () => req.destroy(new Error("upload timed out")));
        req.on("error", (error) => reject(new NetworkError(describeNetworkError(error))));
        const stream = createReadStream(file);
        let sent = 0;
        stream.on("data", (chunk) => onProgress?.((sent += chunk.length)));
        stream.on("error", (error) => req.destroy(error));
        stream.pipe(req);
    });
}

/** GETs a presigned URL into a buffer. */
export async function download(url: string, timeoutMs = 10 * 60_000): Promise<Buffer> {
    let response: Response;
    let data: ArrayBuffer;
    try {
        response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        data = await response.arrayBuffer();
    } catch (error) {
        throw new NetworkError(describeNetworkError(error));
    }
    if (!response.ok) {
        const text = Buffer.from(data).toString("utf8");
        const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
        throw new ApiError(response.status, {
            error: { code: code ?? "DownloadFailed", message: `the download was refused with HTTP ${response.status}` },
        });
    }
    return Buffer.from(data);
}
