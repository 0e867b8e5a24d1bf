/**
 * A place to run the real Pulumi CLI offline: a project-local PULUMI_HOME holding the stand-in
 * provider plugins (.build/engine/home), a local file backend (.build/engine/state) and a project
 * directory per program (.build/engine/projects/<name>) that links to the repository's files, so
 * that what the CLI writes (stack files with their encryption salt, overrides) never touches the
 * repository's own Pulumi.<stack>.yaml. No credentials, no downloads, nothing sent anywhere.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

/** The plugin packages stand-ins exist for: every resource plugin the project's packages declare. */
export const STAND_IN_PACKAGES = ["aws", "awsx", "docker", "docker-build"] as const;

/** Account id the stand-ins answer with; the engine command passes its `--account` through it. */
export const ACCOUNT_ENV = "ATX_STAND_IN_ACCOUNT_ID";

export const ROOT = path.resolve(__dirname, "..", "..");
const ENGINE_DIR = path.join(ROOT, ".build", "engine");

/** There is no `pulumi` on PATH. */
export class EngineMissingError extends Error {
    constructor() {
        super(
            "no `pulumi` CLI on PATH: install it (https://www.pulumi.com/docs/install/), " +
                "or use the offline preview without --engine",
        );
    }
}

/** The `pulumi` executable on PATH, if any. */
export function findPulumi(searchPath = process.env.PATH ?? ""): string | undefined {
    for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
        const candidate = path.join(dir, "pulumi");
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // not in this directory
        }
    }
    return undefined;
}

export interface CliResult {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface ProjectSpec {
    /** Directory name under .build/engine/projects. */
    readonly name: string;
    /** Files of the project directory: name -> repository path, or an absolute one (linked) ... */
    readonly links: Readonly<Record<string, string>>;
    /** ... or name -> content (written). */
    readonly files?: Readonly<Record<string, string>>;
    /** Name of its file backend under .build/engine/state (default "shared": stacks there can reference each other). */
    readonly backend?: string;
}

/** The repository's own program, as the engine runs it. */
export const PLATFORM_PROJECT: ProjectSpec = {
    name: "atx-platform",
    links: Object.fromEntries(
        ["Pulumi.yaml", "index.ts", "package.json", "tsconfig.json", "node_modules"].map((f) => [f, f]),
    ),
};

export class EngineWorkspace {
    readonly projectDir: string;
    readonly env: NodeJS.ProcessEnv;

    constructor(
        readonly pulumi: string,
        project: ProjectSpec,
        accountId?: string,
    ) {
        this.projectDir = path.join(ENGINE_DIR, "projects", project.name);
        const backend = backendDir(project.backend ?? "shared");
        fs.mkdirSync(backend, { recursive: true });
        this.env = {
            ...process.env,
            PULUMI_HOME: path.join(ENGINE_DIR, "home"),
            PULUMI_BACKEND_URL: `file://${backend}`,
            PULUMI_CONFIG_PASSPHRASE: "offline-stand-ins",
            PULUMI_SKIP_UPDATE_CHECK: "1",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true",
            ...(accountId === undefined ? {} : { [ACCOUNT_ENV]: accountId }),
        };
        writeProject(this.projectDir, project);
        this.installStandIns();
    }

    /** Runs the CLI in the project directory. */
    run(args: readonly string[]): SpawnSyncReturns<string> {
        return spawnSync(this.pulumi, [...args, "--non-interactive"], {
            cwd: this.projectDir,
            env: this.env,
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
        });
    }

    /** Runs the CLI in the project directory without blocking (previews of several stacks at once). */
    runAsync(args: readonly string[]): Promise<CliResult> {
        return new Promise((resolve, reject) => {
            const child = spawn(this.pulumi, [...args, "--non-interactive"], { cwd: this.projectDir, env: this.env });
            const stdout: Buffer[] = [];
            const stderr: Buffer[] = [];
            child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
            child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
            child.on("error", reject);
            child.on("close", (status) =>
                resolve({
                    status: status ?? 1,
                    stdout: Buffer.concat(stdout).toString("utf8"),
                    stderr: Buffer.concat(stderr).toString("utf8"),
                }),
            );
        });
    }

    /**
     * Selects (creating if needed) `stack`, with the given config as its stack file; keeps the
     * encryption salt the CLI wrote there before.
     */
    selectStack(stack: string, config: Record<string, unknown>): void {
        const stackFile = path.join(this.projectDir, `Pulumi.${stack}.yaml`);
        const previous = fs.existsSync(stackFile)
            ? (yaml.load(fs.readFileSync(stackFile, "utf8")) as { encryptionsalt?: string } | undefined)
            : undefined;
        const document = { config, ...(previous?.encryptionsalt ? { encryptionsalt: previous.encryptionsalt } : {}) };
        fs.writeFileSync(stackFile, yaml.dump(document));
        const result = this.run(["stack", "select", "--create", stack]);
        if (result.status !== 0) throw new Error(`pulumi stack select --create ${stack}: ${result.stderr.trim()}`);
    }

    /** Installs the stand-in provider plugins into PULUMI_HOME (again only when their wrapper changed). */
    private installStandIns(): void {
        const pluginsDir = path.join(ENGINE_DIR, "plugins");
        fs.mkdirSync(pluginsDir, { recursive: true });
        for (const pkg of STAND_IN_PACKAGES) {
            const version = packageVersion(pkg);
            const executable = `pulumi-resource-${pkg}`;
            const wrapper = standInWrapper(pkg);
            const installed = path.join(this.env.PULUMI_HOME!, "plugins", `resource-${pkg}-v${version}`, executable);
            if (fs.existsSync(installed) && fs.readFileSync(installed, "utf8") === wrapper) continue;
            const file = path.join(pluginsDir, executable);
            fs.writeFileSync(file, wrapper, { mode: 0o755 });
            const args = ["plugin", "install", "resource", pkg, version, "--file", file, "--reinstall"];
            const result = this.run(args);
            if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")}: ${result.stderr.trim()}`);
        }
    }
}

/** The installed version of `@pulumi/<pkg>`: the plugin version its SDK asks the engine for. */
export function packageVersion(pkg: string): string {
    const manifest = JSON.parse(fs.readFileSync(require.resolve(`@pulumi/${pkg}/package.json`), "utf8")) as {
        version: string;
    };
    return manifest.version;
}

/** Where the file backend named `name` keeps its stacks. */
export function backendDir(name: string): string {
    return path.join(ENGINE_DIR, "state", name);
}

/** The plugin executable: this repository's Node running the stand-in server for `pkg`. */
function standInWrapper(pkg: string): string {
    const node = path.join(ROOT, "node_modules", ".bin", "node");
    const loader = path.join(ROOT, "scripts", "register-ts.js");
    const server = path.join(ROOT, "tools", "engine", "provider-server.ts");
    return `#!/bin/sh\nexec "${node}" -r "${loader}" "${server}" ${pkg} "$@"\n`;
}

function writeProject(dir: string, project: ProjectSpec): void {
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, target] of Object.entries(project.links)) {
        const link = path.join(dir, name);
        const wanted = path.resolve(ROOT, target);
        // Left alone when right: another run of the same project may be reading it.
        if (readLink(link) === wanted) continue;
        fs.rmSync(link, { force: true });
        fs.symlinkSync(wanted, link);
    }
    for (const [name, content] of Object.entries(project.files ?? {})) {
        fs.writeFileSync(path.join(dir, name), content);
    }
}

function readLink(file: string): string | undefined {
    try {
        return fs.readlinkSync(file);
    } catch {
        return undefined;
    }
}
