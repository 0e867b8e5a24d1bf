/**
 * Command-line client for the ATX REST API: `npm run client -- <command> [options]`.
 * Output: JSON on stdout (one line; `--pretty` indents). Exit codes: 0 ok; 1 the API (or S3)
 * answered 4xx/5xx (its JSON error on stderr) or no credentials; 2 bad usage or unusable input; 3 network failure.
 */
import {
    mkdtempSync,
    mkdirSync,
    openSync,
    closeSync,
    writeSync,
    readFileSync,
    rmSync,
    statSync,
    constants,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve, sep } from "node:path";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import {
    type CommandSpec,
    helpText,
    InputError,
    type OptionSpec,
    optionValue,
    parseArgs,
    type ParsedArgs,
    runCommand,
    UsageError,
} from "../../tools/common/cli";
import { selectFiles, writeZip } from "./archive";
import { ExclusionListError, loadExclusions } from "./exclusions";
import {
    ApiClient,
    ApiError,
    CredentialsError,
    NetworkError,
    credentialChain,
    download,
    putFile,
    regionFromUrl,
} from "./http";
import { parseSince, printJobLogs } from "./logs";
import { formatBytes, ProgressLine, progressBar } from "./progress";
import { holdBack, scanForSecrets, SecretScanError } from "./secret-scan";

/** Exit codes 1 and 3 have the client's own meanings (the shared ones are 1 violations, 3 internal). */
const EXIT = { ok: 0, apiError: 1, network: 3 } as const;

/** The poll interval of `logs --follow` and `batch-status --wait`. */
const interval = (fallback: number): OptionSpec => ({
    flag: "--interval",
    value: "SECONDS",
    help: `Seconds between polls, (0, 3600] (default ${fallback}).`,
});

export const CLIENT: CommandSpec = {
    program: "client",
    name: "npm run client --",
    positionals: "COMMAND",
    summary:
        "Command-line client for the ATX REST API: prints the API's answer as one line of JSON on stdout. " +
        "Credentials come from the standard AWS provider chain (environment, profiles, SSO, roles). " +
        "Progress (upload, batch-status --wait, logs --follow) goes to stderr: one updated line on a terminal, " +
        "plain lines otherwise.",
    options: [
        { flag: "--api-url", value: "URL", help: "The API's stage URL (stack output apiUrl; default: ATX_API_URL)." },
        {
            flag: "--region",
            value: "REGION",
            help: "Signing region (default: AWS_REGION, AWS_DEFAULT_REGION, or the URL's region).",
        },
        { flag: "--pretty", help: "Indented JSON output." },
    ],
    commands: [
        {
            name: "submit",
            summary: "Submits a job: its command, and its source as a URL, an S3 URI or a directory to upload.",
            options: [
                { flag: "--command", value: "LINE", help: 'The job\'s command line, "atx ..." (required).' },
                { flag: "--source", value: "URL", help: "The source: a Git URL or s3:// URI." },
                {
                    flag: "--dir",
                    value: "DIR",
                    help: "Upload this directory (as `upload` does) and use it as the source.",
                },
                { flag: "--file-name", value: "NAME.zip", help: "The uploaded archive's name (with --dir)." },
                { flag: "--name", value: "NAME", help: "The job's name." },
                { flag: "--env", value: "K=V", repeatable: true, help: "An environment variable of the job." },
                { flag: "--tag", value: "K=V", repeatable: true, help: "A tag of the job." },
            ],
        },
        { name: "status", positionals: ["JOB_ID"], summary: "A job's status." },
        { name: "cancel", positionals: ["JOB_ID"], summary: "Cancels a job." },
        {
            name: "list",
            summary: "Lists jobs, a page at a time or all of them.",
            options: [
                { flag: "--status", value: "STATUS", help: "Only jobs in this status." },
                { flag: "--limit", value: "N", help: "Jobs per page." },
                { flag: "--all", help: "Every page, as one list." },
            ],
        },
        {
            name: "results",
            positionals: ["JOB_ID"],
            summary: "A job's result objects, with download links.",
            options: [{ flag: "--download", value: "DIR", help: "Download the objects into DIR." }],
        },
        {
            name: "logs",
            positionals: ["JOB_ID"],
            summary: "The job's CloudWatch log stream (needs logs:GetLogEvents on its log group).",
            options: [
                { flag: "--follow", help: "Wait for the job to start and print events until it ends." },
                {
                    flag: "--since",
                    value: "TIME",
                    help: "Only events since a duration ago (90s, 10m, 2h, 1d) or an ISO 8601 time.",
                },
                { flag: "--log-group", value: "NAME", help: "The log group (default: the one the API names)." },
                interval(2),
            ],
        },
        {
            name: "upload",
            positionals: ["DIR"],
            summary: "Zips a directory, without excluded files and files holding secrets, and uploads it as a source.",
            options: [
                { flag: "--file-name", value: "NAME.zip", help: "The archive's name (default: the directory's)." },
            ],
        },
        {
            name: "batch-submit",
            positionals: ["FILE"],
            summary: 'Submits a batch: a {"batchName", "jobs": [...]} document.',
        },
        {
            name: "batch-status",
            positionals: ["BATCH_ID"],
            summary: "A batch's status and counts.",
            options: [
                { flag: "--wait", help: "Wait until the batch has finished, showing its progress." },
                interval(5),
            ],
        },
        {
            name: "mcp-config",
            positionals: ["FILE"],
            summary: 'Stores an MCP configuration: a {"mcpServers": {...}} document (or {"mcpConfig": {...}}).',
        },
    ],
    environment: [
        { name: "ATX_API_URL", help: "The API's stage URL, when --api-url is not given." },
        { name: "ATX_EXCLUSIONS_FILE", help: "The upload's exclusion list, instead of the default one." },
        { name: "ATX_SECRET_SCAN_PYTHON", help: "The Python that runs the upload's secret scan." },
    ],
    exitCodes:
        "0 ok, 1 the API (or S3) answered an error or no credentials (JSON on stderr), 2 usage or invalid input, 3 network failure.",
};

