/**
 * The state-change handler and the submission state machine, called in-process against moto:
 * ordering of events, batch counters, failures with reasons, and exactly-once submission when an
 * earlier attempt's answer was lost.
 */
import { strict as assert } from "node:assert";
import { BatchClient, ListJobsCommand, SubmitJobCommand } from "@aws-sdk/client-batch";
import { handler as jobEvents, type BatchJobStateChange } from "../handlers/job-events";
import { batchCounts } from "../lib/batch-status";
import { handler as bulkSubmitter } from "../handlers/bulk-submitter";
import { resetClients } from "../lib/clients";
import { recordBatchState, recordSubmitFailed, recordSubmitted } from "../lib/job-state";
import { RateLimiter } from "../lib/rate-limiter";
import {
    claimForSubmission,
    getJob,
    newBatchRecord,
    newJobRecord,
    putBatch,
    putItems,
    putJob,
    readBatchSnapshot,
    type JobRecord,
} from "../lib/store";
import { submitJobInput, submitRecordedJob } from "../lib/submission";
import { useMoto } from "./support/moto";

const spec = { jobName: "app-upgrade", argv: ["atx", "custom", "def", "exec"], environment: [], tags: {} };

function stateChange(job: {
    jobId: string;
    status: string;
    attempts?: number;
    tags?: Record<string, string>;
    statusReason?: string;
}): BatchJobStateChange {
    return {
        version: "0",
        id: "e1",
        "detail-type": "Batch Job State Change",
        source: "aws.batch",
        account: "123456789012",
        time: new Date().toISOString(),
        region: "us-east-1",
        resources: [],
        detail: {
            jobId: job.jobId,
            status: job.status,
            statusReason: job.statusReason,
            tags: job.tags,
            createdAt: 1_700_000_000_000,
            startedAt: 1_700_000_001_000,
            attempts: Array.from({ length: job.attempts ?? 0 }, () => ({
                container: { logStreamName: "def/default/x" },
            })),
        },
    };
}

const sizes = new Map<string, number>();
const countsOf = async (batchId: string) =>
    batchCounts((await readBatchSnapshot(batchId, 10))!.counters, sizes.get(batchId)!, false);
const failuresOf = async (batchId: string) => (await readBatchSnapshot(batchId, 10))!.failures;
const submitMessage = (messageId: string, batchId: string, receives: string) =>
    ({
        Records: [
            {
                messageId,
                body: JSON.stringify({ kind: "submit", batchId, from: 0, to: 1 }),
                attributes: { ApproximateReceiveCount: receives },
            },
        ],
    }) as never;

async function newBatch(size: number): Promise<{ batchId: string; jobs: JobRecord[] }> {
    const batchId = `b-${Math.random().toString(16).slice(2)}`;
    const jobs = Array.from({ length: size }, (_, index) => newJobRecord(spec, { batchId, index }));
    await putItems(jobs);
    await putBatch(
        newBatchRecord({
            batchId,
            batchName: "test",
            total: size,
            createdAt: new Date().toISOString(),
            requestHash: "h",
            manifestKey: "m",
        }),
    );
    sizes.set(batchId, size);
    return { batchId, jobs };
}

