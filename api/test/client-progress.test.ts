/** The client's progress line, its --since parser and its log reader, without a network. */
import { strict as assert } from "node:assert";
import type { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { ApiClient } from "../client/http";
import { UsageError } from "../../tools/common/cli";
import { parseSince, printJobLogs } from "../client/logs";
import { formatBytes, ProgressLine, progressBar } from "../client/progress";

function recorder(isTTY: boolean) {
    const written: string[] = [];
    const out: string[] = [];
    return { written, out, io: { isTTY, err: (t: string) => written.push(t), out: (t: string) => out.push(t) } };
}

describe("client progress", () => {
    it("rewrites one line on a terminal, throttled, and ends it with a newline", () => {
        let now = 0;
        const { written, io } = recorder(true);
        const progress = new ProgressLine(io, 100, () => now);
        progress.update("a");
        progress.update("b"); // within 100 ms: skipped
        now = 150;
        progress.update("c");
        progress.update("d", { force: true });
        progress.end();
        assert.deepEqual(written, ["\r\x1b[Ka", "\r\x1b[Kc", "\r\x1b[Kd", "\n"]);
    });

    it("writes only plain lines, and only those asked for, when not on a terminal", () => {
        const { written, io } = recorder(false);
        const progress = new ProgressLine(io);
        progress.update("bytes sent");
        progress.update("batch 1: RUNNING", { plain: true });
        progress.end();
        assert.deepEqual(written, ["batch 1: RUNNING\n"]);
    });

    it("draws bars and sizes", () => {
        assert.equal(progressBar(0, 10), "[----------]");
        assert.equal(progressBar(0.45, 10), "[#####-----]");
        assert.equal(progressBar(2, 4), "[####]");
        assert.equal(progressBar(Number.NaN, 4), "[----]");
        assert.equal(formatBytes(512), "512 B");
        assert.equal(formatBytes(3.5 * 1024 * 1024), "3.5 MiB");
    });
});

describe("client logs", () => {
    const now = Date.parse("2026-12-01T12:00:00Z");

    it("reads --since as a duration back from now or an ISO 8601 time", () => {
        assert.equal(parseSince("10m", now), now - 600_000);
        assert.equal(parseSince("90s", now), now - 90_000);
        assert.equal(parseSince("2h", now), now - 7_200_000);
        assert.equal(parseSince("1d", now), now - 86_400_000);
        assert.equal(parseSince("2026-12-01T11:00:00Z", now), now - 3_600_000);
        for (const bad of ["", "10", "m", "-5m", "10 m", "1y", "yesterday", "0m", "2026-13-45"])
            assert.throws(() => parseSince(bad, now), UsageError, bad);
    });

    it("pages through the stream until the token comes back unchanged, with the time bound on every page", async () => {
        const api = {
            call: () => Promise.resolve({ status: "SUCCEEDED", container: { logStreamName: "s" }, logGroupName: "g" }),
        };
        const pages: Record<string, { events: { message: string }[]; nextForwardToken: string }> = {
            start: { events: [{ message: "one" }, { message: "two\n" }], nextForwardToken: "t1" },
            t1: { events: [{ message: "three" }], nextForwardToken: "t2" },
            t2: { events: [], nextForwardToken: "t2" },
        };
        const inputs: GetLogEventsCommand["input"][] = [];
        const logs = {
            send: (command: GetLogEventsCommand) => {
                inputs.push(command.input);
                return Promise.resolve(pages[command.input.nextToken ?? "start"]);
            },
        };
        const { out, io } = recorder(false);
        const code = await printJobLogs(
            api as unknown as ApiClient,
            logs as never,
            { jobId: "j", follow: true, since: 5, pollIntervalMs: 1 },
            io,
            () => Promise.resolve(),
        );
        assert.equal(code, 0);
        assert.deepEqual(out, ["one\n", "two\n", "three\n"]);
        assert.deepEqual(
            inputs.map((i) => [i.logGroupName, i.logStreamName, i.startTime, i.nextToken]),
            [
                ["g", "s", 5, undefined],
                ["g", "s", 5, "t1"],
                ["g", "s", 5, "t2"],
            ],
        );
    });

    it("asks for --log-group when the API names none", async () => {
        const api = { call: () => Promise.resolve({ status: "RUNNING", container: { logStreamName: "s" } }) };
        const { io } = recorder(false);
        await assert.rejects(
            printJobLogs(
                api as unknown as ApiClient,
                { send: () => Promise.resolve({}) } as never,
                { jobId: "j", follow: false, pollIntervalMs: 1 },
                io,
                () => Promise.resolve(),
            ),
            UsageError,
        );
    });
});
