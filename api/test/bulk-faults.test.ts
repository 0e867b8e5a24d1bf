/**
 * A 1,000-job bulk submission through api:local while a proxy before the emulator throttles, fails
 * and loses the answers of a share of SubmitJob calls, with the batch's recording message delivered
 * twice and the POST retried: every job must end submitted exactly once or recorded failed with a
 * reason, the batch counters must add up and agree with the job items shard by shard, the status must
 * list exactly the first failed jobs, and the manifest must be gone.
 */
import { strict as assert } from "node:assert";
import { BatchClient, DescribeJobsCommand, ListJobsCommand } from "@aws-sdk/client-batch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, paginateScan } from "@aws-sdk/lib-dynamodb";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { failuresShown } from "../handlers/batches";
import { bulkManifestPrefix } from "../lib/limits";
import { counterShards, counterSk } from "../lib/store";
import { startFaultProxy, type FaultProxy } from "./support/fault-proxy";
import { startApiLocal, type RunningApi } from "./support/local-api";
import { eventually, useMoto } from "./support/moto";
import type { BatchAnswer } from "./support/api-answers";
import { callApi } from "./support/signed-client";

const totalJobs = 1000;

/** A counter shard of the batch, as far as these checks read it. */
interface CounterShard {
    SUCCEEDED?: number;
    SUBMIT_FAILED?: number;
}

/** The table item of one job of a batch, as far as these checks read it. */
interface RecordedJob {
    jobKey: string;
    jobName: string;
    batchIndex: number;
    status: string;
    statusReason?: string;
    batchJobId?: string;
}

