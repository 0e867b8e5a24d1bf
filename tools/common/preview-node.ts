/**
 * How `npm run preview` starts Node: the environment settings and V8 flags of package.json's
 * `preview` script, read from there so that what runs the preview another way (bench:policy's
 * measured child, the tests' previews) runs it exactly as npm does.
 */
import * as fs from "fs";
import * as path from "path";

export interface NodeSettings {
    /** `NAME=value` settings before `node` (e.g. glibc's MALLOC_ARENA_MAX). */
    readonly env: Record<string, string>;
    /** `--flag[=value]` arguments of `node` before the first other argument. */
    readonly flags: string[];
}

const ROOT = path.resolve(__dirname, "..", "..");

/** The settings of `script` (`NAME=value node --flag[=value] ...`); package.json's preview script by default. */
export function previewNodeSettings(script = readPreviewScript()): NodeSettings {
    const command = /((?:\w+=\S+ )*)node ((?:--[\w-]+(?:=\S+)? )*)/.exec(script);
    const words = (text = "") => text.trim().split(" ").filter(Boolean);
    const env = Object.fromEntries(words(command?.[1]).map((setting) => setting.split("=", 2) as [string, string]));
    return { env, flags: words(command?.[2]) };
}

function readPreviewScript(): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
    };
    return manifest.scripts.preview;
}
