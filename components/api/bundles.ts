/**
 * The functions' code: esbuild bundles of api/handlers (api/build.ts), rebuilt when a source is
 * newer than a bundle, so `pulumi preview` and `pulumi up` always deploy the code in the tree.
 */
import * as fs from "fs";
import * as path from "path";
import { buildDir, type FunctionName, functions } from "../../api/contract";

const repoRoot = path.resolve(__dirname, "..", "..");
export const BUNDLE_DIRECTORY = path.join(repoRoot, buildDir);

let pending: Promise<string> | undefined;

/** Resolves to the bundle directory once every function's bundle is current (built at most once per run). */
export function functionBundles(): Promise<string> {
    pending ??= bundlesAreCurrent()
        ? Promise.resolve(BUNDLE_DIRECTORY)
        : // Imported here: the build loads esbuild, which a run with current bundles does not need.
          import("../../api/build").then(async ({ buildFunctions }) => {
              await buildFunctions(BUNDLE_DIRECTORY);
              return BUNDLE_DIRECTORY;
          });
    return pending;
}

function bundlesAreCurrent(): boolean {
    const bundleTimes = (Object.keys(functions) as FunctionName[]).map((name) =>
        mtime(path.join(BUNDLE_DIRECTORY, name, "index.js")),
    );
    if (bundleTimes.some((time) => time === undefined)) return false;
    const oldestBundle = Math.min(...(bundleTimes as number[]));
    return newestSource(path.join(repoRoot, "api")) <= oldestBundle;
}

function newestSource(dir: string): number {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const entryPath = path.join(dir, entry.name);
        if (entry.isDirectory() && !["test", "bench", "local"].includes(entry.name))
            newest = Math.max(newest, newestSource(entryPath));
        else if (entry.isFile() && entry.name.endsWith(".ts")) newest = Math.max(newest, mtime(entryPath) ?? 0);
    }
    return newest;
}

function mtime(file: string): number | undefined {
    try {
        return fs.statSync(file).mtimeMs;
    } catch {
        return undefined;
    }
}
