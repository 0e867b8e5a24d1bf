// The project's TypeScript loader for commands and tests: a require hook that transpiles each .ts
// file with esbuild (no type checking; `npm run typecheck` and test/typecheck.test.ts do that).
// It starts several times faster than ts-node, which loads the TypeScript compiler. Transpiled
// code is cached under .build/ by content hash, and V8's compile cache (Node >= 22.1) keeps the
// compiled modules, dependencies included, so repeated runs skip most parsing.
// Usage: node -r ./scripts/register-ts.js file.ts
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const nodeModule = require("module");

const cacheRoot = path.join(__dirname, "..", ".build");
const transpiled = path.join(cacheRoot, "ts-cache");
nodeModule.enableCompileCache?.(path.join(cacheRoot, "compile-cache"));
let esbuild;

const transformOptions = {
    loader: "ts",
    format: "cjs",
    target: "node22",
    // `import()` becomes require(), as tsc emits for CommonJS: Node's ESM loader cannot resolve
    // extensionless TypeScript paths.
    supported: { "dynamic-import": false },
    sourcemap: "inline",
};
const optionsKey = JSON.stringify(transformOptions) + require("esbuild/package.json").version;

require.extensions[".ts"] = function compileTypeScript(module, filename) {
    const source = fs.readFileSync(filename, "utf8");
    const key = crypto
        .createHash("sha256")
        .update(optionsKey)
        .update(filename)
        .update("\0")
        .update(source)
        .digest("hex");
    const cached = path.join(transpiled, `${key}.js`);
    let code;
    try {
        code = fs.readFileSync(cached, "utf8");
    } catch {
        esbuild ??= require("esbuild");
        code = esbuild.transformSync(source, { ...transformOptions, sourcefile: filename }).code;
        fs.mkdirSync(transpiled, { recursive: true });
        // Written under a unique name, then renamed: concurrent test processes never read half a file.
        const partial = `${cached}.${process.pid}`;
        fs.writeFileSync(partial, code);
        fs.renameSync(partial, cached);
    }
    module._compile(code, filename);
};
