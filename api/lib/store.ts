/**
 * The jobs table (single-table design; key schema and indexes are in contract.ts):
 *
 *   pk = JOB#<jobKey>       sk = JOB     one item per job, bulk or single: its request, its state
 *   pk = BATCHJOB#<jobId>   sk = ALIAS   Batch job id -> jobKey (GET /jobs/{jobId} uses Batch's id)
 *   pk = BATCH#<batchId>    sk = META    a bulk request: name, total, creation time
 *
 * Every change to a job item is one UpdateItem conditional on the revision read before it
 * (optimistic concurrency), so the submitter and the state-change handler can race on one job
 * without losing a transition.
 *
 * Batch counts are not kept as counters: a counter on the batch item would need a transaction per
 * transition on one hot item (conflicting constantly when thousands of jobs change at once) or
 * could drift when a step retries. Instead a bulk job, once it leaves QUEUED, carries
 * `trackedBatchId`, which puts it in the sparse byBatch index (projection: status); counting a
 * 10,000-job batch reads at most 10,000 small index entries (about 1.5 MB, two pages), and QUEUED
 * is the total minus the tracked jobs. Leaving QUEUED out of the index also keeps the burst of
 * writes that records a large batch off a single index partition.
 */
import { randomUUID } from "node:crypto";
import {
    BatchGetCommand,
    type BatchGetCommandOutput,
    type BatchWriteCommandOutput,
    BatchWriteCommand,
    GetCommand,
    PutCommand,
    QueryCommand,
    type QueryCommandOutput,
    ScanCommand,
    UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { documentClient } from "./clients";
import { env } from "./config";
import { ApiError, invalid } from "./errors";
import { fullJitterDelay, sleep } from "./retry";
import { countedStatus, type CountedStatus, type JobStatus, jobStatuses, unsubmittedStatuses } from "./statuses";
import type { JobSpec } from "./validation/requests";

export const indexes = { byStatus: "byStatus", byBatch: "byBatch", failuresByBatch: "failuresByBatch" } as const;

export interface JobRecord extends JobSpec {
    pk: string;
    sk: "JOB";
    jobKey: string;
    batchId?: string;
    /** Relative prefix under `transformations/` in the output bucket. */
    outputPrefix: string;
    status: JobStatus;
    stateVersion: number;
    /** Incremented by every write; the condition of the next one. */
    rev: number;
    statusReason?: string;
    batchJobId?: string;
    createdAt: string;
    updatedAt: string;
    submittedAt?: string;
    startedAt?: string;
    stoppedAt?: string;
    logStreamName?: string;
    /** Epoch ms until which the submitter that set SUBMITTING owns the job. */
    leaseUntil?: number;
    /** Epoch ms of the first claim: no Batch job created before it can be this job. */
    firstClaimedAt?: number;
    submitAttempts: number;
    /** byStatus index key: set once the job is in Batch or failed to get there (sparse index). */
    listStatus?: JobStatus;
    /** byBatch index key: set on bulk jobs once they leave QUEUED/SUBMITTING (sparse index). */
    trackedBatchId?: string;
    /** failuresByBatch index key: set on bulk jobs that FAILED or SUBMIT_FAILED (sparse index). */
    failedBatchId?: string;
}

export interface BatchRecord {
    pk: string;
    sk: "META";
    batchId: string;
    batchName: string;
    total: number;
    createdAt: string;
}

/** Fields a transition sets; `null` removes the attribute. */
export type JobChange = { [K in keyof JobRecord]?: JobRecord[K] | null };

const jobPk = (jobKey: string) => `JOB#${jobKey}`;
const batchPk = (batchId: string) => `BATCH#${batchId}`;
const aliasPk = (batchJobId: string) => `BATCHJOB#${batchJobId}`;
const countedStatuses = jobStatuses.filter((s) => s !== "SUBMITTING") as CountedStatus[];

/**
 * A new QUEUED job. Its output prefix is relative to `transformations/` in the output bucket:
 * `<jobName>/<jobKey>` for a single job, `<batchId>/<jobName>-<index>` for a bulk one.
 */
export function newJobRecord(
    spec: JobSpec,
    bulk?: { batchId: string; index: number },
    now = new Date().toISOString(),
): JobRecord {
    const jobKey = randomUUID();
    const batchId = bulk?.batchId;
    const outputPrefix = bulk ? `${bulk.batchId}/${spec.jobName}-${bulk.index}` : `${spec.jobName}/${jobKey}`;
    return {
        ...spec,
        pk: jobPk(jobKey),
        sk: "JOB",
        jobKey,
        batchId,
        outputPrefix,
        status: "QUEUED",
        stateVersion: 0,
        rev: 0,
        createdAt: now,
        updatedAt: now,
        submitAttempts: 0,
    };
}

const db = () => documentClient();
const table = () => env.jobsTable();
const storeBackoff = { baseDelayMs: 20, maxDelayMs: 1000 };

export async function getJob(jobKey: string): Promise<JobRecord | undefined> {
    const { Item } = await db().send(
        new GetCommand({ TableName: table(), Key: { pk: jobPk(jobKey), sk: "JOB" }, ConsistentRead: true }),
    );
    return Item as JobRecord | undefined;
}

export async function getJobs(jobKeys: string[]): Promise<JobRecord[]> {
    const found: JobRecord[] = [];
    for (let i = 0; i < jobKeys.length; i += 100) {
        let keys: Record<string, unknown>[] | undefined = jobKeys
            .slice(i, i + 100)
            .map((k) => ({ pk: jobPk(k), sk: "JOB" }));
        for (let attempt = 1; keys?.length; attempt++) {
            if (attempt > 1) await sleep(fullJitterDelay(attempt, storeBackoff));
            const out: BatchGetCommandOutput = await db().send(
                new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys, ConsistentRead: true } } }),
            );
            found.push(...((out.Responses?.[table()] ?? []) as JobRecord[]));
            keys = out.UnprocessedKeys?.[table()]?.Keys;
        }
    }
    return found;
}

