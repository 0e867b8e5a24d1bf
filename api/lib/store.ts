/**
 * The jobs table (single-table design; key schema and indexes are in contract.ts):
 *
 *   pk = JOB#<jobKey>       sk = JOB            one item per job, bulk or single: its request, its state
 *   pk = BATCHJOB#<jobId>   sk = ALIAS          Batch job id -> jobKey (GET /jobs/{jobId} uses Batch's id)
 *   pk = BATCH#<batchId>    sk = BATCH          a bulk request: name, total, request hash, manifest, progress
 *   pk = BATCH#<batchId>    sk = COUNT#<shard>  jobs of the batch per status, one of `counterShards` items
 *   pk = BATCH#<batchId>    sk = FAILED#<index> a failed job of the batch, with its reason (by index)
 *
 * Every change to a job item is conditional on the revision read before it (optimistic
 * concurrency), so the submitter and the state-change handler can race on one job without losing a
 * transition. When a bulk job changes status, the same TransactWriteItems moves one count from the
 * old status to the new one on the job's counter shard and adds or removes its failure entry: a
 * replayed event fails the revision check and counts nothing. A job's shard is its index modulo
 * `counterShards`, so concurrent transitions of one batch rarely meet on one item. QUEUED (and
 * SUBMITTING) are not stored: they are the total minus the other counts. The batch's items sort
 * BATCH < COUNT# < FAILED#, so its status is one Query of its partition (the batch item, the
 * counters and the first failures), whatever its size.
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
    ScanCommand,
    TransactWriteCommand,
    UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { documentClient } from "./clients";
import { env } from "./config";
import { ApiError, invalid } from "./errors";
import { fullJitterDelay, sleep } from "./retry";
import { countedStatus, countedStatuses, type CountedStatus, failedStatuses, type JobStatus } from "./statuses";
import type { JobSpec } from "./validation/requests";

export const indexes = { byStatus: "byStatus" } as const;

/** Counter items per batch. Each transition writes one; a status read queries all of them. */
export const counterShards = 16;

export interface JobRecord extends JobSpec {
    pk: string;
    sk: "JOB";
    jobKey: string;
    batchId?: string;
    /** Position of a bulk job in its request; its key and counter shard derive from it. */
    batchIndex?: number;
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
}

export interface BatchRecord {
    pk: string;
    sk: "BATCH";
    batchId: string;
    batchName: string;
    total: number;
    createdAt: string;
    /** SHA-256 of the request body: a retry with the same Idempotency-Key must send the same body. */
    requestHash: string;
    /** The validated job list in the source bucket (bulk-manifest.ts). */
    manifestKey: string;
    /** Epoch ms until which the recording step that claimed the batch writes its job items. */
    recordingLeaseUntil?: number;
    /** Set once every job item is written; from then on the manifest is no longer needed. */
    jobsRecordedAt?: string;
    /** Set when the jobs could not be recorded: the batch's unrecorded jobs count as SUBMIT_FAILED. */
    recordingFailure?: string;
}

export interface BatchFailure {
    jobKey: string;
    jobName: string;
    status: JobStatus;
    statusReason?: string;
    batchJobId?: string;
}

/** Fields a transition sets; `null` removes the attribute. */
export type JobChange = { [K in keyof JobRecord]?: JobRecord[K] | null };

const jobPk = (jobKey: string) => `JOB#${jobKey}`;
const batchPk = (batchId: string) => `BATCH#${batchId}`;
const aliasPk = (batchJobId: string) => `BATCHJOB#${batchJobId}`;
export const counterSk = (shard: number) => `COUNT#${String(shard).padStart(2, "0")}`;
const failureSk = (index: number) => `FAILED#${String(index).padStart(6, "0")}`;

/** A bulk job's key: deterministic, so recording a batch's jobs twice writes the same items. */
export const bulkJobKey = (batchId: string, index: number) => `${batchId}.${index}`;

/**
 * A new QUEUED job. Its output prefix is relative to `transformations/` in the output bucket:
 * `<jobName>/<jobKey>` for a single job, `<batchId>/<jobName>-<index>` for a bulk one.
 */