describe("bulk submission of 1,000 jobs under injected faults", function () {
    this.timeout(240_000);
    const moto = useMoto("faults");
    let proxy: FaultProxy;
    let api: RunningApi;

    before(async () => {
        proxy = await startFaultProxy(moto.url, { throttle: 0.15, serverError: 0.1, failAfterForward: 0.1 });
        api = await startApiLocal({
            ...moto.environment,
            AWS_ENDPOINT_URL: proxy.url,
            SUBMIT_RATE_PER_SECOND: "1000",
            SUBMIT_CONCURRENCY: "8",
            // Few attempts: about one job in 60 meets only faults and ends SUBMIT_FAILED, so the failure
            // listing and the counters are checked against real failures.
            SUBMIT_MAX_ATTEMPTS: "3",
            RETRY_BASE_DELAY_MS: "20",
            RETRY_MAX_DELAY_MS: "400",
            LOCAL_JOB_EVENTS_INTERVAL_MS: "1000",
        });
    });
    after(async () => {
        await api?.stop();
        await proxy?.stop();
    });

    it("accounts for every job exactly once", async () => {
        // Jobs share a handful of names, so finding a job in Batch has to rely on its key tag.
        const jobs = Array.from({ length: totalJobs }, (_, i) => ({
            command: `atx custom def exec -n T${i % 7}`,
            jobName: `shared-${i % 5}`,
        }));
        const accepted = await callApi<BatchAnswer>(api.url, "POST", "/jobs/batch", { batchName: "faults", jobs });
        assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
        const { batchId } = accepted.body;
        // A second delivery of the recording step, racing the first.
        const sqs = new SQSClient({ endpoint: moto.url, region: "us-east-1", useQueueUrlAsEndpoint: false });
        await sqs.send(
            new SendMessageCommand({
                QueueUrl: moto.resources.BULK_QUEUE_URL,
                MessageBody: JSON.stringify({ kind: "record", batchId }),
            }),
        );
        // The client retries the POST: same batch, nothing recorded twice.
        const retried = await callApi<BatchAnswer>(api.url, "POST", "/jobs/batch", { batchName: "faults", jobs });
        assert.deepEqual([retried.status, retried.body.batchId], [202, batchId]);

        const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: moto.url, region: "us-east-1" }));
        const final = await eventually(
            async () => {
                const status = (await callApi<BatchAnswer>(api.url, "GET", `/jobs/batch/${batchId}`)).body;
                return status.counts.QUEUED === 0 && status.progressPercent === 100 ? status : undefined;
            },
            200_000,
            1000,
        );

        // The background steps finished: the batch says its jobs are recorded, the manifest is gone.
        const { Item: batchItem } = await documents.send(
            new GetCommand({ TableName: moto.resources.JOBS_TABLE, Key: { pk: `BATCH#${batchId}`, sk: "BATCH" } }),
        );
        assert.ok(batchItem?.jobsRecordedAt, JSON.stringify(batchItem));
        const s3 = new S3Client({ endpoint: moto.url, region: "us-east-1", forcePathStyle: true });
        const manifests = await s3.send(
            new ListObjectsV2Command({ Bucket: moto.resources.SOURCE_BUCKET, Prefix: bulkManifestPrefix }),
        );
        assert.deepEqual(manifests.Contents ?? [], []);

        // The counters add up to the batch.
        const counted = Object.values(final.counts).reduce((a, b) => a + b, 0);
        assert.equal(counted, totalJobs);
        assert.equal(final.counts.SUCCEEDED + final.counts.SUBMIT_FAILED, totalJobs);

        // The table: one item per job, each settled; the failed ones say why.
        const items: RecordedJob[] = [];
        for await (const page of paginateScan(
            { client: documents },
            {
                TableName: moto.resources.JOBS_TABLE,
                FilterExpression: "batchId = :b AND sk = :job",
                ExpressionAttributeValues: { ":b": batchId, ":job": "JOB" },
            },
        )) {
            items.push(...((page.Items ?? []) as RecordedJob[]));
        }
        assert.equal(items.length, totalJobs);
        assert.deepEqual(
            items.map((item) => item.batchIndex).sort((a, b) => a - b),
            Array.from({ length: totalJobs }, (_, i) => i),
        );
        // The failures listed are the failed jobs: the first page of them, in request order.
        const failedItems = items
            .filter((item) => item.status === "SUBMIT_FAILED")
            .sort((a, b) => a.batchIndex - b.batchIndex);
        assert.ok(failedItems.length > 0, "no job failed: the failure checks check nothing");
        assert.deepEqual(
            final.failedJobs,
            failedItems.slice(0, failuresShown).map((item) => ({
                jobId: item.batchJobId ?? null,
                jobName: item.jobName,
                status: item.status,
                reason: item.statusReason,
            })),
        );
        assert.equal(final.failedJobsTruncated, failedItems.length > failuresShown);

        // Each counter shard agrees with the jobs it counts.
        for (let shard = 0; shard < counterShards; shard++) {
            const { Item } = await documents.send(
                new GetCommand({
                    TableName: moto.resources.JOBS_TABLE,
                    Key: { pk: `BATCH#${batchId}`, sk: counterSk(shard) },
                    ConsistentRead: true,
                }),
            );
            const counter = (Item ?? {}) as CounterShard;
            const shardJobs = items.filter((item) => item.batchIndex % counterShards === shard);
            assert.deepEqual(
                { SUCCEEDED: counter.SUCCEEDED ?? 0, SUBMIT_FAILED: counter.SUBMIT_FAILED ?? 0 },
                {
                    SUCCEEDED: shardJobs.filter((item) => item.status === "SUCCEEDED").length,
                    SUBMIT_FAILED: shardJobs.filter((item) => item.status === "SUBMIT_FAILED").length,
                },
                `counter shard ${shard}`,
            );
        }
        assert.equal(final.statusCounts.SUCCEEDED, final.counts.SUCCEEDED);
        assert.equal(final.progress, 100);
        assert.ok(
            items.every(
                (item) => item.status === "SUCCEEDED" || (item.status === "SUBMIT_FAILED" && item.statusReason),
            ),
        );

        // Batch: no job key twice, and exactly the submitted ones are there.
        const batch = new BatchClient({ endpoint: moto.url, region: "us-east-1" });
        const listed =
            (await batch.send(new ListJobsCommand({ jobQueue: moto.resources.JOB_QUEUE_ARN }))).jobSummaryList ?? [];
        const keyCounts = new Map<string, number>();
        for (let i = 0; i < listed.length; i += 100) {
            const { jobs: described = [] } = await batch.send(
                new DescribeJobsCommand({ jobs: listed.slice(i, i + 100).map((j) => j.jobId!) }),
            );
            for (const job of described) {
                const tags = job.tags ?? {};
                if (tags["atx:batch-id"] !== batchId) continue;
                const key = tags["atx:job-key"];
                keyCounts.set(key, (keyCounts.get(key) ?? 0) + 1);
            }
        }
        const duplicates = [...keyCounts].filter(([, n]) => n > 1);
        assert.deepEqual(duplicates, [], "jobs submitted more than once");
        const submitted = items.filter((item) => item.status === "SUCCEEDED");
        assert.equal(keyCounts.size, submitted.length);
        assert.ok(submitted.every((item) => keyCounts.get(item.jobKey) === 1));
        assert.equal(new Set(submitted.map((item) => item.batchJobId)).size, submitted.length);

        // The faults did happen, including lost answers of calls that reached Batch.
        const { counts } = proxy;
        console.log(`      faults: ${JSON.stringify(counts)}; submit failures recorded: ${final.counts.SUBMIT_FAILED}`);
        assert.ok(
            counts.throttled > 50 && counts.serverErrors > 30 && counts.failedAfterForward > 30,
            JSON.stringify(counts),
        );
        assert.equal(counts.forwardedSubmits, keyCounts.size, "every forwarded SubmitJob is a distinct job");
    });
});
