// The project's TypeScript loader for commands and tests: a require hook that transpiles each .ts
// file with esbuild (no type checking; `npm run typecheck` and test/typecheck.test.ts do that).
// Several times faster to start than ts-node, which loads the TypeScript compiler.
// Usage: node -r ./scripts/register-ts.js file.ts
"use strict";
const fs = require("fs");
const esbuild = require("esbuild");

require.extensions[".ts"] = function compileTypeScript(module, filename) {
    const { code } = esbuild.transformSync(fs.readFileSync(filename, "utf8"), {
        loader: "ts",
        format: "cjs",
        target: "node22",
        sourcefile: filename,
        sourcemap: "inline",
    });
    module._compile(code, filename);
};
