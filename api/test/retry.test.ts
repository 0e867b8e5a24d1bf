import { strict as assert } from "node:assert";
import fc from "fast-check";
import { RateLimiter } from "../lib/rate-limiter";
import { fullJitterDelay, isRetryable, isThrottling, withRetries } from "../lib/retry";

const awsError = (name: string, httpStatusCode?: number) =>
    Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });

describe("retry timing and classification", () => {
    it("draws full-jitter delays below the exponential cap (property)", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 1, max: 60 }),
                fc.double({ min: 0, max: 0.999999, noNaN: true }),
                (attempt, r) => {
                    const delay = fullJitterDelay(attempt, { baseDelayMs: 100, maxDelayMs: 20_000 }, () => r);
                    return delay >= 0 && delay < Math.min(20_000, 100 * 2 ** (attempt - 1)) + 1e-9;
                },
            ),
        );
        assert.equal(
            fullJitterDelay(3, { baseDelayMs: 100, maxDelayMs: 20_000 }, () => 0.5),
            200,
        );
    });

    it("retries throttling, 5xx and network errors, not client errors", () => {
        assert.ok(isThrottling(awsError("ThrottlingException", 400)));
        assert.ok(isThrottling(awsError("Whatever", 429)));
        assert.ok(isRetryable(awsError("ServerException", 500)));
        assert.ok(isRetryable(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })));
        assert.ok(!isRetryable(awsError("ClientException", 400)));
        assert.ok(!isRetryable(awsError("ConditionalCheckFailedException", 400)));
    });

    it("gives up after maxAttempts and stops at once on a non-retryable error", async () => {
        let calls = 0;
        await assert.rejects(
            withRetries(
                () => {
                    calls++;
                    return Promise.reject(awsError("ServerException", 503));
                },
                3,
                { baseDelayMs: 1, maxDelayMs: 2 },
            ),
        );
        assert.equal(calls, 3);
        calls = 0;
        await assert.rejects(
            withRetries(
                () => {
                    calls++;
                    return Promise.reject(awsError("ClientException", 400));
                },
                3,
                { baseDelayMs: 1, maxDelayMs: 2 },
            ),
        );
        assert.equal(calls, 1);
        assert.equal(
            await withRetries(async () => (++calls === 3 ? "ok" : Promise.reject(awsError("Throttling", 400))), 5, {
                baseDelayMs: 1,
                maxDelayMs: 2,
            }),
            "ok",
        );
    });

    it("spaces calls at the configured rate", async () => {
        const limiter = new RateLimiter(200);
        const started = Date.now();
        await Promise.all(Array.from({ length: 11 }, () => limiter.take()));
        assert.ok(Date.now() - started >= 45, `11 calls at 200/s took ${Date.now() - started} ms`);
    });
});
