import * as assert from "assert";
import { exitCodeOf, readEvents } from "../../tools/engine/events";

const line = (event: object) => JSON.stringify({ sequence: 1, timestamp: 0, ...event });
const URN = "urn:pulumi:prod::atx-platform::aws:s3/bucket:Bucket::b";

describe("engine event stream", () => {
    const stream = [
        line({ preludeEvent: { config: {} } }),
        line({ resourcePreEvent: { metadata: { urn: URN, op: "create" } } }),
        line({ resourcePreEvent: { metadata: { urn: `${URN}2`, op: "same", old: { urn: `${URN}0` } } } }),
        line({
            resourcePreEvent: {
                metadata: { urn: URN, op: "replace", old: { urn: URN }, diffs: ["bucket", "tags"], keys: ["bucket"] },
            },
        }),
        line({
            policyEvent: {
                resourceUrn: URN,
                policyName: "s3-encryption",
                enforcementLevel: "mandatory",
                message: "Buckets are encrypted.\nBucket 'b' is not.\n",
            },
        }),
        line({ diagnosticEvent: { severity: "info", message: "hello\n" } }),
        "not json: a warning the CLI printed",
    ].join("\n");

    it("collects URNs, operations and violations", () => {
        const outcome = readEvents(stream);
        assert.deepStrictEqual(outcome.urns, [URN, `${URN}2`, URN]);
        assert.deepStrictEqual(outcome.operations, { create: 1, same: 1, replace: 1 });
        assert.deepStrictEqual(outcome.violations, [
            {
                level: "mandatory",
                policy: "s3-encryption",
                urn: URN,
                message: "Buckets are encrypted.\nBucket 'b' is not.",
            },
        ]);
        assert.deepStrictEqual(outcome.errors, []);
    });

    it("keeps each step with the state it starts from and the keys that differ or force a replacement", () => {
        assert.deepStrictEqual(readEvents(stream).steps, [
            { op: "create", urn: URN, diffs: [], replaceKeys: [] },
            { op: "same", urn: `${URN}2`, oldUrn: `${URN}0`, diffs: [], replaceKeys: [] },
            { op: "replace", urn: URN, oldUrn: URN, diffs: ["bucket", "tags"], replaceKeys: ["bucket"] },
        ]);
    });

    it("gives the offline preview's exit codes", () => {
        const clean = readEvents(line({ resourcePreEvent: { metadata: { urn: URN, op: "create" } } }));
        assert.strictEqual(exitCodeOf(clean, 0), 0);
        assert.strictEqual(exitCodeOf(readEvents(stream), 255), 1);
        const badConfig = readEvents(
            line({ diagnosticEvent: { severity: "error", message: "invalid stack configuration:\n  x" } }),
        );
        assert.strictEqual(exitCodeOf(badConfig, 255), 2);
        const missing = readEvents(
            "",
            "error: validating stack config: Stack 'prod' is missing configuration values 'x'\n",
        );
        assert.strictEqual(exitCodeOf(missing, 255), 2);
        const crashed = readEvents(line({ diagnosticEvent: { severity: "error", message: "TypeError: x" } }));
        assert.strictEqual(exitCodeOf(crashed, 255), 3);
    });
});
