/**
 * Spaces calls evenly at a fixed rate within one process (no bursts), which is what Batch's
 * per-account SubmitJob quota rewards. Callers `await limiter.take()` before each call.
 */
export class RateLimiter {
    private nextSlot = 0;
    private readonly intervalMs: number;

    constructor(
        ratePerSecond: number,
        private readonly now = () => Date.now(),
    ) {
        this.intervalMs = 1000 / ratePerSecond;
    }

    async take(): Promise<void> {
        const now = this.now();
        const slot = Math.max(now, this.nextSlot);
        this.nextSlot = slot + this.intervalMs;
        if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
    }
}
