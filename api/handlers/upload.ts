/**
 * Lambda `upload`: POST /upload answers a presigned PUT URL for one archive under the source
 * bucket's `uploads/` prefix. Size, content type and SSE-KMS headers are part of the signature,
 * so the client must send exactly what was asked for, encrypted with the stack's key.
 */
import { randomUUID } from "node:crypto";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { s3Client } from "../lib/clients";
import { env } from "../lib/config";
import { apiHandler, json, parseJsonBody } from "../lib/http";
import { validateUploadRequest } from "../lib/validation/requests";

async function createUpload(event: APIGatewayProxyEvent) {
    const request = validateUploadRequest(parseJsonBody(event), env.uploadMaxBytes());
    const bucket = env.sourceBucket();
    const key = `uploads/${randomUUID()}/${request.fileName}`;
    const expiresIn = env.uploadUrlTtlSeconds();
    const headers = {
        "content-type": request.contentType,
        "content-length": String(request.contentLength),
        "x-amz-server-side-encryption": "aws:kms",
        "x-amz-server-side-encryption-aws-kms-key-id": env.kmsKeyId(),
    };
    const command = new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: request.contentType,
        ContentLength: request.contentLength,
        ServerSideEncryption: "aws:kms",
        SSEKMSKeyId: env.kmsKeyId(),
    });
    const uploadUrl = await getSignedUrl(s3Client(), command, {
        expiresIn,
        signableHeaders: new Set(["content-type", "content-length"]),
        // Kept as signed headers rather than query parameters, so S3 enforces them on the PUT.
        unhoistableHeaders: new Set(["x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"]),
    });
    return json(200, {
        uploadUrl,
        method: "PUT",
        headers,
        s3Uri: `s3://${bucket}/${key}`,
        expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    });
}

export const handler = apiHandler({ "POST /upload": createUpload });
