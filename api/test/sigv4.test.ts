import { strict as assert } from "node:assert";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { verifySigV4, type IncomingSignedRequest } from "../local/sigv4";

const credentials = { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" };
const now = new Date("2026-06-01T12:00:00Z");

async function signed(
    overrides: {
        secret?: string;
        region?: string;
        service?: string;
        date?: Date;
        path?: string;
        query?: Record<string, string>;
        body?: string;
    } = {},
): Promise<IncomingSignedRequest> {
    const signer = new SignatureV4({
        credentials: { ...credentials, secretAccessKey: overrides.secret ?? credentials.secretAccessKey },
        region: overrides.region ?? "us-east-1",
        service: overrides.service ?? "execute-api",
        sha256: Sha256,
    });
    // Encoded, as SDK clients put it in the request they sign and send.
    const path = overrides.path ?? "/prod/jobs/abc";
    const body = overrides.body ?? '{"command":"atx custom"}';
    const query = overrides.query ?? { limit: "5", status: "RUNNING" };
    const request = await signer.sign(
        {
            method: "POST",
            protocol: "http:",
            hostname: "127.0.0.1",
            port: 3000,
            path,
            query,
            headers: { host: "127.0.0.1:3000", "content-type": "application/json" },
            body,
        },
        { signingDate: overrides.date ?? now },
    );
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { method: "POST", path, query: new URLSearchParams(query).toString(), headers, body: Buffer.from(body) };
}

const verify = (request: IncomingSignedRequest) => verifySigV4(request, credentials, "us-east-1", now);

describe("SigV4 verification", () => {
    it("accepts a request signed with the local credentials", async () => {
        assert.deepEqual(await verify(await signed()), { ok: true, accessKeyId: "AKIDLOCAL" });
        assert.deepEqual(await verify(await signed({ path: "/prod/jobs/a%20b%2Cc", query: { nextToken: "x/y=z" } })), {
            ok: true,
            accessKeyId: "AKIDLOCAL",
        });
    });

    it("answers API Gateway's missing-token 403 for an unsigned request", async () => {
        const request = await signed();
        delete request.headers.authorization;
        assert.deepEqual(await verify(request), {
            ok: false,
            errorType: "MissingAuthenticationTokenException",
            message: "Missing Authentication Token",
        });
    });

    const mismatch = /^The request signature we calculated does not match/;
    const tamperings: [string, (r: IncomingSignedRequest) => void][] = [
        ["body", (r) => (r.body = Buffer.from('{"command":"atx evil"}'))],
        ["path", (r) => (r.path = "/prod/jobs/abd")],
        ["query", (r) => (r.query = "limit=6&status=RUNNING")],
        ["method", (r) => (r.method = "DELETE")],
        ["signed header", (r) => (r.headers["content-type"] = "text/plain")],
        ["host", (r) => (r.headers.host = "127.0.0.1:3001")],
        [
            "signature",
            (r) =>
                (r.headers.authorization = String(r.headers.authorization).replace(/.$/, (last) =>
                    last === "0" ? "1" : "0",
                )),
        ],
    ];
    for (const [what, tamper] of tamperings) {
        it(`rejects a request whose ${what} changed after signing`, async () => {
            const request = await signed();
            tamper(request);
            const verdict = await verify(request);
            assert.equal(verdict.ok, false);
            if (!verdict.ok) {
                assert.equal(verdict.errorType, "InvalidSignatureException");
                assert.match(verdict.message, mismatch);
            }
        });
    }

    it("rejects a wrong secret, an unknown key, another service or region, and stale or future dates", async () => {
        const wrongSecret = await verify(await signed({ secret: "guess" }));
        assert.ok(!wrongSecret.ok && mismatch.test(wrongSecret.message));
        const unknownKey = await verifySigV4(
            await signed(),
            { ...credentials, accessKeyId: "OTHER" },
            "us-east-1",
            now,
        );
        assert.ok(!unknownKey.ok && unknownKey.errorType === "UnrecognizedClientException");
        const otherService = await verify(await signed({ service: "s3" }));
        assert.ok(!otherService.ok && /execute-api/.test(otherService.message));
        const otherRegion = await verify(await signed({ region: "eu-west-1" }));
        assert.ok(!otherRegion.ok && /region/.test(otherRegion.message));
        const stale = await verify(await signed({ date: new Date(now.getTime() - 6 * 60_000) }));
        assert.ok(!stale.ok && /^Signature expired/.test(stale.message));
        const future = await verify(await signed({ date: new Date(now.getTime() + 6 * 60_000) }));
        assert.ok(!future.ok && /^Signature not yet current/.test(future.message));
    });

    it("rejects malformed authorization headers", async () => {
        for (const authorization of [
            "Bearer x",
            "AWS4-HMAC-SHA256 Credential=AKIDLOCAL",
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=zz",
        ]) {
            const request = await signed();
            request.headers.authorization = authorization;
            const verdict = await verify(request);
            assert.ok(!verdict.ok && verdict.errorType === "IncompleteSignatureException", authorization);
        }
    });
});