/** Writes many new items with BatchWriteItem, several requests in flight, retrying unprocessed items. */
export async function putItems(items: object[], parallel = 8): Promise<void> {
    const chunks: object[][] = [];
    for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
    const writeChunk = async (chunk: object[]) => {
        let requests: unknown[] | undefined = chunk.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 1; requests?.length; attempt++) {
            if (attempt > 1) await sleep(fullJitterDelay(attempt, storeBackoff));
            if (attempt > 20) throw new Error("BatchWriteItem kept returning unprocessed items");
            const out: BatchWriteCommandOutput = await db().send(
                new BatchWriteCommand({ RequestItems: { [table()]: requests as never } }),
            );
            requests = out.UnprocessedItems?.[table()];
        }
    };
    let next = 0;
    await Promise.all(
        Array.from({ length: Math.min(parallel, chunks.length) }, async () => {
            while (next < chunks.length) await writeChunk(chunks[next++]);
        }),
    );
}

export async function putJob(job: JobRecord): Promise<void> {
    await db().send(new PutCommand({ TableName: table(), Item: job, ConditionExpression: "attribute_not_exists(pk)" }));
}

export function newBatchRecord(batchId: string, batchName: string, total: number, createdAt: string): BatchRecord {
    return { pk: batchPk(batchId), sk: "META", batchId, batchName, total, createdAt };
}

export async function putBatch(batch: BatchRecord): Promise<void> {
    await db().send(
        new PutCommand({ TableName: table(), Item: batch, ConditionExpression: "attribute_not_exists(pk)" }),
    );
}

export async function getBatch(batchId: string): Promise<BatchRecord | undefined> {
    const { Item } = await db().send(
        new GetCommand({ TableName: table(), Key: { pk: batchPk(batchId), sk: "META" }, ConsistentRead: true }),
    );
    return Item as BatchRecord | undefined;
}

/** Jobs of the batch per status (SUBMITTING counted as QUEUED), from the byBatch index. */
export async function countBatchJobs(batch: BatchRecord): Promise<Record<CountedStatus, number>> {
    const counts = Object.fromEntries(countedStatuses.map((s) => [s, 0])) as Record<CountedStatus, number>;
    let tracked = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
        const page: QueryCommandOutput = await db().send(
            new QueryCommand({
                TableName: table(),
                IndexName: indexes.byBatch,
                ExclusiveStartKey,
                ProjectionExpression: "#status",
                KeyConditionExpression: "trackedBatchId = :b",
                ExpressionAttributeValues: { ":b": batch.batchId },
                ExpressionAttributeNames: { "#status": "status" },
            }),
        );
        for (const item of page.Items ?? []) {
            counts[countedStatus(item.status as JobStatus)]++;
            tracked++;
        }
        ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    counts.QUEUED += batch.total - tracked;
    return counts;
}

export async function listBatchFailures(batchId: string, limit: number): Promise<{ jobs: JobRecord[]; more: boolean }> {
    const out = await db().send(
        new QueryCommand({
            TableName: table(),
            IndexName: indexes.failuresByBatch,
            Limit: limit,
            KeyConditionExpression: "failedBatchId = :b",
            ExpressionAttributeValues: { ":b": batchId },
        }),
    );
    return { jobs: (out.Items ?? []) as JobRecord[], more: !!out.LastEvaluatedKey };
}

export async function putAlias(batchJobId: string, jobKey: string): Promise<void> {
    await db().send(new PutCommand({ TableName: table(), Item: { pk: aliasPk(batchJobId), sk: "ALIAS", jobKey } }));
}

export async function jobKeyForBatchJobId(batchJobId: string): Promise<string | undefined> {
    const { Item } = await db().send(
        new GetCommand({ TableName: table(), Key: { pk: aliasPk(batchJobId), sk: "ALIAS" }, ConsistentRead: true }),
    );
    return Item?.jobKey;
}

