/**
 * Start-up cost of the offline preview: the SDKs load, when first imported, much that a preview never
 * runs. This module puts stand-ins into Node's module cache (`require.cache`, documented as writable) so
 * that those modules load on their first use instead, unchanged:
 * - each service namespace of `@pulumi/aws` (about 350 `<service>/index.js` files, each registering its
 *   resource module): loaded when the program first reads a member of the namespace;
 * - the Automation API of `@pulumi/pulumi`, and `typescript`, `execa`, `normalize-package-data`,
 *   `@logdna/tail-file`, which it requires at load time for the Automation API and closure
 *   serialization: a preview calls neither;
 * - `@grpc/grpc-js` and the SDK's generated gRPC service modules: the engine connection, which
 *   the mocks stand in for.
 * The root index of `@pulumi/aws` still runs as written (provider package, root functions, enums).
 * Import it before anything imports `@pulumi/pulumi` or `@pulumi/aws`; modules already loaded are left alone.
 */
import * as fs from "fs";
import { Module } from "module";
import * as path from "path";

/**
 * Packages `@pulumi/pulumi` requires at load time for features a preview does not use, and whether
 * each is compiled from ES modules (then TypeScript's `__importStar` keeps the module as it is
 * instead of copying every export, which would load it). gRPC carries the engine connection, which
 * the mocks replace.
 */
const DEFERRED_PACKAGES = {
    typescript: false,
    execa: false,
    "normalize-package-data": false,
    "@logdna/tail-file": false,
    "@grpc/grpc-js": true,
} as const;

/**
 * Puts a stand-in for `filename` into the module cache: its exports require the real module on first
 * use (any property read, call or construction) and forward to it.
 */
function defer(filename: string, esModule: boolean): void {
    if (filename in require.cache) return;
    const stub = new Module(filename);
    let real: object | undefined;
    const load = (): object => {
        if (real === undefined) {
            if (require.cache[filename] === stub) delete require.cache[filename];
            real = require(filename) as object;
        }
        return real;
    };
    // A function target, so that a package whose export is a function (execa) can be called.
    const target = function deferred() {};
    stub.exports = new Proxy(target, {
        // Answered without loading: TypeScript's import helpers read it first.
        get: (_, key) => (key === "__esModule" ? esModule || undefined : (Reflect.get(load(), key) as unknown)),
        has: (_, key) => Reflect.has(load(), key),
        ownKeys: () => [...new Set([...Reflect.ownKeys(load()), ...Reflect.ownKeys(target)])],
        getOwnPropertyDescriptor: (_, key) => {
            const own = Reflect.getOwnPropertyDescriptor(target, key);
            if (own !== undefined && !own.configurable) return own;
            const descriptor = Reflect.getOwnPropertyDescriptor(load(), key);
            return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
        },
        apply: (_, thisArg, args) => Reflect.apply(load() as (...a: unknown[]) => unknown, thisArg, args),
        construct: (_, args) => Reflect.construct(load() as new (...a: unknown[]) => object, args),
    });
    stub.filename = filename;
    stub.loaded = true;
    require.cache[filename] = stub;
}

/** The `index.js` of every service namespace of the installed `@pulumi/aws` (all but `types`). */
export function awsServiceIndexes(awsDir: string): string[] {
    return fs
        .readdirSync(awsDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && entry.name !== "types")
        .map((entry) => path.join(awsDir, entry.name, "index.js"));
}

/** Installs the stand-ins (once per process; a no-op for what is already loaded or not installed). */
export function deferUnusedModules(): void {
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    for (const [name, esModule] of Object.entries(DEFERRED_PACKAGES)) {
        let filename: string;
        try {
            filename = require.resolve(name, { paths: [pulumiDir] });
        } catch {
            continue;
        }
        defer(filename, esModule);
    }
    defer(path.join(pulumiDir, "automation", "index.js"), true);
    // The generated gRPC service modules are plain CommonJS; announcing them as ES modules keeps
    // `__importStar` from reading every export at import time. Their members are all the SDK uses.
    const protoDir = path.join(pulumiDir, "proto");
    for (const file of fs.readdirSync(protoDir).filter((f) => f.endsWith("_grpc_pb.js"))) {
        defer(path.join(protoDir, file), true);
    }
    const awsDir = path.dirname(require.resolve("@pulumi/aws/package.json"));
    for (const index of awsServiceIndexes(awsDir)) defer(index, true);
}

deferUnusedModules();
