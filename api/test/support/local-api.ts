/**
 * Runs `api/local/main.ts` (what `npm run api:local` runs) as a child process for a test suite,
 * with the project's TypeScript loader.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

export interface RunningApi {
    url: string;
    pid: number;
    output: () => string;
    stop(): Promise<void>;
}

const repoRoot = resolve(__dirname, "../../..");

export async function startApiLocal(environment: Record<string, string>): Promise<RunningApi> {
    const child: ChildProcess = spawn(process.execPath, ["-r", "./scripts/register-ts.js", "api/local/main.ts"], {
        cwd: repoRoot,
        env: {
            ...process.env,
            PORT: "0",
            AWS_ACCESS_KEY_ID: "test",
            AWS_SECRET_ACCESS_KEY: "test",
            AWS_REGION: "us-east-1",
            ...environment,
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const url = await new Promise<string>((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error(`api:local did not start:\n${output}`)), 60_000);
        const check = () => {
            const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
            if (match) {
                clearTimeout(timer);
                resolveUrl(match[1]);
            }
        };
        child.stdout!.on("data", check);
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`api:local exited with ${code}:\n${output}`));
        });
    });
    return {
        url,
        pid: child.pid!,
        output: () => output,
        stop: () =>
            new Promise<void>((done) => {
                if (child.exitCode !== null) return done();
                child.once("exit", () => done());
                child.kill("SIGTERM");
                setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
            }),
    };
}