describe("job state (in-process, against moto)", () => {
    const moto = useMoto("state");
    const saved = { ...process.env };
    before(() => {
        Object.assign(process.env, moto.environment, { RETRY_BASE_DELAY_MS: "5", RETRY_MAX_DELAY_MS: "50" });
        resetClients();
    });
    after(() => {
        process.env = saved;
        resetClients();
    });

    describe("job-events handler", () => {
        it("records Batch states in order and ignores late or repeated events", async () => {
            const {
                batchId,
                jobs: [job],
            } = await newBatch(1);
            const tags = { "atx:job-key": job.jobKey };
            assert.deepEqual(await jobEvents(stateChange({ jobId: "j-1", status: "RUNNING", tags })), {
                recorded: true,
            });
            assert.deepEqual(await jobEvents(stateChange({ jobId: "j-1", status: "RUNNABLE", tags })), {
                recorded: false,
            });
            await jobEvents(stateChange({ jobId: "j-1", status: "RUNNING", tags }));
            let stored = await getJob(job.jobKey);
            assert.equal(stored!.status, "RUNNING");
            assert.equal(stored!.batchJobId, "j-1");
            assert.equal(stored!.startedAt, new Date(1_700_000_001_000).toISOString());
            assert.deepEqual((await countsOf(batchId)).RUNNING, 1);
            assert.equal((await countsOf(batchId)).QUEUED, 0);

            // A retried job goes back to RUNNABLE with one more attempt: that is newer, not older.
            assert.deepEqual(await jobEvents(stateChange({ jobId: "j-1", status: "RUNNABLE", attempts: 1, tags })), {
                recorded: true,
            });
            assert.deepEqual(await jobEvents(stateChange({ jobId: "j-1", status: "SUCCEEDED", attempts: 2, tags })), {
                recorded: true,
            });
            assert.deepEqual(await jobEvents(stateChange({ jobId: "j-1", status: "RUNNING", attempts: 1, tags })), {
                recorded: false,
            });
            stored = await getJob(job.jobKey);
            assert.equal(stored!.status, "SUCCEEDED");
            assert.equal(stored!.logStreamName, "def/default/x");
            const counts = await countsOf(batchId);
            assert.equal(counts.SUCCEEDED, 1);
            assert.equal(
                Object.values(counts).reduce((a, b) => a + b, 0),
                1,
            );
        });

        it("counts each transition once when writers race on one job", async () => {
            const { batchId, jobs } = await newBatch(1);
            const tags = { "atx:job-key": jobs[0].jobKey };
            const statuses = ["SUBMITTED", "RUNNABLE", "STARTING", "RUNNING", "RUNNING", "SUCCEEDED", "SUCCEEDED"];
            await Promise.all(statuses.map((status) => jobEvents(stateChange({ jobId: "race-1", status, tags }))));
            const counts = await countsOf(batchId);
            assert.equal(counts.SUCCEEDED, 1);
            assert.equal(
                Object.values(counts).reduce((a, b) => a + b, 0),
                1,
            );
            assert.equal(counts.QUEUED, 0);
        });

        it("takes a job off the failures when Batch reports it after a recorded submit failure", async () => {
            const { batchId, jobs } = await newBatch(2);
            await recordSubmitFailed(jobs[1], "SubmitJob failed 8 times");
            assert.deepEqual((await countsOf(batchId)).SUBMIT_FAILED, 1);
            assert.deepEqual(
                (await failuresOf(batchId)).map((j) => [j.jobKey, j.status, j.statusReason]),
                [[jobs[1].jobKey, "SUBMIT_FAILED", "SubmitJob failed 8 times"]],
            );
            await recordBatchState(jobs[1].jobKey, { batchJobId: "late-1", status: "RUNNING", attempts: 0 });
            const counts = await countsOf(batchId);
            assert.deepEqual([counts.QUEUED, counts.SUBMIT_FAILED, counts.RUNNING], [1, 0, 1]);
            assert.deepEqual(await failuresOf(batchId), []);
        });

        it("lists failed jobs of a batch with their reasons", async () => {
            const { batchId, jobs } = await newBatch(3);
            await jobEvents(
                stateChange({
                    jobId: "f-0",
                    status: "FAILED",
                    statusReason: "Essential container exited",
                    tags: { "atx:job-key": jobs[0].jobKey },
                }),
            );
            await jobEvents(
                stateChange({ jobId: "f-1", status: "SUCCEEDED", tags: { "atx:job-key": jobs[1].jobKey } }),
            );
            const failures = await failuresOf(batchId);
            assert.deepEqual(
                failures.map((j) => [j.batchJobId, j.status, j.statusReason]),
                [["f-0", "FAILED", "Essential container exited"]],
            );
            const counts = await countsOf(batchId);
            assert.deepEqual([counts.QUEUED, counts.FAILED, counts.SUCCEEDED], [1, 1, 1]);

            // The first page only, and whether there is more.
            await recordSubmitFailed(jobs[2], "refused");
            const page = (await readBatchSnapshot(batchId, 1))!;
            assert.deepEqual([page.failures.map((f) => f.jobKey), page.moreFailures], [[jobs[0].jobKey], true]);
            assert.equal((await readBatchSnapshot(batchId, 2))!.moreFailures, false);
        });

        it("finds an untagged job by its Batch job id, and ignores jobs it does not know", async () => {
            const job = newJobRecord(spec);
            await putJob(job);
            await recordSubmitted(job, "alias-1");
            assert.deepEqual(await jobEvents(stateChange({ jobId: "alias-1", status: "STARTING" })), {
                recorded: true,
            });
            assert.equal((await getJob(job.jobKey))!.status, "STARTING");
            assert.deepEqual(await jobEvents(stateChange({ jobId: "someone-elses", status: "RUNNING" })), {
                recorded: false,
            });
            assert.deepEqual(await jobEvents({ ...stateChange({ jobId: "alias-1", status: "EXPLODED" }) }), {
                recorded: false,
            });
        });

        it("records an event that arrives before the submitter recorded SubmitJob's answer", async () => {
            const job = newJobRecord(spec);
            await putJob(job);
            const claimed = (await claimForSubmission(job, 60_000))!;
            await jobEvents(stateChange({ jobId: "early-1", status: "RUNNABLE", tags: { "atx:job-key": job.jobKey } }));
            await recordSubmitted(claimed, "early-1");
            const stored = await getJob(job.jobKey);
            assert.equal(stored!.status, "RUNNABLE");
            assert.equal(stored!.batchJobId, "early-1");
        });
    });

    describe("submission", () => {
        const batch = () => new BatchClient({ endpoint: moto.url, region: "us-east-1" });
        const jobsNamed = async (name: string) =>
            (
                await batch().send(
                    new ListJobsCommand({
                        jobQueue: moto.resources.JOB_QUEUE_ARN,
                        filters: [{ name: "JOB_NAME", values: [name] }],
                    }),
                )
            ).jobSummaryList ?? [];

        it("gives the container the argument vector behind its entrypoint flags", () => {
            const job = newJobRecord({
                ...spec,
                source: "https://github.com/acme/app.git",
                environment: [{ name: "A", value: "1" }],
                tags: { team: "x" },
            });
            const input = submitJobInput(job);
            assert.deepEqual(input.containerOverrides!.command, [
                "--source",
                "https://github.com/acme/app.git",
                "--output",
                `app-upgrade/${job.jobKey}`,
                "--",
                "atx",
                "custom",
                "def",
                "exec",
            ]);
            assert.deepEqual(input.containerOverrides!.environment, [{ name: "A", value: "1" }]);
            assert.deepEqual(input.tags, { team: "x", "atx:job-key": job.jobKey });
            assert.deepEqual(submitJobInput(newJobRecord(spec)).containerOverrides!.command!.slice(0, 1), ["--output"]);
        });

        it("takes over a job whose submitter died after SubmitJob and does not submit it again", async () => {
            const jobName = `lost-answer-${Date.now()}`;
            const job = newJobRecord({ ...spec, jobName });
            await putJob(job);
            const claimed = (await claimForSubmission(job, -1))!; // lease already expired
            await batch().send(new SubmitJobCommand(submitJobInput(claimed))); // ...and its answer was lost
            assert.equal((await jobsNamed(jobName)).length, 1);

            const result = await submitRecordedJob((await getJob(job.jobKey))!, { limiter: new RateLimiter(100) });
            assert.equal(result.outcome, "settled");
            assert.equal((await jobsNamed(jobName)).length, 1, "submitted a second time");
            const stored = await getJob(job.jobKey);
            assert.equal(stored!.batchJobId, (await jobsNamed(jobName))[0].jobId);
        });

        it("leaves a job whose lease is held by another submitter alone", async () => {
            const job = newJobRecord({ ...spec, jobName: `leased-${Date.now()}` });
            await putJob(job);
            await claimForSubmission(job, 60_000);
            const result = await submitRecordedJob((await getJob(job.jobKey))!, { limiter: new RateLimiter(100) });
            assert.deepEqual(result, { outcome: "deferred" });
            assert.equal((await jobsNamed(job.jobName)).length, 0);
        });

        it("records a job Batch refuses as SUBMIT_FAILED with the reason", async () => {
            process.env.JOB_DEFINITION_ARN = "arn:aws:batch:us-east-1:123456789012:job-definition/missing:1";
            try {
                const { batchId, jobs } = await newBatch(1);
                const response = await bulkSubmitter(submitMessage("m1", batchId, "1"));
                assert.deepEqual(response, { batchItemFailures: [] });
                const stored = await getJob(jobs[0].jobKey);
                assert.equal(stored!.status, "SUBMIT_FAILED");
                assert.match(stored!.statusReason!, /ClientException/);
                assert.equal((await countsOf(batchId)).SUBMIT_FAILED, 1);
                assert.equal((await failuresOf(batchId)).length, 1);
            } finally {
                process.env.JOB_DEFINITION_ARN = moto.resources.JOB_DEFINITION_ARN;
            }
        });

        it("hands a message back while a job is leased elsewhere, and records it failed on the last delivery", async () => {
            const { batchId, jobs } = await newBatch(1);
            await claimForSubmission(jobs[0], 60_000);
            const message = (receives: string) => submitMessage("m2", batchId, receives);
            assert.deepEqual(await bulkSubmitter(message("1")), { batchItemFailures: [{ itemIdentifier: "m2" }] });
            process.env.MAX_MESSAGE_RECEIVES = "2";
            try {
                assert.deepEqual(await bulkSubmitter(message("2")), { batchItemFailures: [] });
            } finally {
                delete process.env.MAX_MESSAGE_RECEIVES;
            }
            assert.equal((await getJob(jobs[0].jobKey))!.status, "SUBMIT_FAILED");
        });
    });
});
