/**
 * Starts moto's server (the local AWS emulator) on a free loopback port and configures its Batch
 * backend not to need Docker: jobs are then recorded and marked SUCCEEDED at once. It runs through
 * `moto_server.py` (atomic DynamoDB writes and transactions, see there) with the Python of
 * `MOTO_PYTHON`, else `.venv/bin/python` (moto installed by scripts/setup.sh).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import type { EnvironmentSpec } from "../../tools/common/cli";

export interface MotoServer {
    url: string;
    pid: number;
    stop(): Promise<void>;
}

/** The setting `motoPython` reads, as the commands that start moto list it in their help. */
export const MOTO_PYTHON_SETTING: EnvironmentSpec = {
    name: "MOTO_PYTHON",
    help: "The Python with moto (default: the project's .venv).",
};

export function motoPython(): string {
    const python = process.env.MOTO_PYTHON ?? resolve(__dirname, "../../.venv/bin/python");
    if (!existsSync(python))
        throw new Error(`Python with moto not found at ${python}; run scripts/setup.sh or set MOTO_PYTHON`);
    return python;
}

export function freePort(): Promise<number> {
    return new Promise((resolvePort, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolvePort(port));
        });
    });
}

export async function startMoto(): Promise<MotoServer> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const launcher = resolve(__dirname, "moto_server.py");
    const child: ChildProcess = spawn(motoPython(), [launcher, "-H", "127.0.0.1", "-p", String(port)], {
        stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);

    const deadline = Date.now() + 60_000;
    for (;;) {
        if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
        try {
            const response = await fetch(`${url}/moto-api/config`);
            if (response.ok) break;
        } catch {
            /* not listening yet */
        }
        if (Date.now() > deadline) {
            child.kill("SIGKILL");
            throw new Error(`moto_server did not start within 60 s: ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    const configured = await fetch(`${url}/moto-api/config`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ batch: { use_docker: false } }),
    });
    if (!configured.ok) throw new Error(`configuring moto failed: HTTP ${configured.status}`);

    return {
        url,
        pid: child.pid!,
        stop: () =>
            new Promise<void>((done) => {
                process.removeListener("exit", killOnExit);
                if (child.exitCode !== null) return done();
                child.once("exit", () => done());
                child.kill("SIGTERM");
                setTimeout(() => child.kill("SIGKILL"), 3000).unref();
            }),
    };
}
