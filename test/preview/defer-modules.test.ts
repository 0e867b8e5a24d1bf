import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Runs `script` in a fresh Node process (the stand-ins act on a process's first loads), where
 * `compiled(suffix)` says whether a file ending so has been compiled (really loaded) so far, and
 * returns the JSON the script prints.
 */
function inFreshProcess(script: string): Record<string, unknown> {
    const prelude = `
        const files = [];
        const nodeModule = require("module");
        const compile = nodeModule.prototype._compile;
        nodeModule.prototype._compile = function (code, filename) { files.push(filename); return compile.apply(this, arguments); };
        const compiled = (suffix) => files.some((f) => f.endsWith(suffix));
    `;
    const out = execFileSync(
        process.execPath,
        ["-r", path.join(ROOT, "scripts", "register-ts.js"), "-e", prelude + script],
        {
            cwd: ROOT,
            encoding: "utf8",
        },
    );
    return JSON.parse(out) as Record<string, unknown>;
}

describe("defer-modules: the SDKs' unused modules load on first use", () => {
    it("loads an @pulumi/aws service namespace when the program reads it, with every member", () => {
        const answer = inFreshProcess(`
            require("./tools/preview/defer-modules");
            const aws = require("@pulumi/aws");
            const s3Before = compiled("aws/s3/index.js");
            const bucketType = typeof aws.s3.Bucket;
            console.log(JSON.stringify({
                s3Before,
                s3After: compiled("aws/s3/index.js"),
                bucketType,
                keys: Object.keys(aws.s3).sort(),
                sqs: compiled("aws/sqs/index.js"),
            }));
        `);
        const real = inFreshProcess(
            `console.log(JSON.stringify({ keys: Object.keys(require("@pulumi/aws").s3).sort() }))`,
        );
        assert.deepEqual(
            { s3Before: answer.s3Before, s3After: answer.s3After, bucketType: answer.bucketType, sqs: answer.sqs },
            { s3Before: false, s3After: true, bucketType: "function", sqs: false },
        );
        assert.deepEqual(answer.keys, real.keys);
    });

    it("leaves typescript and the Automation API unloaded by @pulumi/pulumi's import, and loads them on use", () => {
        const answer = inFreshProcess(`
            require("./tools/preview/defer-modules");
            const pulumi = require("@pulumi/pulumi");
            const before = ["typescript/lib/typescript.js", "automation/stack.js", "execa/index.js"].filter(compiled);
            const version = require("@pulumi/pulumi/typescript-shim").version;
            const workspace = typeof pulumi.automation.LocalWorkspace;
            console.log(JSON.stringify({ before, version, workspace, realVersion: require("typescript/package.json").version }));
        `);
        assert.deepEqual(answer.before, []);
        assert.equal(answer.version, answer.realVersion);
        assert.equal(answer.workspace, "function");
    });

    it("leaves gRPC unloaded by @pulumi/pulumi's import, and loads it when a service client is used", () => {
        const answer = inFreshProcess(`
            require("./tools/preview/defer-modules");
            require("@pulumi/pulumi");
            const before = ["grpc-js/build/src/index.js", "proto/resource_grpc_pb.js"].filter(compiled);
            const client = typeof require("@pulumi/pulumi/proto/resource_grpc_pb").ResourceMonitorClient;
            const credentials = typeof require("@grpc/grpc-js").credentials.createInsecure;
            console.log(JSON.stringify({ before, client, credentials, after: compiled("grpc-js/build/src/index.js") }));
        `);
        assert.deepEqual(answer, { before: [], client: "function", credentials: "function", after: true });
    });
});
