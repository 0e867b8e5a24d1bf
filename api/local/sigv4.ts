/**
 * Verifies AWS Signature Version 4 on an incoming request the way API Gateway does for methods
 * with AWS_IAM authorization, against one set of local credentials. The expected signature is
 * computed with the SDK's own signer over exactly the headers the client says it signed, and the
 * failures answer API Gateway's 403 messages and `x-amzn-ErrorType`s.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

export interface Credentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
}

export interface IncomingSignedRequest {
    method: string;
    /** Raw path as received (percent-encoded), without the query string. */
    path: string;
    /** Raw query string without `?`. */
    query: string;
    /** Lower-cased header names. */
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
}

export type Verdict = { ok: true; accessKeyId: string } | { ok: false; errorType: string; message: string };

const authorizationPattern =
    /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const maxSkewMs = 5 * 60 * 1000;

const deny = (errorType: string, message: string): Verdict => ({ ok: false, errorType, message });

export async function verifySigV4(
    request: IncomingSignedRequest,
    credentials: Credentials,
    region: string,
    now = new Date(),
): Promise<Verdict> {
    const header = (name: string) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value.join(",") : value;
    };
    const authorization = header("authorization");
    if (!authorization) return deny("MissingAuthenticationTokenException", "Missing Authentication Token");
    const match = authorizationPattern.exec(authorization.trim());
    if (!match) {
        return deny(
            "IncompleteSignatureException",
            `Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=${authorization.slice(0, 100)}`,
        );
    }
    const [, accessKeyId, scopeDate, scopeRegion, service, signedHeaderList, signature] = match;
    if (accessKeyId !== credentials.accessKeyId)
        return deny("UnrecognizedClientException", "The security token included in the request is invalid.");
    if (service !== "execute-api")
        return deny("InvalidSignatureException", "Credential should be scoped to correct service: 'execute-api'. ");
    if (scopeRegion !== region)
        return deny("InvalidSignatureException", `Credential should be scoped to a valid region. `);

    const amzDate = header("x-amz-date");
    const signedAt = amzDate && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!signedAt)
        return deny(
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        );
    const signingDate = new Date(
        Date.UTC(+signedAt[1], +signedAt[2] - 1, +signedAt[3], +signedAt[4], +signedAt[5], +signedAt[6]),
    );
    if (signingDate.getTime() < now.getTime() - maxSkewMs) {
        return deny(
            "InvalidSignatureException",
            `Signature expired: ${amzDate} is now earlier than ${basicIso(new Date(now.getTime() - maxSkewMs))} (${basicIso(now)} - 5 min.)`,
        );
    }
    if (signingDate.getTime() > now.getTime() + maxSkewMs) {
        return deny(
            "InvalidSignatureException",
            `Signature not yet current: ${amzDate} is still later than ${basicIso(new Date(now.getTime() + maxSkewMs))} (${basicIso(now)} + 5 min.)`,
        );
    }
    if (scopeDate !== amzDate.slice(0, 8))
        return deny(
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.",
        );
    if (credentials.sessionToken && header("x-amz-security-token") !== credentials.sessionToken) {
        return deny("UnrecognizedClientException", "The security token included in the request is invalid.");
    }

    const signedHeaderNames = signedHeaderList.split(";");
    if (!signedHeaderNames.includes("host")) return deny("InvalidSignatureException", mismatch);
    // A body hash header the client signed must describe the body actually sent.
    const contentHash = header("x-amz-content-sha256");
    if (contentHash !== undefined && contentHash !== createHash("sha256").update(request.body).digest("hex")) {
        return deny("InvalidSignatureException", mismatch);
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaderNames) {
        const value = header(name);
        if (value === undefined) return deny("InvalidSignatureException", mismatch);
        headers[name] = value;
    }
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(request.query)) {
        const existing = query[key];
        query[key] = existing === undefined ? value : ([] as string[]).concat(existing, value);
    }

    const signer = new SignatureV4({
        credentials,
        region,
        service: "execute-api",
        sha256: Sha256,
        applyChecksum: false,
    });
    const signed = await signer.sign(
        // The raw, still-encoded path: SigV4 for execute-api encodes it once more, as clients do.
        {
            method: request.method,
            protocol: "http:",
            hostname: headers.host,
            path: request.path,
            query,
            headers,
            body: request.body,
        },
        { signingDate, signableHeaders: new Set(signedHeaderNames) },
    );
    const expected = /SignedHeaders=([^,]+), Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization));
    const valid =
        expected &&
        expected[1] === signedHeaderList &&
        timingSafeEqual(Buffer.from(expected[2]), Buffer.from(signature));
    return valid ? { ok: true, accessKeyId } : deny("InvalidSignatureException", mismatch);
}

const mismatch =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

function basicIso(date: Date): string {
    return date
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
}
