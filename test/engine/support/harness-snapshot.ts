/**
 * The offline preview of any program, in a child process (one program per process):
 * `harness-snapshot.ts PROGRAM STACK` prints its StackSnapshot as JSON; the config is aws:region only.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { runProgram } from "../../../tools/preview/capture";
import { type StackSnapshot } from "../../../tools/common/resource-record";

const ROOT = path.resolve(__dirname, "..", "..", "..");

export function harnessSnapshot(programPath: string, stack: string): StackSnapshot {
    const node = path.join(ROOT, "node_modules", ".bin", "node");
    const loader = path.join(ROOT, "scripts", "register-ts.js");
    const out = execFileSync(node, ["-r", loader, __filename, programPath, stack], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(out) as StackSnapshot;
}

if (require.main === module) {
    const [programPath, stack] = process.argv.slice(2);
    runProgram({
        programPath: path.resolve(programPath),
        project: "atx-platform",
        stack,
        config: { "aws:region": "us-east-1" },
        preview: true,
        accountId: "123456789012",
    }).then(
        (run) => process.stdout.write(JSON.stringify(run.snapshot)),
        (error: Error) => {
            process.stderr.write(`${error.stack ?? error}\n`);
            process.exitCode = 3;
        },
    );
}