export function newJobRecord(
    spec: JobSpec,
    bulk?: { batchId: string; index: number },
    now = new Date().toISOString(),
): JobRecord {
    const jobKey = bulk ? bulkJobKey(bulk.batchId, bulk.index) : randomUUID();
    const batchId = bulk?.batchId;
    const outputPrefix = bulk ? `${bulk.batchId}/${spec.jobName}-${bulk.index}` : `${spec.jobName}/${jobKey}`;
    return {
        ...spec,
        pk: jobPk(jobKey),
        sk: "JOB",
        jobKey,
        batchId,
        batchIndex: bulk?.index,
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

export function newBatchRecord(
    fields: Omit<BatchRecord, "pk" | "sk" | "recordingLeaseUntil" | "jobsRecordedAt" | "recordingFailure">,
): BatchRecord {
    return { pk: batchPk(fields.batchId), sk: "BATCH", ...fields };
}

/** Records a new batch; false when a batch with this id exists already (a retried request). */
export async function putBatch(batch: BatchRecord): Promise<boolean> {
    try {
        await db().send(
            new PutCommand({ TableName: table(), Item: batch, ConditionExpression: "attribute_not_exists(pk)" }),
        );
        return true;
    } catch (error) {
        if (isLostRace(error)) return false;
        throw error;
    }
}

export async function getBatch(batchId: string): Promise<BatchRecord | undefined> {
    const { Item } = await db().send(
        new GetCommand({ TableName: table(), Key: { pk: batchPk(batchId), sk: "BATCH" }, ConsistentRead: true }),
    );
    return Item as BatchRecord | undefined;
}

/**
 * Claims the writing of a batch's job items for `leaseMs`: false when they are written already or
 * another recorder's lease still runs. Job items are written unconditionally (BatchWriteItem), so
 * two recorders at once could reset a job the submitter already moved on; the lease prevents that.
 */
export async function claimBatchRecording(batchId: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    try {
        await db().send(
            new UpdateCommand({
                TableName: table(),
                Key: { pk: batchPk(batchId), sk: "BATCH" },
                ConditionExpression:
                    "attribute_exists(pk) AND attribute_not_exists(jobsRecordedAt) AND (attribute_not_exists(recordingLeaseUntil) OR recordingLeaseUntil < :now)",
                UpdateExpression: "SET recordingLeaseUntil = :until",
                ExpressionAttributeValues: { ":now": now, ":until": now + leaseMs },
            }),
        );
        return true;
    } catch (error) {
        if (isLostRace(error)) return false;
        throw error;
    }
}

/** Gives up a recording claim early (the recorder failed), so the next delivery need not wait. */
export async function releaseBatchRecording(batchId: string): Promise<void> {
    await db().send(
        new UpdateCommand({
            TableName: table(),
            Key: { pk: batchPk(batchId), sk: "BATCH" },
            ConditionExpression: "attribute_exists(pk)",
            UpdateExpression: "REMOVE recordingLeaseUntil",
        }),
    );
}

/** Marks the batch's job items as written (idempotent), or records why they could not be. */
export async function markBatchRecording(batchId: string, outcome: { failure?: string }): Promise<void> {
    const field = outcome.failure === undefined ? "jobsRecordedAt" : "recordingFailure";
    await db().send(
        new UpdateCommand({
            TableName: table(),
            Key: { pk: batchPk(batchId), sk: "BATCH" },
            ConditionExpression: "attribute_exists(pk)",
            UpdateExpression: "SET #field = if_not_exists(#field, :value)",
            ExpressionAttributeNames: { "#field": field },
            ExpressionAttributeValues: { ":value": outcome.failure ?? new Date().toISOString() },
        }),
    );
}

export interface BatchSnapshot {
    batch: BatchRecord;
    /** Counts per status summed over the counter shards (QUEUED is not stored). */
    counters: Partial<Record<CountedStatus, number>>;
    /** The first failed jobs, in request order. */
    failures: BatchFailure[];
    moreFailures: boolean;
}

/** The batch, its counters and its first `failureLimit` failures: one strongly consistent Query. */
export async function readBatchSnapshot(batchId: string, failureLimit: number): Promise<BatchSnapshot | undefined> {
    const { Items = [] } = await db().send(
        new QueryCommand({
            TableName: table(),
            ConsistentRead: true,
            // One more failure than shown tells whether there are more.
            Limit: 1 + counterShards + failureLimit + 1,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": batchPk(batchId) },
        }),
    );
    const batch = Items.find((item) => item.sk === "BATCH") as BatchRecord | undefined;
    if (!batch) return undefined;
    const counters: Partial<Record<CountedStatus, number>> = {};
    const failures: BatchFailure[] = [];
    for (const item of Items as Record<string, unknown>[]) {
        const sk = String(item.sk);
        if (sk.startsWith("FAILED#")) failures.push(item as unknown as BatchFailure);
        if (!sk.startsWith("COUNT#")) continue;
        for (const status of countedStatuses) {
            const count = item[status];
            if (typeof count === "number") counters[status] = (counters[status] ?? 0) + count;
        }
    }
    return {
        batch,
        counters,
        failures: failures.slice(0, failureLimit),
        moreFailures: failures.length > failureLimit,
    };
}

export async function putAlias(batchJobId: string, jobKey: string): Promise<void> {
    await db().send(new PutCommand({ TableName: table(), Item: { pk: aliasPk(batchJobId), sk: "ALIAS", jobKey } }));
}

export async function jobKeyForBatchJobId(batchJobId: string): Promise<string | undefined> {
    const { Item } = await db().send(
        new GetCommand({ TableName: table(), Key: { pk: aliasPk(batchJobId), sk: "ALIAS" }, ConsistentRead: true }),
    );
    return Item?.jobKey as string | undefined;
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
function isTokenKey(key: unknown): key is Record<string, string> {
    return (
        typeof key === "object" &&
        key !== null &&
        Object.entries(key).every(([k, v]) => tokenKeys.includes(k) && typeof v === "string")
    );
}
function decodeToken(token: string): Record<string, string> {
    try {
        const key: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
        if (isTokenKey(key)) return key;
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
        if (isLostRace(error)) return undefined;
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
        try {
            await writeChange(current, { ...change, updatedAt: new Date().toISOString() });
            return { ...current, ...change, rev: current.rev + 1 } as JobRecord;
        } catch (error) {
            if (!isLostRace(error)) throw error;
            await sleep(fullJitterDelay(attempt, storeBackoff));
        }
    }
    throw new ApiError("ServiceUnavailable", `job ${jobKey} is changing too often to update; try again`);
}

/** The job's update, conditional on its revision; for a bulk job that changes status, with its batch's counts. */
async function writeChange(current: JobRecord, change: JobChange): Promise<void> {
    const update = jobUpdate(current, change);
    const batchWrites =
        current.batchId !== undefined && current.batchIndex !== undefined && change.status
            ? batchBookkeeping(current, change as JobChange & { status: JobStatus })
            : [];
    if (batchWrites.length === 0) await db().send(new UpdateCommand(update));
    else await db().send(new TransactWriteCommand({ TransactItems: [{ Update: update }, ...batchWrites] }));
}

function jobUpdate(current: JobRecord, change: JobChange) {
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
    return {
        TableName: table(),
        Key: { pk: current.pk, sk: "JOB" },
        ConditionExpression: "rev = :rev",
        UpdateExpression: `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
    };
}

/**
 * What a bulk job's status change does to its batch: one count moves between statuses on the job's
 * counter shard (QUEUED is implicit), and its failure entry appears, changes or goes.
 */
function batchBookkeeping(current: JobRecord, change: JobChange & { status: JobStatus }) {
    const [from, to] = [countedStatus(current.status), countedStatus(change.status)];
    if (from === to) return [];
    const batchId = current.batchId!;
    const index = current.batchIndex!;
    const adds: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    if (from !== "QUEUED") {
        adds.push("#from :minusOne");
        names["#from"] = from;
        values[":minusOne"] = -1;
    }
    if (to !== "QUEUED") {
        adds.push("#to :plusOne");
        names["#to"] = to;
        values[":plusOne"] = 1;
    }
    const writes: Record<string, object>[] = [
        {
            Update: {
                TableName: table(),
                Key: { pk: batchPk(batchId), sk: counterSk(index % counterShards) },
                UpdateExpression: `ADD ${adds.join(", ")}`,
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
            },
        },
    ];
    const failureKey = { pk: batchPk(batchId), sk: failureSk(index) };
    if (failedStatuses.has(to)) {
        const failure: BatchFailure = {
            jobKey: current.jobKey,
            jobName: current.jobName,
            status: to,
            statusReason: (change.statusReason === null ? undefined : change.statusReason) ?? current.statusReason,
            batchJobId: (change.batchJobId === null ? undefined : change.batchJobId) ?? current.batchJobId,
        };
        writes.push({ Put: { TableName: table(), Item: { ...failureKey, ...failure } } });
    } else if (failedStatuses.has(from)) {
        writes.push({ Delete: { TableName: table(), Key: failureKey } });
    }
    return writes;
}

/**
 * A lost optimistic-concurrency race: a failed condition, or a transaction cancelled by one or by
 * a concurrent transaction on the same counter shard. Both are retried after a fresh read.
 */
function isLostRace(error: unknown): boolean {
    const { name, CancellationReasons } = error as {
        name?: string;
        CancellationReasons?: { Code?: string }[];
    };
    if (name === "ConditionalCheckFailedException") return true;
    if (name !== "TransactionCanceledException") return false;
    return (
        !CancellationReasons ||
        CancellationReasons.some((r) => r.Code === "ConditionalCheckFailed" || r.Code === "TransactionConflict")
    );
}
