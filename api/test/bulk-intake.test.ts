/**
 * POST /jobs/batch and the recording step, called in-process against moto: the POST writes a
 * manifest, the batch item and one message; retries name the same batch; the recording step
 * writes the jobs under deterministic keys, queues them and deletes the manifest, and can run again
 * without resetting a job that moved on.
 */
import { strict as assert } from "node:assert";
import {
    DeleteObjectCommand,
    GetObjectCommand,
    HeadObjectCommand,
    ListObjectsV2Command,
    S3Client,
} from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { handler as batches } from "../handlers/batches";
import { createSubmitter } from "../handlers/bulk-submitter";
import { resetClients } from "../lib/clients";
import { bulkManifestPrefix } from "../lib/limits";
import { bulkJobKey, claimBatchRecording, claimForSubmission, getBatch, getJob } from "../lib/store";
import { useMoto } from "./support/moto";

function post(body: unknown, headers: Record<string, string> = {}, caller = "arn:aws:iam::123456789012:user/a") {
    return batches({
        httpMethod: "POST",
        resource: "/jobs/batch",
        body: JSON.stringify(body),
        headers,
        requestContext: { requestId: "r", identity: { userArn: caller } },
    } as unknown as APIGatewayProxyEvent);
}

function getStatus(batchId: string) {
    return batches({
        httpMethod: "GET",
        resource: "/jobs/batch/{batchId}",
        pathParameters: { batchId },
        headers: {},
        requestContext: { requestId: "r" },
    } as unknown as APIGatewayProxyEvent);
}

/** The fields these tests read from the handler's answers. */
interface Answer {
    batchId: string;
    totalJobs: number;
    status: string;
    progress: number;
    counts: Record<string, number>;
    statusCounts: Record<string, number>;
    error: { code: string; field?: string };
}
const answerOf = (response: { body: string }) => JSON.parse(response.body) as Answer;

const jobs = (n: number, tag = "a") =>
    Array.from({ length: n }, (_, i) => ({ command: `atx custom def exec -n T${i}`, jobName: `job-${tag}-${i}` }));

const recordMessage = (batchId: string, receives = "1") =>
    ({
        Records: [
            {
                messageId: `record-${batchId}`,
                body: JSON.stringify({ kind: "record", batchId }),
                attributes: { ApproximateReceiveCount: receives },
            },
        ],
    }) as never;

