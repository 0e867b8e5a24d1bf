/**
 * Lambda `mcp-config`: POST /mcp-config validates an MCP configuration and stores it, SSE-KMS
 * encrypted, at MCP_CONFIG_KEY in the source bucket, where every job loads it at start.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { s3Client } from "../lib/clients";
import { env } from "../lib/config";
import { ApiError } from "../lib/errors";
import { apiHandler, json, parseJsonBody } from "../lib/http";
import { limits } from "../lib/limits";
import { validateMcpConfig } from "../lib/validation/mcp-config";

async function storeMcpConfig(event: APIGatewayProxyEvent) {
    const config = validateMcpConfig(parseJsonBody(event));
    const body = JSON.stringify(config, null, 2);
    if (Buffer.byteLength(body) > limits.mcpConfigMaxBytes) {
        throw new ApiError(
            "PayloadTooLarge",
            `the MCP configuration must be at most ${limits.mcpConfigMaxBytes} bytes`,
        );
    }
    const bucket = env.sourceBucket();
    const key = env.mcpConfigKey();
    await s3Client().send(
        new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: "application/json",
            ServerSideEncryption: "aws:kms",
            SSEKMSKeyId: env.kmsKeyId(),
        }),
    );
    return json(200, {
        s3Uri: `s3://${bucket}/${key}`,
        servers: Object.keys(config.mcpServers),
        bytes: Buffer.byteLength(body),
    });
}

export const handler = apiHandler({ "POST /mcp-config": storeMcpConfig });
