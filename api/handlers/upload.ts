/**
 * Lambda `upload`: POST /upload answers a presigned PUT URL for one archive under the source
 * bucket's `uploads/` prefix. Size, content type and SSE-KMS headers are part of the signature,
 * so the client must send exactly what was asked for, encrypted with the stack's key.
 *
 * The AWS sample's request names only the file, and its users PUT with a content type alone. For a
 * request without `contentLength` the URL signs the content type only: the bucket's default
 * encryption applies the stack's key (its policy refuses any other), S3 caps a PUT at 5 GiB, and
 * the job refuses an archive over its size limit before downloading it.
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
    const sized = request.contentLength !== undefined;
    const headers: Record<string, string> = { "content-type": request.contentType };
    if (sized) {
        headers["content-length"] = String(request.contentLength);
        headers["x-amz-server-side-encryption"] = "aws:kms";
        headers["x-amz-server-side-encryption-aws-kms-key-id"] = env.kmsKeyId();
    }
    const command = new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: request.contentType,
        ...(sized
            ? { ContentLength: request.contentLength, ServerSideEncryption: "aws:kms", SSEKMSKeyId: env.kmsKeyId() }
            : {}),
    });
    const uploadUrl = await getSignedUrl(s3Client(), command, {
        expiresIn,
        signableHeaders: new Set(sized ? ["content-type", "content-length"] : ["content-type"]),
        // Kept as signed headers rather than query parameters, so S3 enforces them on the PUT.
        unhoistableHeaders: new Set(["x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"]),
    });
    const s3Uri = `s3://${bucket}/${key}`;
    return json(200, {
        uploadUrl,
        method: "PUT",
        headers,
        s3Uri,
        // The AWS sample's name for the same location.
        s3Path: s3Uri,
        expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    });
}

export const handler = apiHandler({ "POST /upload": createUpload });
