import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { previewNodeSettings } from "../../tools/common/preview-node";

describe("the preview's Node settings, for what runs it as npm does", () => {
    it("reads environment settings and V8 flags, with or without values, up to the first other argument", () => {
        const settings = previewNodeSettings(
            "bash scripts/node-deps.sh && MALLOC_ARENA_MAX=2 A_B=x node --max-semi-space-size=4 --no-turbofan -r ./hook.js cli.ts --flag",
        );
        assert.deepEqual(settings, {
            env: { MALLOC_ARENA_MAX: "2", A_B: "x" },
            flags: ["--max-semi-space-size=4", "--no-turbofan"],
        });
    });

    it("finds nothing to add for a plain node command", () => {
        assert.deepEqual(previewNodeSettings("node -r ./hook.js cli.ts"), { env: {}, flags: [] });
    });

    it("finds every flag of package.json's preview script", () => {
        const script = (
            JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as {
                scripts: { preview: string };
            }
        ).scripts.preview;
        const written = script
            .slice(script.indexOf(" node ") + 6)
            .split(" -r ")[0]
            .split(" ");
        assert.ok(written.length > 0 && written.every((word) => word.startsWith("--")), script);
        assert.deepEqual(previewNodeSettings().flags, written);
    });
});