/** Parses the command line; a help request has `help` set and no values. */
export const parseClientArgs = (argv: readonly string[]): ParsedArgs => parseArgs(CLIENT, argv);

/** `K=V` pairs into an object (the API validates names and values). */
export function keyValues(pairs: readonly string[] | undefined, option: string): Record<string, string> | undefined {
    if (!pairs?.length) return undefined;
    const out: Record<string, string> = {};
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        if (eq <= 0) throw new UsageError(`--${option} takes KEY=VALUE, got ${JSON.stringify(pair.slice(0, 40))}`);
        const key = pair.slice(0, eq);
        if (key in out) throw new UsageError(`--${option} ${key} given twice`);
        out[key] = pair.slice(eq + 1);
    }
    return out;
}

function readJsonFile(file: string): unknown {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (error) {
        throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    try {
        return JSON.parse(text);
    } catch (error) {
        throw new InputError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
}

const terminalBatchStatuses = new Set(["SUCCEEDED", "FAILED", "COMPLETED_WITH_FAILURES"]);

// The parts of the API's answers this client reads; the server may send more.
interface UploadAnswer {
    method?: string;
    uploadUrl: string;
    headers?: Record<string, string>;
    s3Uri: string;
    expiresAt?: string;
}
interface JobsPage {
    jobs?: unknown[];
    nextToken?: string | null;
}
interface ResultsAnswer {
    jobId?: string;
    status?: string;
    s3Uri?: string;
    objects?: { key: string; url: string }[];
    truncated?: boolean;
}
interface BatchStatusAnswer {
    batchId?: string;
    status: string;
    totalJobs?: number;
    counts?: Record<string, number>;
    progressPercent?: number;
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A file name the upload endpoint accepts (`^[A-Za-z0-9][A-Za-z0-9_.-]*$`, no `..`). */
export function archiveName(dir: string): string {
    const base = basename(resolve(dir))
        .replace(/[^A-Za-z0-9_.-]+/g, "-")
        .replace(/\.{2,}/g, ".")
        .replace(/^[^A-Za-z0-9]+/, "");
    return `${base.slice(0, 100) || "source"}.zip`;
}

export interface Io {
    out(text: string): void;
    err(text: string): void;
    isTTY: boolean;
}

async function execute(args: ParsedArgs, env: NodeJS.ProcessEnv, io: Io, pretty: boolean): Promise<number> {
    const print = (value: unknown) => io.out(JSON.stringify(value, null, pretty ? 2 : undefined) + "\n");
    const opt = (name: string) => optionValue(args, name);
    const apiUrl = opt("api-url") ?? env.ATX_API_URL;
    if (!apiUrl) throw new UsageError("no API URL: pass --api-url or set ATX_API_URL (the stack output apiUrl)");
    let parsedUrl: URL;
    try {
        parsedUrl = new URL(apiUrl);
    } catch {
        throw new UsageError(`not a URL: ${apiUrl}`);
    }
    if (parsedUrl.protocol !== "https:" && parsedUrl.protocol !== "http:")
        throw new UsageError("the API URL must be https:// (or http:// for api:local)");
    if (parsedUrl.username || parsedUrl.password) throw new UsageError("the API URL must not contain credentials");
    const region = opt("region") ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? regionFromUrl(apiUrl) ?? "us-east-1";
    const api = new ApiClient({ baseUrl: apiUrl, region });
    const id = (value: string) => encodeURIComponent(value);

    const upload = async (dir: string, fileName?: string) => {
        let isDir = false;
        try {
            isDir = statSync(dir).isDirectory();
        } catch {
            /* reported below */
        }
        if (!isDir) throw new InputError(`not a directory: ${dir}`);
        const name = fileName ?? archiveName(dir);
        if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) || name.includes(".."))
            throw new UsageError(`invalid archive file name ${JSON.stringify(name)}`);
        const selected = selectFiles(dir, loadExclusions(env.ATX_EXCLUSIONS_FILE || undefined));
        const findings = scanForSecrets(
            dir,
            selected.files.map((f) => f.path),
            env.ATX_SECRET_SCAN_PYTHON || undefined,
        );
        for (const finding of findings)
            io.err(`held back ${finding.path}: secret detected (${finding.types.join(", ")})\n`);
        const selection = holdBack(selected, findings);
        if (selection.files.length === 0)
            throw new InputError(`nothing to upload in ${dir} (${selection.excludedTotal} entries excluded)`);
        const reasons = Object.entries(selection.excluded)
            .map(([reason, count]) => `${count} × ${reason}`)
            .join(", ");
        io.err(
            `zipping ${selection.files.length} files; excluded ${selection.excludedTotal}${reasons ? `: ${reasons}` : ""}\n`,
        );
        const work = mkdtempSync(join(tmpdir(), "atx-upload-"));
        try {
            const zip = join(work, name);
            const bytes = writeZip(selection.files, zip);
            const answer = await api.call<UploadAnswer>(
                "POST",
                "upload",
                {},
                { fileName: name, contentType: "application/zip", contentLength: bytes },
            );
            if (answer?.method && answer.method !== "PUT") throw new Error(`unexpected upload method ${answer.method}`);
            const progress = new ProgressLine(io);
            const total = formatBytes(bytes);
            await putFile(answer.uploadUrl, answer.headers ?? {}, zip, (sent) =>
                progress.update(
                    `uploading ${name} ${progressBar(sent / bytes)} ${Math.floor((100 * sent) / bytes)}% of ${total}`,
                    { force: sent === bytes },
                ),
            );
            progress.end();
            io.err(`uploaded ${bytes} bytes to ${answer.s3Uri}\n`);
            return {
                s3Uri: answer.s3Uri,
                fileName: name,
                bytes,
                files: selection.files.length,
                excluded: { total: selection.excludedTotal, reasons: selection.excluded },
                expiresAt: answer.expiresAt,
            };
        } finally {
            rmSync(work, { recursive: true, force: true });
        }
    };

    switch (args.command) {
        case "submit": {
            const command = opt("command");
            if (!command) throw new UsageError('submit needs --command "atx ..."');
            if (opt("source") && opt("dir")) throw new UsageError("--source and --dir exclude each other");
            if (opt("file-name") && !opt("dir")) throw new UsageError("--file-name goes with --dir");
            const environment = keyValues(args.values.get("env"), "env");
            const tags = keyValues(args.values.get("tag"), "tag");
            const source = opt("dir") ? (await upload(opt("dir")!, opt("file-name"))).s3Uri : opt("source");
            const body = {
                command,
                ...(source !== undefined && { source }),
                ...(opt("name") !== undefined && { jobName: opt("name") }),
                ...(environment && { environment }),
                ...(tags && { tags }),
            };
            print(await api.call("POST", "jobs", {}, body));
            return 0;
        }
        case "status":
            print(await api.call("GET", `jobs/${id(args.positionals[0])}`));
            return 0;
        case "cancel":
            print(await api.call("DELETE", `jobs/${id(args.positionals[0])}`));
            return 0;
        case "list": {
            const query = { status: opt("status"), limit: opt("limit") };
            if (query.limit !== undefined && !/^\d+$/.test(query.limit)) throw new UsageError("--limit takes a number");
            if (!args.values.has("all")) {
                print(await api.call("GET", "jobs", query));
                return 0;
            }
            const jobs: unknown[] = [];
            let nextToken: string | undefined;
            const seen = new Set<string>();
            do {
                const page = await api.call<JobsPage>("GET", "jobs", { ...query, nextToken });
                jobs.push(...(page.jobs ?? []));
                nextToken = page.nextToken ?? undefined;
                if (nextToken && seen.has(nextToken)) throw new Error("the API repeated a nextToken");
                if (nextToken) seen.add(nextToken);
            } while (nextToken);
            print({ jobs, nextToken: null });
            return 0;
        }
        case "results": {
            const results = await api.call<ResultsAnswer>("GET", `jobs/${id(args.positionals[0])}/results`);
            const target = opt("download");
            if (!target) {
                print(results);
                return 0;
            }
            const root = resolve(target);
            const prefix = /^s3:\/\/[^/]+\/(.*)$/.exec(results.s3Uri ?? "")?.[1] ?? "";
            const downloaded: { key: string; path: string; size: number }[] = [];
            for (const object of results.objects ?? []) {
                const relative: string = object.key.startsWith(prefix) ? object.key.slice(prefix.length) : object.key;
                const segments = relative.split("/");
                if (!relative || relative.endsWith("/")) continue; // folder marker
                if (segments.some((s) => s === "" || s === "." || s === "..")) {
                    io.err(`skipped a result with an unsafe key: ${JSON.stringify(object.key)}\n`);
                    continue;
                }
                const path = join(root, ...segments);
                if (!path.startsWith(root + sep)) continue;
                const data = await download(object.url);
                mkdirSync(dirname(path), { recursive: true });
                // O_NOFOLLOW: never write through a symbolic link planted in the target directory.
                const fd = openSync(
                    path,
                    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
                    0o644,
                );
                try {
                    writeSync(fd, data);
                } finally {
                    closeSync(fd);
                }
                downloaded.push({ key: object.key, path, size: data.length });
            }
            print({
                jobId: results.jobId,
                status: results.status,
                s3Uri: results.s3Uri,
                directory: root,
                downloaded,
                truncated: results.truncated,
            });
            return 0;
        }
        case "upload":
            print(await upload(args.positionals[0], opt("file-name")));
            return 0;
        case "batch-submit":
            print(await api.call("POST", "jobs/batch", {}, readJsonFile(args.positionals[0])));
            return 0;
        case "batch-status": {
            const path = `jobs/batch/${id(args.positionals[0])}`;
            const interval = opt("interval") === undefined ? 5 : Number(opt("interval"));
            if (!(interval > 0 && interval <= 3600)) throw new UsageError("--interval takes seconds (0-3600]");
            let status = await api.call<BatchStatusAnswer>("GET", path);
            const progress = new ProgressLine(io);
            while (args.values.has("wait") && !terminalBatchStatuses.has(status.status)) {
                const counts = Object.entries(status.counts ?? {})
                    .filter(([, n]) => n)
                    .map(([s, n]) => `${s.toLowerCase()} ${n}`)
                    .join(", ");
                const percent = Number(status.progressPercent ?? 0);
                const line = `batch ${status.batchId}: ${status.status} ${progressBar(percent / 100)} ${percent}% of ${status.totalJobs} (${counts || "no jobs tracked yet"})`;
                progress.update(line, { plain: true, force: true });
                await sleep(interval * 1000);
                status = await api.call<BatchStatusAnswer>("GET", path);
            }
            progress.end();
            print(status);
            return 0;
        }
        case "logs": {
            const interval = opt("interval") === undefined ? 2 : Number(opt("interval"));
            if (!(interval > 0 && interval <= 3600)) throw new UsageError("--interval takes seconds (0-3600]");
            const since = opt("since");
            const logs = new CloudWatchLogsClient({ region, credentials: credentialChain() });
            try {
                return await printJobLogs(
                    api,
                    logs,
                    {
                        jobId: args.positionals[0],
                        follow: args.values.has("follow"),
                        since: since === undefined ? undefined : parseSince(since, Date.now()),
                        logGroup: opt("log-group"),
                        pollIntervalMs: interval * 1000,
                    },
                    io,
                    sleep,
                );
            } finally {
                logs.destroy();
            }
        }
        case "mcp-config":
            print(await api.call("POST", "mcp-config", {}, readJsonFile(args.positionals[0])));
            return 0;
        default:
            throw new Error(`no handler for command ${args.command}`);
    }
}

/** Failures of the client's own that have a code of their own in its JSON error. */
const CLIENT_FAILURES: readonly (readonly [abstract new (...args: never[]) => Error, string])[] = [
    [CredentialsError, "CredentialsError"],
    [SecretScanError, "SecretScanError"],
    [ExclusionListError, "ExclusionListError"],
];

/** The API's or the client's failure as JSON on stderr; its exit code. */
function reportFailure(error: unknown, io: Io, pretty: boolean): number {
    const printError = (value: unknown) => io.err(JSON.stringify(value, null, pretty ? 2 : undefined) + "\n");
    if (error instanceof ApiError) {
        const body = error.body;
        if (body && typeof body === "object" && !Array.isArray(body))
            printError({ status: error.status, ...(error.errorType && { errorType: error.errorType }), ...body });
        else printError({ status: error.status, ...(error.errorType && { errorType: error.errorType }), body });
        return EXIT.apiError;
    }
    if (error instanceof NetworkError) {
        printError({ error: { code: "NetworkError", message: error.message } });
        return EXIT.network;
    }
    const known = CLIENT_FAILURES.find(([kind]) => error instanceof kind);
    printError({ error: { code: known?.[1] ?? "ClientError", message: (error as Error)?.message ?? String(error) } });
    return EXIT.apiError;
}

async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
    const args = parseClientArgs(argv);
    if (args.help) {
        io.out(helpText(CLIENT, args.command));
        return EXIT.ok;
    }
    const pretty = args.values.has("pretty");
    try {
        return await execute(args, env, io, pretty);
    } catch (error) {
        // Found while running a command, a usage error concerns that command: its usage line goes with it.
        if (error instanceof UsageError) throw new UsageError(error.message, args.command);
        if (error instanceof InputError) throw error;
        return reportFailure(error, io, pretty);
    }
}

/** Runs the client; answers the exit code. Usage and input errors go to stderr as `client: ...`. */
export function run(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
    return runCommand(CLIENT, () => main(argv, env, io), [], { write: (text) => io.err(text) });
}

if (require.main === module) {
    void run(process.argv.slice(2), process.env, {
        out: (text) => process.stdout.write(text),
        err: (text) => process.stderr.write(text),
        isTTY: Boolean(process.stderr.isTTY),
    }).then((code) => {
        process.exitCode = code;
    });
}
