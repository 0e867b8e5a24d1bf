// A minimal TypeScript require hook on esbuild (transpile only, like ts-node's transpile-only
// mode, without loading the TypeScript compiler): `node -r ./tools/policy/esbuild-register.js x.ts`.
// Used by `npm run bench:policy -- --loader esbuild` to show what the launcher costs.
"use strict";
const fs = require("fs");
const esbuild = require("esbuild");

require.extensions[".ts"] = function compileTs(module, filename) {
    const { code } = esbuild.transformSync(fs.readFileSync(filename, "utf8"), {
        loader: "ts",
        format: "cjs",
        target: "node22",
        sourcefile: filename,
        sourcemap: "inline",
    });
    module._compile(code, filename);
};
