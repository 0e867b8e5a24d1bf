/**
 * The manifest of a bulk request: the validated request body, as received, as one object in the
 * source bucket under `bulkManifestPrefix`, encrypted with the stack's KMS key. POST /jobs/batch
 * writes it and answers; the bulk submitter's recording step reads it, validates it again with the
 * same rules (a changed allow-list fails the batch rather than submit what it now forbids), writes
 * the job items and deletes it. Storing the body as it came saves the API re-serialising 10,000 jobs.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { s3Client } from "./clients";
import { env } from "./config";
import { bulkManifestPrefix, limits } from "./limits";
import { validateBulkRequest, type JobSpec } from "./validation/requests";

/** One object per batch and request body, so a conflicting request never overwrites a batch's manifest. */
export const manifestKey = (batchId: string, requestHash: string) =>
    `${bulkManifestPrefix}${batchId}/${requestHash}.json`;

export async function putManifest(key: string, requestBody: string): Promise<void> {
    await s3Client().send(
        new PutObjectCommand({
            Bucket: env.sourceBucket(),
            Key: key,
            Body: requestBody,
            ContentType: "application/json",
            ServerSideEncryption: "aws:kms",
            SSEKMSKeyId: env.kmsKeyId(),
        }),
    );
}

export async function readManifest(key: string): Promise<JobSpec[]> {
    const { Body } = await s3Client().send(new GetObjectCommand({ Bucket: env.sourceBucket(), Key: key }));
    const request: unknown = JSON.parse((await Body?.transformToString("utf8")) ?? "null");
    return validateBulkRequest(request, env.jobRules(), limits.bulkMaxJobs).jobs;
}

/** Deleting a missing object succeeds, so a repeated recording step can always call this. */
export async function deleteManifest(key: string): Promise<void> {
    await s3Client().send(new DeleteObjectCommand({ Bucket: env.sourceBucket(), Key: key }));
}
