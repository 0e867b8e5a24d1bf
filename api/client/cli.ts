/**
 * Command-line client for the ATX REST API: `npm run client -- <command> [options]`.
 * Output: JSON on stdout (one line; `--pretty` indents). Exit codes: 0 ok; 1 the API (or S3)
 * answered 4xx/5xx (its JSON error on stderr) or no credentials; 2 bad usage; 3 network failure.
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
import { LogsUsageError, parseSince, printJobLogs } from "./logs";
import { formatBytes, ProgressLine, progressBar } from "./progress";
import { holdBack, scanForSecrets, SecretScanError } from "./secret-scan";

export const usage = `usage: npm run client -- <command> [options]

commands:
  submit --command "atx ..." [--source URL|s3://...|--dir DIR] [--name NAME] [--env K=V]... [--tag K=V]...
  status JOB_ID
  cancel JOB_ID
  list [--status S] [--limit N] [--all]
  results JOB_ID [--download DIR]
  logs JOB_ID [--follow] [--since 10m] [--log-group NAME] [--interval SECONDS]
                                         the job's CloudWatch log stream (--follow: until the job ends)
  upload DIR [--file-name NAME.zip]
  batch-submit FILE.json                 a {"batchName", "jobs": [...]} document
  batch-status BATCH_ID [--wait] [--interval SECONDS]
  mcp-config FILE.json                   a {"mcpServers": {...}} document (or {"mcpConfig": {...}})

global options:
  --api-url URL    the API's stage URL (stack output apiUrl); default: env ATX_API_URL
  --region REGION  signing region; default: AWS_REGION, AWS_DEFAULT_REGION, or the URL's region
  --pretty         indented JSON output
  --help

Credentials come from the standard AWS provider chain (environment, profiles, SSO, roles).
Progress (upload, batch-status --wait, logs --follow) goes to stderr: one updated line on a
terminal, plain lines otherwise.
Exit codes: 0 ok, 1 API error (JSON on stderr), 2 usage, 3 network failure.`;

export class UsageError extends Error {}

type OptionSpec = Record<string, "flag" | "value" | "multi">;

const globalOptions: OptionSpec = { "api-url": "value", region: "value", pretty: "flag", help: "flag" };

const commandOptions: Record<string, { options: OptionSpec; positional: string[] }> = {
    submit: {
        options: {
            command: "value",
            source: "value",
            dir: "value",
            name: "value",
            env: "multi",
            tag: "multi",
            "file-name": "value",
        },
        positional: [],
    },
    status: { options: {}, positional: ["JOB_ID"] },
    cancel: { options: {}, positional: ["JOB_ID"] },
    list: { options: { status: "value", limit: "value", all: "flag" }, positional: [] },
    results: { options: { download: "value" }, positional: ["JOB_ID"] },
    logs: {
        options: { follow: "flag", since: "value", "log-group": "value", interval: "value" },
        positional: ["JOB_ID"],
    },
    upload: { options: { "file-name": "value" }, positional: ["DIR"] },
    "batch-submit": { options: {}, positional: ["FILE"] },
    "batch-status": { options: { wait: "flag", interval: "value" }, positional: ["BATCH_ID"] },
    "mcp-config": { options: {}, positional: ["FILE"] },
};

export interface ParsedArgs {
    command?: string;
    positional: string[];
    options: Record<string, string | boolean | string[]>;
}

export function parseArgs(argv: string[]): ParsedArgs {
    const parsed: ParsedArgs = { positional: [], options: {} };
    const rest: string[] = [];
    // The command is the first word that is not an option (or an option's value).
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--") {
            rest.push(...argv.slice(i + 1));
            break;
        }
        if (!arg.startsWith("--") || arg === "-") {
            if (parsed.command === undefined) parsed.command = arg;
            else rest.push(arg);
            continue;
        }
        const eq = arg.indexOf("=");
        const name = arg.slice(2, eq < 0 ? undefined : eq);
        const spec =
            globalOptions[name] ?? (parsed.command ? commandOptions[parsed.command]?.options[name] : undefined);
        if (!spec) throw new UsageError(`unknown option --${name}${parsed.command ? ` for ${parsed.command}` : ""}`);
        if (spec === "flag") {
            if (eq >= 0) throw new UsageError(`--${name} takes no value`);
            parsed.options[name] = true;
            continue;
        }
        let value: string;
        if (eq >= 0) value = arg.slice(eq + 1);
        else {
            if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
            value = argv[++i];
        }
        if (spec === "multi") parsed.options[name] = [...((parsed.options[name] as string[] | undefined) ?? []), value];
        else if (parsed.options[name] !== undefined) throw new UsageError(`--${name} given twice`);
        else parsed.options[name] = value;
    }
    parsed.positional = rest;
    if (parsed.options.help) return parsed;
    if (parsed.command === undefined) throw new UsageError("no command");
    const command = commandOptions[parsed.command];
    if (!command) throw new UsageError(`unknown command ${parsed.command}`);
    if (rest.length !== command.positional.length) {
        throw new UsageError(
            `${parsed.command} takes ${command.positional.length ? command.positional.join(" ") : "no arguments"}`,
        );
    }
    for (const [i, name] of command.positional.entries()) if (rest[i] === "") throw new UsageError(`${name} is empty`);
    return parsed;
}

/** `K=V` pairs into an object (the API validates names and values). */
export function keyValues(pairs: string[] | undefined, option: string): Record<string, string> | undefined {
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
        throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    try {
        return JSON.parse(text);
    } catch (error) {
        throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`);
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

export async function run(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
    let pretty = argv.includes("--pretty");
    const print = (value: unknown) => io.out(JSON.stringify(value, null, pretty ? 2 : undefined) + "\n");
    const printError = (value: unknown) => io.err(JSON.stringify(value, null, pretty ? 2 : undefined) + "\n");
    try {
        const args = parseArgs(argv);
        pretty = args.options.pretty === true;
        if (args.options.help) {
            io.out(usage + "\n");
            return 0;
        }
        const opt = (name: string) => args.options[name] as string | undefined;
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
        const region =
            opt("region") ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? regionFromUrl(apiUrl) ?? "us-east-1";
        const api = new ApiClient({ baseUrl: apiUrl, region });
        const id = (value: string) => encodeURIComponent(value);

        const upload = async (dir: string, fileName?: string) => {
            let isDir = false;
            try {
                isDir = statSync(dir).isDirectory();
            } catch {
                /* reported below */
            }
            if (!isDir) throw new UsageError(`not a directory: ${dir}`);
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
                throw new UsageError(`nothing to upload in ${dir} (${selection.excludedTotal} entries excluded)`);
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
                if (answer?.method && answer.method !== "PUT")
                    throw new Error(`unexpected upload method ${answer.method}`);
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
                const environment = keyValues(args.options.env as string[] | undefined, "env");
                const tags = keyValues(args.options.tag as string[] | undefined, "tag");
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
                print(await api.call("GET", `jobs/${id(args.positional[0])}`));
                return 0;
            case "cancel":
                print(await api.call("DELETE", `jobs/${id(args.positional[0])}`));
                return 0;
            case "list": {
                const query = { status: opt("status"), limit: opt("limit") };
                if (query.limit !== undefined && !/^\d+$/.test(query.limit))
                    throw new UsageError("--limit takes a number");
                if (!args.options.all) {
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
                const results = await api.call<ResultsAnswer>("GET", `jobs/${id(args.positional[0])}/results`);
                const target = opt("download");
                if (!target) {
                    print(results);
                    return 0;
                }
                const root = resolve(target);
                const prefix = /^s3:\/\/[^/]+\/(.*)$/.exec(results.s3Uri ?? "")?.[1] ?? "";
                const downloaded: { key: string; path: string; size: number }[] = [];
                for (const object of results.objects ?? []) {
                    const relative: string = object.key.startsWith(prefix)
                        ? object.key.slice(prefix.length)
                        : object.key;
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
                print(await upload(args.positional[0], opt("file-name")));
                return 0;
            case "batch-submit":
                print(await api.call("POST", "jobs/batch", {}, readJsonFile(args.positional[0])));
                return 0;
            case "batch-status": {
                const path = `jobs/batch/${id(args.positional[0])}`;
                const interval = opt("interval") === undefined ? 5 : Number(opt("interval"));
                if (!(interval > 0 && interval <= 3600)) throw new UsageError("--interval takes seconds (0-3600]");
                let status = await api.call<BatchStatusAnswer>("GET", path);
                const progress = new ProgressLine(io);
                while (args.options.wait && !terminalBatchStatuses.has(status.status)) {
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
                            jobId: args.positional[0],
                            follow: args.options.follow === true,
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
                print(await api.call("POST", "mcp-config", {}, readJsonFile(args.positional[0])));
                return 0;
            default:
                throw new UsageError(`unknown command ${args.command}`);
        }
    } catch (error) {
        if (error instanceof UsageError || error instanceof LogsUsageError) {
            io.err(`error: ${error.message}\n\n${usage}\n`);
            return 2;
        }
        if (error instanceof ApiError) {
            const body = error.body;
            if (body && typeof body === "object" && !Array.isArray(body))
                printError({ status: error.status, ...(error.errorType && { errorType: error.errorType }), ...body });
            else printError({ status: error.status, ...(error.errorType && { errorType: error.errorType }), body });
            return 1;
        }
        if (error instanceof NetworkError) {
            printError({ error: { code: "NetworkError", message: error.message } });
            return 3;
        }
        if (error instanceof CredentialsError) {
            printError({ error: { code: "CredentialsError", message: error.message } });
            return 1;
        }
        if (error instanceof SecretScanError) {
            printError({ error: { code: "SecretScanError", message: error.message } });
            return 1;
        }
        if (error instanceof ExclusionListError) {
            printError({ error: { code: "ExclusionListError", message: error.message } });
            return 1;
        }
        printError({ error: { code: "ClientError", message: (error as Error)?.message ?? String(error) } });
        return 1;
    }
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
