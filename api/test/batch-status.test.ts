/** The pure parts of bulk batches: status from counters, queue messages. */
import { strict as assert } from "node:assert";
import { batchCounts, batchProgress } from "../lib/batch-status";
import { parseBulkMessage, submitMessages } from "../lib/bulk-queue";

describe("batch status from counters", () => {
    it("counts the jobs no counter holds as queued", () => {
        const counts = batchCounts({ RUNNING: 3, FAILED: 1 }, 10, false);
        assert.deepEqual([counts.QUEUED, counts.RUNNING, counts.FAILED, counts.SUCCEEDED], [6, 3, 1, 0]);
    });

    it("counts them failed when the batch's jobs could not be recorded", () => {
        const counts = batchCounts({}, 10, true);
        assert.deepEqual([counts.QUEUED, counts.SUBMIT_FAILED], [0, 10]);
        assert.equal(batchProgress(counts, 10).status, "FAILED");
    });

    it("derives the overall status and progress, with the AWS sample's fields", () => {
        const running = batchProgress(batchCounts({ SUCCEEDED: 1, RUNNING: 2 }, 3, false), 3);
        assert.deepEqual(running, {
            status: "RUNNING",
            progressPercent: 33.3,
            progress: 33.3,
            statusCounts: { SUCCEEDED: 1, RUNNING: 2 },
        });
        assert.equal(batchProgress(batchCounts({ SUBMITTED: 1 }, 2, false), 2).status, "SUBMITTING");
        assert.equal(batchProgress(batchCounts({ SUCCEEDED: 2 }, 2, false), 2).status, "SUCCEEDED");
        const mixed = batchProgress(batchCounts({ SUCCEEDED: 1, SUBMIT_FAILED: 1 }, 2, false), 2);
        assert.deepEqual([mixed.status, mixed.progress], ["COMPLETED_WITH_FAILURES", 100]);
    });
});

describe("bulk queue messages", () => {
    it("splits a batch into index ranges of 100 jobs", () => {
        assert.deepEqual(
            submitMessages("b", 250).map((m) => (m.kind === "submit" ? [m.from, m.to] : [])),
            [
                [0, 100],
                [100, 200],
                [200, 250],
            ],
        );
    });

    it("parses the two kinds and refuses anything else", () => {
        assert.deepEqual(parseBulkMessage('{"kind":"record","batchId":"b"}'), { kind: "record", batchId: "b" });
        assert.deepEqual(parseBulkMessage('{"kind":"submit","batchId":"b","from":0,"to":5}'), {
            kind: "submit",
            batchId: "b",
            from: 0,
            to: 5,
        });
        for (const body of [
            '{"batchId":"b","jobKeys":["k"]}',
            '{"kind":"submit","batchId":"b","from":5,"to":5}',
            '{"kind":"submit","batchId":"b","from":-1,"to":5}',
            '{"kind":"record"}',
        ])
            assert.throws(() => parseBulkMessage(body), /malformed bulk message/, body);
    });
});