describe("bulk intake (in-process, against moto)", () => {
    const moto = useMoto("intake");
    const saved = { ...process.env };
    let s3: S3Client;
    let sqs: SQSClient;
    const queued = async () => {
        const { Attributes = {} } = await sqs.send(
            new GetQueueAttributesCommand({
                QueueUrl: moto.resources.BULK_QUEUE_URL,
                AttributeNames: ["ApproximateNumberOfMessages"],
            }),
        );
        return Number(Attributes.ApproximateNumberOfMessages);
    };
    const manifests = async () =>
        (await s3.send(new ListObjectsV2Command({ Bucket: moto.resources.SOURCE_BUCKET, Prefix: bulkManifestPrefix })))
            .Contents ?? [];

    before(() => {
        Object.assign(process.env, moto.environment);
        resetClients();
        s3 = new S3Client({ endpoint: moto.url, region: "us-east-1", forcePathStyle: true });
        sqs = new SQSClient({ endpoint: moto.url, region: "us-east-1", useQueueUrlAsEndpoint: false });
    });
    after(() => {
        process.env = saved;
        resetClients();
    });

    it("answers after storing the manifest (SSE-KMS), the batch and one message, with no job written", async () => {
        const before = await queued();
        const response = await post({ batchName: "first", jobs: jobs(250) });
        assert.equal(response.statusCode, 202, response.body);
        const { batchId, totalJobs, status } = answerOf(response);
        assert.deepEqual([totalJobs, status], [250, "SUBMITTING"]);
        const batch = (await getBatch(batchId))!;
        assert.ok(batch.manifestKey.startsWith(`${bulkManifestPrefix}${batchId}/`));
        const head = await s3.send(
            new HeadObjectCommand({ Bucket: moto.resources.SOURCE_BUCKET, Key: batch.manifestKey }),
        );
        assert.equal(head.ServerSideEncryption, "aws:kms");
        assert.equal(await queued(), before + 1);
        assert.equal(await getJob(bulkJobKey(batchId, 0)), undefined);
        const answer = answerOf(await getStatus(batchId));
        assert.deepEqual([answer.counts.QUEUED, answer.progress, answer.statusCounts], [250, 0, { QUEUED: 250 }]);
    });

    it("names the same batch for a retried request, by Idempotency-Key or by body, and refuses a reused key", async () => {
        const body = { batchName: "retried", jobs: jobs(3) };
        const first = answerOf(await post(body, { "Idempotency-Key": "nightly-1" })).batchId;
        const again = await post(body, { "idempotency-key": "nightly-1" });
        assert.deepEqual([again.statusCode, answerOf(again).batchId], [202, first]);

        const other = await post({ batchName: "retried", jobs: jobs(4) }, { "Idempotency-Key": "nightly-1" });
        assert.equal(other.statusCode, 409);
        assert.equal(answerOf(other).error.code, "Conflict");
        const kept = await s3.send(
            new GetObjectCommand({ Bucket: moto.resources.SOURCE_BUCKET, Key: (await getBatch(first))!.manifestKey }),
        );
        assert.equal((JSON.parse(await kept.Body!.transformToString()) as { jobs: unknown[] }).jobs.length, 3);

        const byBody = answerOf(await post(body)).batchId;
        assert.equal(answerOf(await post(body)).batchId, byBody);
        assert.notEqual(byBody, first);
        assert.notEqual(answerOf(await post({ ...body, batchName: "retried-2" })).batchId, byBody);
        assert.notEqual(
            answerOf(await post(body, {}, "arn:aws:iam::123456789012:user/b")).batchId,
            byBody,
            "another caller's identical request is another batch",
        );

        const bad = await post(body, { "Idempotency-Key": "has spaces" });
        assert.equal(bad.statusCode, 400);
        assert.equal(answerOf(bad).error.field, "Idempotency-Key");
    });

    it("records the jobs under deterministic keys, queues them, deletes the manifest, and can run again", async () => {
        const { batchId } = answerOf(await post({ batchName: "recorded", jobs: jobs(250, "r") }));
        const manifestKey = (await getBatch(batchId))!.manifestKey;
        const before = await queued();
        const submitter = createSubmitter();
        assert.deepEqual(await submitter(recordMessage(batchId)), { batchItemFailures: [] });
        const job = (await getJob(bulkJobKey(batchId, 249)))!;
        assert.deepEqual(
            [job.jobName, job.status, job.batchIndex, job.outputPrefix],
            ["job-r-249", "QUEUED", 249, `${batchId}/job-r-249-249`],
        );
        assert.ok((await getBatch(batchId))!.jobsRecordedAt);
        assert.equal(await queued(), before + 3, "one submit message per 100 jobs");
        assert.ok(!(await manifests()).some((o) => o.Key === manifestKey), "manifest deleted");

        // A job moves on; a redelivered recording message leaves it alone and queues the jobs again.
        const claimed = (await claimForSubmission((await getJob(bulkJobKey(batchId, 0)))!, 60_000))!;
        assert.deepEqual(await submitter(recordMessage(batchId, "2")), { batchItemFailures: [] });
        const after = (await getJob(bulkJobKey(batchId, 0)))!;
        assert.deepEqual([after.status, after.rev], ["SUBMITTING", claimed.rev]);
        assert.equal(await queued(), before + 6);
    });

    it("hands a recording message back while another recorder holds the batch", async () => {
        const { batchId } = answerOf(await post({ batchName: "leased", jobs: jobs(2, "l") }));
        process.env.SUBMIT_LEASE_SECONDS = "60";
        try {
            assert.equal(await claimBatchRecording(batchId, 60_000), true);
            assert.deepEqual(await createSubmitter()(recordMessage(batchId)), {
                batchItemFailures: [{ itemIdentifier: `record-${batchId}` }],
            });
            assert.equal(await getJob(bulkJobKey(batchId, 0)), undefined);
        } finally {
            delete process.env.SUBMIT_LEASE_SECONDS;
        }
    });

    it("records a batch whose manifest cannot be read as failed on the message's last delivery", async () => {
        const { batchId } = answerOf(await post({ batchName: "lost", jobs: jobs(5, "x") }));
        await s3.send(
            new DeleteObjectCommand({
                Bucket: moto.resources.SOURCE_BUCKET,
                Key: (await getBatch(batchId))!.manifestKey,
            }),
        );
        const submitter = createSubmitter();
        assert.equal((await submitter(recordMessage(batchId, "1"))).batchItemFailures.length, 1);
        assert.deepEqual(await submitter(recordMessage(batchId, "5")), { batchItemFailures: [] });
        const answer = answerOf(await getStatus(batchId));
        assert.deepEqual([answer.status, answer.counts.SUBMIT_FAILED, answer.counts.QUEUED], ["FAILED", 5, 0]);
    });
});
