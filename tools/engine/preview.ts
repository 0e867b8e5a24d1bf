/**
 * `pulumi preview --policy-pack policy-pack` by the real engine, offline: the stand-in providers,
 * a local file backend, no credentials. The stack's config is its Pulumi.<stack>.yaml with the
 * `--config` overrides (a stack without a file starts empty, as with `pulumi stack init`).
 */
import * as path from "path";
import { stackFileConfig } from "../preview/stack-config";
import { type EngineOutcome, exitCodeOf, readEvents } from "./events";
import { EngineMissingError, EngineWorkspace, findPulumi, PLATFORM_PROJECT, type ProjectSpec, ROOT } from "./workspace";

export interface EnginePreviewOptions {
    readonly stack: string;
    readonly overrides?: readonly string[];
    readonly accountId?: string;
    /** A pack config JSON file (`--policy-pack-config`). */
    readonly policyConfigFile?: string;
    /** The program to run (default: this repository's). */
    readonly project?: ProjectSpec;
    /** The stack's config (default: its Pulumi.<stack>.yaml in this repository, with the overrides). */
    readonly config?: Record<string, unknown>;
}

export interface EnginePreviewResult {
    readonly outcome: EngineOutcome;
    /** The offline preview's exit code for this outcome. */
    readonly exitCode: number;
    readonly workspace: EngineWorkspace;
}

export function openWorkspace(options: EnginePreviewOptions): EngineWorkspace {
    const pulumi = findPulumi();
    if (pulumi === undefined) throw new EngineMissingError();
    const workspace = new EngineWorkspace(pulumi, options.project ?? PLATFORM_PROJECT, options.accountId);
    workspace.selectStack(
        options.stack,
        options.config ?? stackFileConfig(ROOT, options.stack, options.overrides ?? []),
    );
    return workspace;
}

/** `pulumi <command> --policy-pack policy-pack` (preview, or `up --yes`), read from its event stream. */
export async function engineRun(
    options: EnginePreviewOptions,
    command: "preview" | "up" = "preview",
): Promise<EnginePreviewResult> {
    const workspace = openWorkspace(options);
    const args = [command, "--stack", options.stack, "--policy-pack", path.join(ROOT, "policy-pack"), "--json"];
    if (command === "up") args.push("--yes", "--skip-preview");
    if (options.policyConfigFile !== undefined) {
        args.push("--policy-pack-config", path.resolve(options.policyConfigFile));
    }
    const result = await workspace.runAsync(args);
    const outcome = readEvents(result.stdout, result.stderr);
    return { outcome, exitCode: exitCodeOf(outcome, result.status), workspace };
}

/** The terminal report: operations, then each violation and error, like the offline preview's. */
export function formatOutcome(stack: string, outcome: EngineOutcome): string {
    const lines = [`Stack ${stack} (real engine, stand-in providers):`];
    const operations = Object.entries(outcome.operations).map(([op, n]) => `${n} to ${op}`);
    lines.push(`  ${operations.join(", ") || "no resources"}`, "");
    for (const v of outcome.violations) {
        lines.push(`  [${v.level}] ${v.policy}  ${v.urn.split("::").slice(2).join("::")}`);
        lines.push(...v.message.split("\n").map((line) => `      ${line}`));
    }
    const mandatory = outcome.violations.filter((v) => v.level === "mandatory").length;
    lines.push(`${mandatory} mandatory, ${outcome.violations.length - mandatory} advisory violation(s).`);
    for (const error of outcome.errors) lines.push(`error: ${error}`);
    return lines.join("\n") + "\n";
}
