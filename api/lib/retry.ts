/** Retry timing and the classification of AWS errors the submitter and the store retry on. */

export interface BackoffOptions {
    baseDelayMs: number;
    maxDelayMs: number;
}

/**
 * Exponential backoff with "full jitter" (a uniformly random delay up to the exponential cap),
 * which spreads retries of many concurrent clients instead of synchronising them.
 * `attempt` counts from 1 (the delay before the first retry).
 */
export function fullJitterDelay(
    attempt: number,
    { baseDelayMs, maxDelayMs }: BackoffOptions,
    random = Math.random,
): number {
    const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt - 1, 30));
    return Math.floor(random() * cap);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface AwsErrorLike {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: { throttling?: boolean };
}

const throttlingNames = new Set([
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
    "RequestThrottled",
    "SlowDown",
    "TransactionConflictException",
]);

export function isThrottling(error: unknown): boolean {
    const e = error as AwsErrorLike;
    return throttlingNames.has(e?.name ?? "") || e?.$metadata?.httpStatusCode === 429 || !!e?.$retryable?.throttling;
}

/** A 5xx, or no HTTP answer at all (connection reset, timeout). */
export function isServerOrNetworkError(error: unknown): boolean {
    const e = error as AwsErrorLike;
    const status = e?.$metadata?.httpStatusCode;
    if (status !== undefined) return status >= 500;
    return !(error instanceof TypeError || error instanceof RangeError);
}

export function isRetryable(error: unknown): boolean {
    return isThrottling(error) || isServerOrNetworkError(error);
}

export function describeError(error: unknown): string {
    const e = error as AwsErrorLike & { message?: string };
    const status = e?.$metadata?.httpStatusCode;
    return `${e?.name ?? "Error"}${status ? ` (HTTP ${status})` : ""}: ${e?.message ?? String(error)}`.slice(0, 500);
}

/** Calls `fn` until it succeeds, a non-retryable error occurs, or `maxAttempts` is reached. */
export async function withRetries<T>(fn: () => Promise<T>, maxAttempts: number, backoff: BackoffOptions): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await fn();
        } catch (error) {
            if (attempt >= maxAttempts || !isRetryable(error)) throw error;
            await sleep(fullJitterDelay(attempt, backoff));
        }
    }
}
