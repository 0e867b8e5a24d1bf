/**
 * `client logs JOB_ID [--follow] [--since 10m]`: a job's CloudWatch log stream, read with the
 * caller's own credentials (logs:GetLogEvents on the jobs' log group). The API names the stream
 * (`container.logStreamName`) and the group (`logGroupName`) in the job's status. Without
 * --follow: the events so far, then exit. With --follow: waits for the job to start, prints events
 * as they arrive and exits once the job has finished and its last events are printed.
 */
import { type CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { ApiClient } from "./http";
import { UsageError } from "../../tools/common/cli";
import { ProgressLine, type ProgressIo } from "./progress";

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `--since`: a duration back from now (`90s`, `10m`, `2h`, `1d`, `1w`) or an ISO 8601 time; epoch ms. */
export function parseSince(text: string, now: number): number {
    const duration = /^([1-9][0-9]{0,6})([smhdw])$/.exec(text);
    if (duration) return now - Number(duration[1]) * unitSeconds[duration[2]] * 1000;
    if (/^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(text)) {
        const time = Date.parse(text);
        if (Number.isFinite(time)) return time;
    }
    throw new UsageError(`--since takes a duration such as 90s, 10m, 2h, 1d or an ISO 8601 time, got ${text}`);
}

/** Statuses after which a job writes nothing more to its stream. */
const finishedStatuses = new Set(["SUCCEEDED", "FAILED", "SUBMIT_FAILED"]);

interface JobStatus {
    status: string;
    logGroupName?: string | null;
    logStreamName?: string | null;
    container?: { logStreamName?: string | null };
}

export interface LogsOptions {
    jobId: string;
    follow: boolean;
    /** Epoch milliseconds: only events from then on. */
    since?: number;
    /** Overrides the group the API names. */
    logGroup?: string;
    pollIntervalMs: number;
}

export interface LogsIo extends ProgressIo {
    out(text: string): void;
}

/** Prints the job's log events on `io.out`, one message per line; answers the exit code. */
export async function printJobLogs(
    api: ApiClient,
    logs: Pick<CloudWatchLogsClient, "send">,
    options: LogsOptions,
    io: LogsIo,
    sleep: (ms: number) => Promise<void>,
): Promise<number> {
    const path = `jobs/${encodeURIComponent(options.jobId)}`;
    const progress = new ProgressLine(io);
    let job = await api.call<JobStatus>("GET", path);
    let stream = job.container?.logStreamName ?? job.logStreamName;
    while (!stream) {
        if (!options.follow || finishedStatuses.has(job.status)) {
            io.err(`job ${options.jobId} has no log stream (status ${job.status})\n`);
            return 1;
        }
        progress.update(`waiting for job ${options.jobId} to start (${job.status})`, { plain: true });
        await sleep(options.pollIntervalMs);
        job = await api.call<JobStatus>("GET", path);
        stream = job.container?.logStreamName ?? job.logStreamName;
    }
    progress.end();
    const group = options.logGroup ?? job.logGroupName;
    if (!group) throw new UsageError("the API names no log group: pass --log-group (the stack output logGroupName)");

    let token: string | undefined;
    /** Prints every event the stream holds past `token`; stops at the end of the stream. */
    const drain = async () => {
        for (;;) {
            const page = await logs.send(
                new GetLogEventsCommand({
                    logGroupName: group,
                    logStreamName: stream,
                    startFromHead: true,
                    // The time bound stays with the token: some implementations count the token's position
                    // among the events in the bound.
                    ...(options.since !== undefined ? { startTime: options.since } : {}),
                    ...(token ? { nextToken: token } : {}),
                }),
            );
            for (const event of page.events ?? []) io.out(`${(event.message ?? "").replace(/\n$/, "")}\n`);
            // The end of the stream: the forward token comes back unchanged.
            const next = page.nextForwardToken;
            const atEnd = !next || next === token;
            token = next ?? token;
            if (atEnd || !page.events?.length) return;
        }
    };

    for (;;) {
        // The status first: events written before the job finished are all read by the drain after.
        const finished = finishedStatuses.has(job.status);
        await drain();
        if (!options.follow || finished) return 0;
        await sleep(options.pollIntervalMs);
        job = await api.call<JobStatus>("GET", path);
    }
}
