/**
 * Progress on stderr. On a terminal one line is rewritten in place (at most every `minIntervalMs`,
 * the last state always shown); elsewhere (a pipe, a CI log) only plain lines are written, and only
 * for the updates that ask for one, so logs do not fill with carriage returns.
 */
export interface ProgressIo {
    err(text: string): void;
    isTTY: boolean;
}

export class ProgressLine {
    private shown = false;
    private lastDraw = 0;

    constructor(
        private readonly io: ProgressIo,
        private readonly minIntervalMs = 100,
        private readonly now: () => number = Date.now,
    ) {}

    /** `plain`: also print this state as a line when stderr is not a terminal. */
    update(text: string, { plain = false, force = false } = {}): void {
        if (!this.io.isTTY) {
            if (plain) this.io.err(`${text}\n`);
            return;
        }
        const time = this.now();
        if (!force && this.shown && time - this.lastDraw < this.minIntervalMs) return;
        this.io.err(`\r\x1b[K${text}`);
        this.shown = true;
        this.lastDraw = time;
    }

    /** Ends the rewritten line, so what follows starts on its own line. */
    end(): void {
        if (this.io.isTTY && this.shown) this.io.err("\n");
        this.shown = false;
    }
}

/** `[######--------------]` for a fraction from 0 to 1. */
export function progressBar(fraction: number, width = 20): string {
    const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const full = Math.round(clamped * width);
    return `[${"#".repeat(full)}${"-".repeat(width - full)}]`;
}

/** Bytes in binary units with one decimal: `512 B`, `3.2 MiB`. */
export function formatBytes(bytes: number): string {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
