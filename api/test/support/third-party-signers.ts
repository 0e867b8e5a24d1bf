/**
 * Signed requests through signers that are not the project's: botocore (the AWS SDK for Python,
 * from the project's venv, as the AWS sample's own scripts sign) and curl's --aws-sigv4.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

/** The fields of the API's answers (ours and the AWS sample's) that tests read. */
export interface AnswerBody {
    batchJobId: string;
    jobId: string;
    jobName: string;
    status: string;
    submittedAt: string;
    startedAt: string | null;
    logGroupName: string | null;
    container: { logStreamName: string | null };
    message: string;
    previousStatus: string;
    uploadUrl: string;
    s3Path: string;
    batchId: string;
    totalJobs: number;
    progress: number;
    statusCounts: Record<string, number>;
    error: { code: string; message: string; field?: string };
}

export interface SignedAnswer {
    status: number;
    /** Parsed JSON (the raw text when the answer is not JSON); tests assert the fields they read. */
    body: AnswerBody;
}

const repoRoot = resolve(__dirname, "../../..");
const credentials = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };

function parse(text: string): AnswerBody {
    try {
        return (text === "" ? null : JSON.parse(text)) as AnswerBody;
    } catch {
        return text as unknown as AnswerBody;
    }
}

/** One long-lived Python process signing with botocore's SigV4Auth; requests are answered in order. */
export class BotocoreClient {
    private readonly child: ChildProcessWithoutNullStreams;
    private readonly waiting: ((line: string) => void)[] = [];
    private stderr = "";

    constructor(private readonly baseUrl: string) {
        this.child = spawn(resolve(repoRoot, ".venv/bin/python"), [resolve(__dirname, "botocore_client.py")], {
            env: { PATH: process.env.PATH ?? "", ...credentials, AWS_EC2_METADATA_DISABLED: "true" },
        });
        this.child.stderr.on("data", (chunk) => (this.stderr += chunk));
        createInterface({ input: this.child.stdout }).on("line", (line) => this.waiting.shift()?.(line));
    }

    call(method: string, path: string, body?: unknown): Promise<SignedAnswer> {
        const request = {
            method,
            url: `${this.baseUrl}${path}`,
            body: body === undefined ? null : JSON.stringify(body),
            region: "us-east-1",
        };
        return new Promise((done, fail) => {
            if (this.child.exitCode !== null) return fail(new Error(`botocore client exited: ${this.stderr}`));
            this.waiting.push((line) => {
                const answer = JSON.parse(line) as { status: number; body: string };
                done({ status: answer.status, body: parse(answer.body) });
            });
            this.child.stdin.write(`${JSON.stringify(request)}\n`);
        });
    }

    stop(): void {
        this.child.stdin.end();
    }
}

/** curl --aws-sigv4, as the AWS sample documents it; `extra` are further curl arguments. */
export function curlSigV4(method: string, url: string, body?: unknown, extra: string[] = []): SignedAnswer {
    const args = ["-sS", "-X", method, "--aws-sigv4", "aws:amz:us-east-1:execute-api", "--user", "test:test"];
    if (body !== undefined) args.push("-H", "Content-Type: application/json", "-d", JSON.stringify(body));
    args.push("-w", "\n%{http_code}", ...extra, url);
    const run = spawnSync("curl", args, { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`curl failed: ${run.stderr}`);
    const cut = run.stdout.lastIndexOf("\n");
    return { status: Number(run.stdout.slice(cut + 1)), body: parse(run.stdout.slice(0, cut)) };
}
