import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

describe("the TypeScript sources", () => {
    it("type-check with the strict compiler settings of tsconfig.json", () => {
        const root = path.resolve(__dirname, "..");
        const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "--noEmit", "-p", root], {
            cwd: root,
            encoding: "utf8",
        });
        assert.strictEqual(tsc.status, 0, `tsc reported:\n${tsc.stdout}${tsc.stderr}`);
    });
});
