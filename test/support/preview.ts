/**
 * Runs the real program through the offline preview CLI in a child process (one program per
 * process), started as `npm run preview` starts it, with a stack's config and overrides, and returns
 * its exit code, output and export.
 */
import { spawnSync, type SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { previewNodeSettings } from "../../tools/common/preview-node";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export interface ExportedResource {
    urn: string;
    type: string;
    custom: boolean;
    id?: string;
    parent?: string;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Engine URNs (full parent-type chain) the resource is also known by. */
    aliases?: string[];
}

/** The part of a `--export` state file the tests read. */
interface StateExport {
    readonly deployment: { readonly resources: ExportedResource[] };
}

export interface PreviewResult {
    readonly exitCode: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly resources: ExportedResource[];
    readonly outputs: Record<string, unknown>;
}

/**
 * `npm run preview -- <args>` in `dir` (the repository or a copy of it), without npm: Node started
 * with the script's settings, no stack config inherited from the environment.
 */
export function runPreviewCli(dir: string, args: readonly string[], timeoutMs?: number): SpawnSyncReturns<string> {
    const { flags, env } = previewNodeSettings();
    return spawnSync(process.execPath, [...flags, "-r", "./scripts/register-ts.js", "tools/preview/cli.ts", ...args], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, ...env, PULUMI_CONFIG: undefined },
        timeout: timeoutMs,
    });
}

const cache = new Map<string, PreviewResult>();

export function previewStack(stack: string, overrides: readonly string[] = []): PreviewResult {
    const key = JSON.stringify([stack, overrides]);
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const exportFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "atx-preview-")), "state.json");
    const args = ["--stack", stack, "--export", exportFile];
    for (const override of overrides) args.push("--config", override);
    const child = runPreviewCli(PROJECT_DIR, args);
    let resources: ExportedResource[] = [];
    if (fs.existsSync(exportFile))
        resources = (JSON.parse(fs.readFileSync(exportFile, "utf8")) as StateExport).deployment.resources;
    const stackResource = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    const result: PreviewResult = {
        exitCode: child.status ?? -1,
        stdout: child.stdout,
        stderr: child.stderr,
        resources,
        outputs: stackResource?.outputs ?? {},
    };
    cache.set(key, result);
    return result;
}

/** The logical name at the end of a URN. */
export function nameOf(resource: { urn: string }): string {
    return resource.urn.slice(resource.urn.lastIndexOf("::") + 2);
}
