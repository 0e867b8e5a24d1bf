/**
 * The secret scan of the container's upload (container/lib/secret_scan.py, detect-secrets), run on
 * the files a `--dir` upload selected before anything leaves this machine: a file with a finding is
 * held back and reported with its kinds of finding, never the value. The scan needs a Python with
 * detect-secrets (`ATX_SECRET_SCAN_PYTHON`, default `python3`); without one the upload is refused.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import type { Selection } from "./archive";

export const defaultSecretScanner = resolve(__dirname, "../../container/lib/secret_scan.py");

export interface SecretFinding {
    /** Relative path with "/" separators, as in the selection. */
    path: string;
    /** Kinds of finding as detect-secrets names them ("AWS Access Key", "Private Key", ...). */
    types: string[];
}

export class SecretScanError extends Error {}

/** Scans the selected files under `root`; answers the files with findings. */
export function scanForSecrets(root: string, paths: string[], python = "python3"): SecretFinding[] {
    const result = spawnSync(python, [defaultSecretScanner, "check", root], {
        input: paths.join("\0"),
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error || result.status !== 0) {
        const detail = (result.error?.message ?? result.stderr ?? "").trim().slice(0, 400);
        throw new SecretScanError(
            `the secret scan could not run with ${python} (install detect-secrets==1.5.0 for it or set ` +
                `ATX_SECRET_SCAN_PYTHON); nothing was uploaded: ${detail}`,
        );
    }
    return result.stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => {
            const { path, types } = JSON.parse(line) as SecretFinding;
            return { path, types };
        });
}

/** Removes the files with findings from the selection, counting each as `secret detected`. */
export function holdBack(selection: Selection, findings: SecretFinding[]): Selection {
    const held = new Set(findings.map((f) => f.path));
    const files = selection.files.filter((f) => !held.has(f.path));
    const count = selection.files.length - files.length;
    if (count === 0) return selection;
    const reason = "secret detected";
    return {
        files,
        excluded: { ...selection.excluded, [reason]: (selection.excluded[reason] ?? 0) + count },
        excludedTotal: selection.excludedTotal + count,
    };
}
