/**
 * The program's own resources for a stack, from the offline preview (tools/preview): the
 * program runs under Pulumi's mocks in preview mode with the stack's configuration. The SDK allows
 * one program run per process, so `programSnapshot` runs it in a child process; run this file
 * directly (`program.ts STACK`) to print the StackSnapshot as JSON.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { type StackSnapshot } from "../common/resource-record";
import { parseSnapshotDocument } from "./readers";

export const ROOT = path.resolve(__dirname, "..", "..");

/** Runs the program for `stack` in this process (once per process) and returns its snapshot. */
export async function runProgramSnapshot(stack: string, overrides: readonly string[] = []): Promise<StackSnapshot> {
    // Required lazily: loading the preview installs Pulumi's mocks.
    require("../preview/defer-modules");
    const { assembleStackConfig } = require("../preview/stack-config") as typeof import("../preview/stack-config");
    const { runProgram } = require("../preview/capture") as typeof import("../preview/capture");
    const { DEFAULT_ACCOUNT_ID } = require("../preview/mocks") as typeof import("../preview/mocks");
    const { project, config } = assembleStackConfig(ROOT, stack, overrides);
    const run = await runProgram({
        programPath: path.join(ROOT, "index.ts"),
        project,
        stack,
        config,
        preview: true,
        accountId: DEFAULT_ACCOUNT_ID,
    });
    return run.snapshot;
}

const cache = new Map<string, StackSnapshot>();

/** The snapshot of `stack`, computed in a child process (once per process and arguments; treat it as read-only). */
export function programSnapshot(stack: string, overrides: readonly string[] = []): StackSnapshot {
    const key = JSON.stringify([stack, ...overrides]);
    const cached = cache.get(key);
    if (cached) {
        return cached;
    }
    const snapshot = computeSnapshot(stack, overrides);
    cache.set(key, snapshot);
    return snapshot;
}

function computeSnapshot(stack: string, overrides: readonly string[]): StackSnapshot {
    const node = path.join(ROOT, "node_modules", ".bin", "node");
    const out = execFileSync(
        node,
        ["-r", path.join(ROOT, "scripts", "register-ts.js"), __filename, stack, ...overrides],
        {
            cwd: ROOT,
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        },
    );
    return parseSnapshotDocument(out, `the offline preview of ${stack}`);
}

if (require.main === module) {
    const [stack = "prod", ...overrides] = process.argv.slice(2);
    runProgramSnapshot(stack, overrides).then(
        (s) => {
            process.stdout.write(JSON.stringify(s));
        },
        (e) => {
            process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
            process.exitCode = 3;
        },
    );
}
