/** The job view's refusal reason: what the job container records when it refuses a job's input. */
import { strict as assert } from "node:assert";
import { refusalReason } from "../lib/job-view";

describe("job view: refusal reason", () => {
    it("turns the container's refusal record into the job's status reason", () => {
        const record = {
            exitCode: 65,
            reason: "archive refused: archive expands to more than 1048576 bytes (ATX_ZIP_MAX_BYTES)",
            limits: { zipMaxBytes: 1048576, zipMaxFiles: 100000, archiveMaxBytes: 1073741824 },
        };
        assert.equal(
            refusalReason(JSON.stringify(record)),
            "Refused by the job container (exit 65): archive refused: archive expands to more than 1048576 bytes (ATX_ZIP_MAX_BYTES)",
        );
    });

    it("ignores bodies that are not refusal records", () => {
        for (const body of [
            "",
            "not json",
            "null",
            "[]",
            "42",
            '{"reason":"x"}',
            '{"exitCode":"65","reason":"x"}',
            '{"exitCode":65,"reason":""}',
            '{"exitCode":65,"reason":7}',
        ])
            assert.equal(refusalReason(body), undefined, body);
    });

    it("bounds the reason's length", () => {
        const reason = refusalReason(JSON.stringify({ exitCode: 65, reason: "x".repeat(5000) }));
        assert.equal(reason?.length, 1024);
    });
});
