/**
 * The state of a stack as another version of this program deployed it: `pulumi up` of that
 * program's tree (an older commit, checked out elsewhere) with the stand-in providers on a fresh
 * file backend, then `pulumi stack export --show-secrets`, gzipped. test/engine/deployed-state.test.ts
 * imports such a state and previews the current program against it.
 *
 * Usage:
 *   node -r ./scripts/register-ts.js tools/engine/deployed-state.ts <program dir> <stack> <out.json.gz> [key=value ...]
 *
 * The stack's config is the tree's Pulumi.<stack>.yaml with the `key=value` overrides, each value
 * JSON when it parses as JSON (`subnetIds=[]`, `flag=true`, `name=""`), text otherwise (keys of
 * the program's own namespace may leave it out). The tree runs on this repository's node_modules,
 * so its dependencies must be the same. Two edits make the state portable, neither read by the engine's diff: the tree's
 * directory is written as "." (the functions' code archives and the image build context are
 * recorded by path), and each resource's source position and stack trace (where the program
 * registered it, debugging metadata) are left out.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import * as yaml from "js-yaml";
import { stackFileConfig } from "../preview/stack-config";
import { backendDir, EngineWorkspace, findPulumi, ROOT } from "./workspace";

const PROGRAM_FILES = ["Pulumi.yaml", "index.ts", "package.json", "tsconfig.json", "node_modules"];

function dependencies(dir: string): Record<string, string> {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
    };
    return manifest.dependencies ?? {};
}

/** Links this repository's node_modules into the tree, after checking it asks for the same packages. */
function linkDependencies(programDir: string): void {
    assert.deepStrictEqual(
        dependencies(programDir),
        dependencies(ROOT),
        `${programDir} depends on other packages than this repository: its node_modules would not fit`,
    );
    const link = path.join(programDir, "node_modules");
    if (!fs.existsSync(link)) fs.symlinkSync(path.join(ROOT, "node_modules"), link);
}

/** The overrides as config values: typed keys (arrays, booleans) need JSON values, not their text. */
function overrideValues(programDir: string, overrides: readonly string[]): Record<string, unknown> {
    const project = (yaml.load(fs.readFileSync(path.join(programDir, "Pulumi.yaml"), "utf8")) as { name: string }).name;
    const values: Record<string, unknown> = {};
    for (const override of overrides) {
        const separator = override.indexOf("=");
        if (separator <= 0) throw new Error(`expected key=value, got "${override}"`);
        const key = override.slice(0, separator);
        values[key.includes(":") ? key : `${project}:${key}`] = jsonOrText(override.slice(separator + 1));
    }
    return values;
}

function jsonOrText(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** Deploys the program in `programDir` as `stack` and returns its state as `pulumi stack export` prints it. */
export async function deployedState(programDir: string, stack: string, overrides: readonly string[]): Promise<string> {
    const pulumi = findPulumi();
    if (pulumi === undefined) throw new Error("no `pulumi` CLI on PATH");
    const dir = fs.realpathSync(programDir);
    linkDependencies(dir);
    const backend = `deployed-state-${stack}`;
    fs.rmSync(backendDir(backend), { recursive: true, force: true });
    const workspace = new EngineWorkspace(pulumi, {
        name: backend,
        backend,
        links: Object.fromEntries(PROGRAM_FILES.map((file) => [file, path.join(dir, file)])),
    });
    workspace.selectStack(stack, { ...stackFileConfig(dir, stack, []), ...overrideValues(dir, overrides) });
    const up = await workspace.runAsync(["up", "--yes", "--skip-preview", "--stack", stack]);
    if (up.status !== 0) throw new Error(`pulumi up --stack ${stack} failed:\n${up.stdout}${up.stderr}`);
    const exported = workspace.run(["stack", "export", "--show-secrets", "--stack", stack]);
    if (exported.status !== 0) throw new Error(`pulumi stack export --stack ${stack}: ${exported.stderr.trim()}`);
    return portable(exported.stdout, dir);
}

interface ExportedState {
    readonly deployment: { readonly resources: Record<string, unknown>[] };
}

/** The exported state without the tree's directory and the registration sites (see above). */
function portable(exported: string, dir: string): string {
    const state = JSON.parse(exported) as ExportedState;
    for (const resource of state.deployment.resources) {
        delete resource.sourcePosition;
        delete resource.stackTrace;
    }
    return JSON.stringify(state, null, 4).split(`${dir}/`).join("./") + "\n";
}

async function main(argv: readonly string[]): Promise<void> {
    const [programDir, stack, out, ...overrides] = argv;
    if (out === undefined) {
        throw new Error("usage: deployed-state.ts <program dir> <stack> <out.json.gz> [key=value ...]");
    }
    const state = await deployedState(programDir, stack, overrides);
    fs.writeFileSync(out, zlib.gzipSync(state, { level: 9 }));
    process.stdout.write(`${out}: ${state.length} bytes of state, ${fs.statSync(out).size} gzipped\n`);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error: Error) => {
        process.stderr.write(`${error.message}\n`);
        process.exit(1);
    });
}
