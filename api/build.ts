/**
 * `npm run api:build`: bundles each Lambda function of contract.ts with esbuild into
 * `.build/api/<name>/index.js` (CommonJS, Node 22, AWS SDK v3 included so the code runs against the
 * SDK version it was tested with, not the runtime's), the asset the Pulumi component deploys.
 */
import { build } from "esbuild";
import { resolve } from "node:path";
import { type CommandSpec, EXIT, noPositionals, runProgram } from "../tools/common/cli";
import { buildDir, functions, type FunctionName } from "./contract";

const repoRoot = resolve(__dirname, "..");

/** One Lambda bundle: the entry point and everything it imports (the AWS SDK included), minified, with a source map. */
export async function bundleFunction(entryPoint: string, outfile: string): Promise<void> {
    await build({
        entryPoints: [entryPoint],
        outfile,
        bundle: true,
        platform: "node",
        target: "node22",
        format: "cjs",
        minify: true,
        // Linked map next to the bundle: stack traces resolve with NODE_OPTIONS=--enable-source-maps.
        sourcemap: "linked",
        legalComments: "none",
        logLevel: "warning",
    });
}

export async function buildFunctions(outRoot = resolve(repoRoot, buildDir)): Promise<Record<FunctionName, string>> {
    const outputs = {} as Record<FunctionName, string>;
    for (const [name, fn] of Object.entries(functions) as [FunctionName, (typeof functions)[FunctionName]][]) {
        const outfile = resolve(outRoot, name, "index.js");
        await bundleFunction(resolve(repoRoot, fn.source), outfile);
        outputs[name] = outfile;
    }
    return outputs;
}

const API_BUILD: CommandSpec = {
    program: "api:build",
    name: "npm run api:build --",
    summary:
        `Bundles each Lambda function of api/contract.ts with esbuild into ${buildDir}/<name>/index.js (CommonJS, ` +
        "Node 22, the AWS SDK included, minified, with a linked source map) and prints each bundle's path. These " +
        "are the assets the stack deploys.",
    options: [],
    exitCodes: "0 built, 2 usage, 3 a bundle failed to build.",
};

if (require.main === module) {
    runProgram(API_BUILD, async (args) => {
        noPositionals(args);
        const outputs = await buildFunctions();
        Object.entries(outputs).forEach(([name, file]) => console.log(`${name}: ${file}`));
        return EXIT.ok;
    });
}
