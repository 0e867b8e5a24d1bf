/**
 * What AWS wires around the functions and the local server has to do itself:
 *  - the SQS event source mapping of the bulk queue to `bulk-submitter` (as many workers as its
 *    maximum concurrency, each with its own handler instance; long-poll, invoke with an SQSEvent, delete the messages not reported in batchItemFailures; the others reappear after the
 *    queue's visibility timeout, as with ReportBatchItemFailures);
 *  - the EventBridge rule on Batch job state changes, emulated by polling ListJobs on the job
 *    queue and invoking `job-events` with a "Batch Job State Change" event (detail from
 *    DescribeJobs) for every job whose status changed since the last poll.
 */
import { randomUUID } from "node:crypto";
import { BatchClient, DescribeJobsCommand, ListJobsCommand } from "@aws-sdk/client-batch";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { bulkQueue } from "../contract";
import { mapWithConcurrency } from "../lib/concurrency";
import type { BatchJobStateChange } from "../handlers/job-events";

export interface Poller {
    stop(): Promise<void>;
}

function loop(name: string, body: (isStopped: () => boolean) => Promise<void>, idleMs: number): Poller {
    let stopped = false;
    const done = (async () => {
        while (!stopped) {
            try {
                await body(() => stopped);
            } catch (error) {
                if (!stopped) console.error(`local ${name}:`, (error as Error).message);
            }
            if (!stopped) await new Promise((r) => setTimeout(r, idleMs));
        }
    })();
    return {
        stop: async () => {
            stopped = true;
            await done;
        },
    };
}

/**
 * `createHandler` is called once per worker: each emulates one concurrently running Lambda
 * instance, with its own module state (the submitter's rate limiter).
 */
export function pollBulkQueue(
    queueUrl: string,
    queueArn: string,
    region: string,
    createHandler: () => (event: SQSEvent) => Promise<SQSBatchResponse>,
): Poller {
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    const workers = Array.from({ length: bulkQueue.eventSource.maximumConcurrency }, (_, worker) => {
        const handler = createHandler();
        return loop(
            `bulk queue worker ${worker}`,
            async (isStopped) => {
                while (!isStopped()) {
                    const { Messages = [] } = await sqs.send(
                        new ReceiveMessageCommand({
                            QueueUrl: queueUrl,
                            MaxNumberOfMessages: bulkQueue.eventSource.batchSize,
                            WaitTimeSeconds: 1,
                            MessageSystemAttributeNames: ["All"],
                        }),
                    );
                    if (Messages.length === 0) continue;
                    const response = await handler(toSqsEvent(Messages, queueArn, region));
                    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
                    const done = Messages.filter((m) => !failed.has(m.MessageId!));
                    if (done.length) {
                        await sqs.send(
                            new DeleteMessageBatchCommand({
                                QueueUrl: queueUrl,
                                Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
                            }),
                        );
                    }
                }
            },
            200,
        );
    });
    return {
        stop: async () => {
            await Promise.all(workers.map((w) => w.stop()));
        },
    };
}

function toSqsEvent(messages: Message[], queueArn: string, region: string): SQSEvent {
    return {
        Records: messages.map((m) => ({
            messageId: m.MessageId!,
            receiptHandle: m.ReceiptHandle!,
            body: m.Body ?? "",
            md5OfBody: m.MD5OfBody ?? "",
            attributes: {
                ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? "1",
                SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
                SenderId: m.Attributes?.SenderId ?? "local",
                ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
            },
            messageAttributes: {},
            eventSource: "aws:sqs",
            eventSourceARN: queueArn,
            awsRegion: region,
        })),
    };
}

const eventConcurrency = 8;

export function pollBatchJobStates(
    jobQueueArn: string,
    region: string,
    intervalMs: number,
    handler: (event: BatchJobStateChange) => Promise<unknown>,
): Poller {
    const batch = new BatchClient({});
    const lastSeen = new Map<string, string>();
    const account = jobQueueArn.split(":")[4];
    return loop(
        "job state poller",
        async () => {
            // One listing of every status: a JOB_NAME filter of "*" matches all names, and with a filter
            // ListJobs ignores jobStatus (seven listings, one per status, would cost the emulator 7x).
            const changed: string[] = [];
            let nextToken: string | undefined;
            do {
                const page = await batch.send(
                    new ListJobsCommand({
                        jobQueue: jobQueueArn,
                        filters: [{ name: "JOB_NAME", values: ["*"] }],
                        nextToken,
                    }),
                );
                for (const job of page.jobSummaryList ?? []) {
                    if (lastSeen.get(job.jobId!) !== job.status) changed.push(job.jobId!);
                }
                nextToken = page.nextToken;
            } while (nextToken);
            for (let i = 0; i < changed.length; i += 100) {
                const { jobs = [] } = await batch.send(new DescribeJobsCommand({ jobs: changed.slice(i, i + 100) }));
                // EventBridge invokes the target concurrently; so does this emulation.
                await mapWithConcurrency(jobs, eventConcurrency, async (job) => {
                    await handler({
                        version: "0",
                        id: randomUUID(),
                        "detail-type": "Batch Job State Change",
                        source: "aws.batch",
                        account,
                        time: new Date().toISOString(),
                        region,
                        resources: [job.jobArn!],
                        detail: JSON.parse(JSON.stringify(job)) as BatchJobStateChange["detail"],
                    });
                    // Marked seen only once handled, so a failed invocation is retried on the next poll.
                    lastSeen.set(job.jobId!, job.status!);
                });
            }
        },
        intervalMs,
    );
}
