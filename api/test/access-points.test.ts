import * as assert from "assert";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { resetClients, s3Client } from "../lib/clients";
import { env } from "../lib/config";

const ACCESS_POINT = "arn:aws:s3:us-east-1:123456789012:accesspoint/atx-api-source";
const VARIABLES = ["SOURCE_BUCKET", "SOURCE_BUCKET_ACCESS_POINT", "OUTPUT_BUCKET", "OUTPUT_BUCKET_ACCESS_POINT"];

/** Signing needs a region and credentials, nothing is sent. */
const SIGNER = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIATESTING", AWS_SECRET_ACCESS_KEY: "secret" };

describe("S3 requests through the functions' access points", () => {
    const saved: Record<string, string | undefined> = {};
    beforeEach(() => {
        for (const name of [...VARIABLES, ...Object.keys(SIGNER), "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"]) {
            saved[name] = process.env[name];
            delete process.env[name];
        }
        Object.assign(process.env, {
            ...SIGNER,
            SOURCE_BUCKET: "atx-custom-source-123456789012",
            OUTPUT_BUCKET: "atx-custom-output-123456789012",
        });
        resetClients();
    });
    afterEach(() => {
        for (const [name, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[name];
            else process.env[name] = value;
        }
        resetClients();
    });

    it("addresses a bucket through its access point only when the function has one for it", () => {
        assert.strictEqual(env.s3Address("atx-custom-source-123456789012"), "atx-custom-source-123456789012");
        process.env.SOURCE_BUCKET_ACCESS_POINT = ACCESS_POINT;
        assert.strictEqual(env.s3Address("atx-custom-source-123456789012"), ACCESS_POINT);
        assert.strictEqual(env.s3Address("atx-custom-output-123456789012"), "atx-custom-output-123456789012");
        assert.strictEqual(env.s3Address("another-bucket"), "another-bucket");
    });

    it("signs upload URLs for the access point's host while the request names the bucket", async () => {
        process.env.SOURCE_BUCKET_ACCESS_POINT = ACCESS_POINT;
        const client = s3Client();
        const url = new URL(
            await getSignedUrl(
                client,
                new PutObjectCommand({ Bucket: "atx-custom-source-123456789012", Key: "uploads/a/p.zip" }),
                { expiresIn: 60 },
            ),
        );
        assert.strictEqual(url.host, "atx-api-source-123456789012.s3-accesspoint.us-east-1.amazonaws.com");
        assert.strictEqual(url.pathname, "/uploads/a/p.zip");
    });
});