/** Lists jobs that reached Batch (or failed to), newest first for one status; paged with an opaque token. */
export async function listJobs(query: {
    status?: JobStatus;
    limit: number;
    nextToken?: string;
}): Promise<{ jobs: JobRecord[]; nextToken?: string }> {
    const ExclusiveStartKey = query.nextToken ? decodeToken(query.nextToken) : undefined;
    const common = { TableName: table(), IndexName: indexes.byStatus, Limit: query.limit, ExclusiveStartKey };
    const out = query.status
        ? await db().send(
              new QueryCommand({
                  ...common,
                  KeyConditionExpression: "listStatus = :s",
                  ExpressionAttributeValues: { ":s": query.status },
                  ScanIndexForward: false,
              }),
          )
        : await db().send(new ScanCommand(common));
    return {
        jobs: (out.Items ?? []) as JobRecord[],
        nextToken: out.LastEvaluatedKey ? encodeToken(out.LastEvaluatedKey) : undefined,
    };
}

const tokenKeys = ["pk", "sk", "listStatus", "createdAt"];
function encodeToken(key: Record<string, unknown>): string {
    return Buffer.from(JSON.stringify(key)).toString("base64url");
}
function decodeToken(token: string): Record<string, string> {
    try {
        const key = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
        const valid =
            typeof key === "object" &&
            key &&
            Object.entries(key).every(([k, v]) => tokenKeys.includes(k) && typeof v === "string");
        if (valid) return key;
    } catch {
        /* reported below */
    }
    throw invalid("nextToken", "nextToken is malformed");
}

/**
 * Claims a QUEUED job (or one whose previous submitter's lease ran out) for submission.
 * Returns the claimed record, or undefined when someone else changed or owns it.
 */
export async function claimForSubmission(
    job: JobRecord,
    leaseMs: number,
    now = Date.now(),
): Promise<JobRecord | undefined> {
    try {
        const out = await db().send(
            new UpdateCommand({
                TableName: table(),
                Key: { pk: job.pk, sk: "JOB" },
                ReturnValues: "ALL_NEW",
                UpdateExpression:
                    "SET #status = :submitting, leaseUntil = :lease, firstClaimedAt = if_not_exists(firstClaimedAt, :now), updatedAt = :at, submitAttempts = submitAttempts + :one, rev = rev + :one",
                ConditionExpression:
                    "rev = :rev AND (#status = :queued OR (#status = :submitting AND leaseUntil < :now))",
                ExpressionAttributeNames: { "#status": "status" },
                ExpressionAttributeValues: {
                    ":submitting": "SUBMITTING",
                    ":queued": "QUEUED",
                    ":lease": now + leaseMs,
                    ":now": now,
                    ":rev": job.rev,
                    ":one": 1,
                    ":at": new Date(now).toISOString(),
                },
            }),
        );
        return out.Attributes as JobRecord;
    } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
    }
}

/**
 * Reads the job (or starts from `known`), asks `decide` what to change (undefined: nothing), and
 * writes that change conditionally on the revision read, re-reading and deciding again when another
 * writer got there first. Returns the job as it stands after the call.
 */
export async function transitionJob(
    jobKey: string,
    decide: (current: JobRecord) => JobChange | undefined,
    known?: JobRecord,
): Promise<JobRecord | undefined> {
    for (let attempt = 1; attempt <= 25; attempt++) {
        // A record the caller just read or wrote saves a read; a stale one only costs a retry.
        const current = attempt === 1 && known ? known : await getJob(jobKey);
        if (!current) return undefined;
        const change = decide(current);
        if (!change) return current;
        if (current.batchId && change.status && !unsubmittedStatuses.has(change.status))
            change.trackedBatchId = current.batchId;
        try {
            await writeChange(current, { ...change, updatedAt: new Date().toISOString() });
            return { ...current, ...change, rev: current.rev + 1 } as JobRecord;
        } catch (error) {
            if (!isConditionFailure(error)) throw error;
            await sleep(fullJitterDelay(attempt, storeBackoff));
        }
    }
    throw new ApiError("ServiceUnavailable", `job ${jobKey} is changing too often to update; try again`);
}

async function writeChange(current: JobRecord, change: JobChange): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ":rev": current.rev, ":one": 1 };
    const sets = ["rev = rev + :one"];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(change)) {
        if (value === undefined || field === "rev") continue;
        names[`#${field}`] = field;
        if (value === null) removes.push(`#${field}`);
        else {
            values[`:${field}`] = value;
            sets.push(`#${field} = :${field}`);
        }
    }
    await db().send(
        new UpdateCommand({
            TableName: table(),
            Key: { pk: current.pk, sk: "JOB" },
            ConditionExpression: "rev = :rev",
            UpdateExpression: `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
        }),
    );
}

/** A lost optimistic-concurrency race. */
function isConditionFailure(error: unknown): boolean {
    return (error as { name?: string })?.name === "ConditionalCheckFailedException";
}
