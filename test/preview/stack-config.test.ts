import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { assembleStackConfig, StackConfigError } from "../../tools/preview/stack-config";
import { parseArgs } from "../../tools/preview/cli";
import { UsageError } from "../../tools/common/cli";
import { previewStack } from "../support/preview";

function project(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-config-"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

const PROJECT_YAML = `name: demo
runtime: nodejs
config:
  size:
    type: integer
    default: 4
  hosts:
    type: array
    default: ["a.example"]
  flag:
    type: boolean
`;

describe("offline preview: stack configuration", () => {
    it("layers project defaults, the stack file and --config overrides, as strings like the engine", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.dev.yaml": "config:\n  aws:region: eu-west-1\n  demo:size: 8\n  demo:flag: true\n",
        });
        const { project: name, config } = assembleStackConfig(dir, "dev", [
            'hosts=["b.example"]',
            "aws:region=us-west-2",
        ]);
        assert.strictEqual(name, "demo");
        assert.deepStrictEqual(config, {
            "demo:size": "8",
            "demo:hosts": '["b.example"]',
            "demo:flag": "true",
            "aws:region": "us-west-2",
        });
    });

    it("names the known stacks when the stack file is missing", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.prod.yaml": "config: {}\n",
            "Pulumi.dev.yaml": "config: {}\n",
        });
        assert.throws(
            () => assembleStackConfig(dir, "qa"),
            (e: Error) => e instanceof StackConfigError && /Pulumi.qa.yaml; known stacks: dev, prod/.test(e.message),
        );
    });

    it("refuses encrypted secrets it cannot decrypt, saying how to pass the value", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT_YAML,
            "Pulumi.prod.yaml": "config:\n  demo:token:\n    secure: AAABAK==\n",
        });
        assert.throws(
            () => assembleStackConfig(dir, "prod"),
            /demo:token is an encrypted secret.*--config demo:token=<value>/,
        );
    });

    it("rejects an override without '='", () => {
        const dir = project({ "Pulumi.yaml": PROJECT_YAML, "Pulumi.prod.yaml": "config: {}\n" });
        assert.throws(() => assembleStackConfig(dir, "prod", ["size"]), /--config expects key=value, got "size"/);
    });
});

describe("offline preview: command line", () => {
    it("defaults to the prod stack and the stand-in account", () => {
        assert.deepStrictEqual(parseArgs([]), { stack: "prod", overrides: [], accountId: "123456789012" });
    });

    it("takes a stack, repeated overrides, an export file and an account", () => {
        assert.deepStrictEqual(
            parseArgs([
                "--stack",
                "dev",
                "-c",
                "a=1",
                "--config",
                "b=2",
                "--export",
                "out.json",
                "--account",
                "210987654321",
            ]),
            {
                stack: "dev",
                overrides: ["a=1", "b=2"],
                exportFile: "out.json",
                accountId: "210987654321",
            },
        );
    });

    it("answers --help (anywhere) instead of previewing", () => {
        assert.equal(parseArgs(["--stack", "dev", "--help"]), undefined);
        assert.equal(parseArgs(["-h"]), undefined);
    });

    it("takes the pack config by the same flag as the policy check", () => {
        assert.equal(parseArgs(["--policy-config", "p.json"])?.policyConfigFile, "p.json");
    });

    for (const [argv, message] of [
        [["--stack"], /--stack needs a value/],
        [["--export", "--stack", "dev"], /--export needs a value/],
        [["--account", "12"], /12-digit/],
        [["--frobnicate"], /unknown option --frobnicate/],
        [["dev"], /unexpected argument 'dev'/],
    ] as const) {
        it(`rejects ${argv.join(" ")} with a usage error`, () => {
            assert.throws(
                () => parseArgs(argv),
                (e: Error) => e instanceof UsageError && message.test(e.message),
            );
        });
    }

    it("exits 2 on a mistyped key of the project, naming it and the key meant", () => {
        const run = previewStack("prod", ["objectLok=false"]);
        assert.strictEqual(run.exitCode, 2, run.stderr);
        assert.match(run.stderr, /atx-platform:objectLok = false: must be .*did you mean objectLock\?/);
    });

    it("takes --engine, but not with --export (the engine's state is exported by pulumi itself)", () => {
        assert.strictEqual(parseArgs(["--engine", "--stack", "dev"])?.engine, true);
        assert.throws(() => parseArgs(["--engine", "--export", "x.json"]), UsageError);
    });
});
