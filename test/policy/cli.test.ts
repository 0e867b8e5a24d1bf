import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import { main } from "../../tools/policy/cli";
import { type CommandSpec, InputError, runCommand, UsageError } from "../../tools/common/cli";

const ROOT = path.resolve(__dirname, "..", "..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-cli-"));
const file = (name: string, content: unknown) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
    return p;
};
const urn = (type: string, name: string) => `urn:pulumi:prod::atx-platform::${type}::${name}`;
const KEY = "aws:kms/key:Key";
const TRAIL = "aws:cloudtrail/trail:Trail";
const exportOf = (resources: object[]) => ({ version: 3, deployment: { manifest: {}, resources } });
const key = (rotation: boolean) => ({
    urn: urn(KEY, "key"),
    custom: true,
    id: "k",
    type: KEY,
    inputs: { enableKeyRotation: rotation },
    outputs: { enableKeyRotation: rotation, arn: "arn:aws:kms:us-east-1:1:key/k" },
});
const trail = {
    urn: urn(TRAIL, "trail"),
    custom: true,
    id: "t",
    type: TRAIL,
    inputs: { enableLogFileValidation: true, kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" },
    outputs: { enableLogFileValidation: true, kmsKeyId: "arn:aws:kms:us-east-1:1:key/k", enableLogging: true },
};

const clean = file("clean.json", exportOf([key(true), trail]));
const bad = file("bad.json", exportOf([key(false), trail]));

function sink() {
    let text = "";
    const stream = new Writable({
        write(chunk, _enc, cb) {
            text += chunk;
            cb();
        },
    });
    return { stream: stream as NodeJS.WritableStream, text: () => text };
}
async function run(...argv: string[]) {
    const out = sink(),
        err = sink();
    const code = await main(argv, out.stream, err.stream);
    return { code, out: out.text(), err: err.text() };
}

describe("policy CLI: exit codes", () => {
    it("exits 0 for a compliant stack export", async () => {
        const r = await run("check", clean);
        assert.equal(r.code, 0, r.out + r.err);
        assert.match(r.out, /0 mandatory, 0 advisory/);
    });
    it("exits 1 with mandatory violations and prints them", async () => {
        const r = await run("check", bad);
        assert.equal(r.code, 1);
        assert.match(r.out, /\[mandatory\] kms-key-rotation {2}aws:kms\/key:Key::key/);
    });
    it("exits 0 when the pack config turns the violated policy advisory", async () => {
        const r = await run("check", bad, "--policy-config", file("cfg.json", { "kms-key-rotation": "advisory" }));
        assert.equal(r.code, 0);
        assert.match(r.out, /\[advisory\] kms-key-rotation/);
    });
    for (const [what, argv, message] of [
        ["a missing file", ["check", path.join(dir, "nope.json")], /cannot read .*nope\.json: ENOENT/],
        ["invalid JSON", ["check", file("broken.json", "{")], /is not valid JSON/],
        ["an unrecognised document", ["check", file("other.json", { kind: "other" })], /not a recognised document/],
        [
            "an invalid pack config",
            ["check", clean, "--policy-config", file("badcfg.json", { "no-such-policy": "advisory" })],
            /not a policy of the pack/,
        ],
        ["a missing FILE", ["check"], /missing FILE/],
        ["an unknown command", ["lint", clean], /unknown command 'lint'/],
        [
            "an unknown option, with the usage line",
            ["check", clean, "--config", "x.json"],
            /unknown option --config\nusage: npm run policy -- check FILE/,
        ],
        [
            "an unreadable pack config",
            ["check", clean, "--policy-config", path.join(dir, "none.json")],
            /cannot read pack config .*ENOENT/,
        ],
    ] as [string, string[], RegExp][]) {
        it(`exits 2 for ${what}, saying why`, async () => {
            const r = await run(...argv);
            assert.equal(r.code, 2);
            assert.match(r.err, message);
        });
    }
    it("answers --help with the usage and the options, exit 0", async () => {
        for (const argv of [["--help"], ["check", "-h"]]) {
            const r = await run(...argv);
            assert.equal(r.code, 0);
            assert.match(r.out, /^usage: npm run policy -- check FILE .*\[--policy-config FILE\]/);
            assert.match(
                r.out,
                /Exit codes: 0 success, 1 mandatory policy violations, 2 usage or invalid input, 3 internal error/,
            );
        }
    });
    it("applies the checked-in policy-config.json by default", async () => {
        const prodBucket = (name: string) => ({
            urn: urn("aws:s3/bucket:Bucket", name),
            custom: true,
            id: name,
            type: "aws:s3/bucket:Bucket",
            inputs: { bucket: name },
            outputs: { bucket: name, id: name },
        });
        const r = await run("check", file("mfa.json", exportOf([key(true), trail, prodBucket("b")])));
        assert.doesNotMatch(r.out, /s3-production-mfa-delete/);
        const all = await run(
            "check",
            file("mfa.json", exportOf([key(true), trail, prodBucket("b")])),
            "--policy-config",
            file("empty.json", {}),
        );
        assert.match(all.out, /s3-production-mfa-delete/);
    });
    it("exits with the same codes as a process (as npm run policy runs it)", function () {
        this.timeout(60000);
        const node = path.join(ROOT, "node_modules", ".bin", "node");
        const args = [
            "-r",
            path.join(ROOT, "scripts", "register-ts.js"),
            path.join(ROOT, "tools", "policy", "cli.ts"),
            "check",
        ];
        assert.equal(spawnSync(node, [...args, bad], { cwd: ROOT }).status, 1);
        assert.equal(spawnSync(node, [...args, path.join(dir, "nope.json")], { cwd: ROOT }).status, 2);
    });
});

/** The parts of the JSON and SARIF reports the tests read. */
interface JsonReport {
    readonly summary: unknown;
    readonly violations: Record<string, unknown>[];
}
interface SarifResult {
    readonly ruleIndex: number;
    readonly ruleId: string;
    readonly level: string;
    readonly message: { readonly text: string };
    readonly partialFingerprints: Record<string, unknown>;
    readonly locations: {
        readonly physicalLocation: {
            readonly artifactLocation: { readonly uri: string };
            readonly region: { readonly startLine: number };
        };
        readonly logicalLocations: { readonly fullyQualifiedName: string }[];
    }[];
}
interface SarifLog {
    readonly version: string;
    readonly $schema: string;
    readonly runs: {
        readonly tool: {
            readonly driver: {
                readonly name: string;
                readonly rules: {
                    readonly id: string;
                    readonly shortDescription: { readonly text: unknown };
                    readonly defaultConfiguration: { readonly level: string };
                }[];
            };
        };
        readonly results: SarifResult[];
    }[];
}

describe("policy CLI: reports", () => {
    let json: JsonReport, sarif: SarifLog, markdown: string;
    before(async () => {
        const r = await run(
            "check",
            bad,
            "--json",
            path.join(dir, "out", "v.json"),
            "--sarif",
            path.join(dir, "out", "v.sarif"),
            "--markdown",
            path.join(dir, "out", "v.md"),
        );
        assert.equal(r.code, 1);
        json = JSON.parse(fs.readFileSync(path.join(dir, "out", "v.json"), "utf8")) as JsonReport;
        sarif = JSON.parse(fs.readFileSync(path.join(dir, "out", "v.sarif"), "utf8")) as SarifLog;
        markdown = fs.readFileSync(path.join(dir, "out", "v.md"), "utf8");
    });
    it("writes JSON with the violations and the summary", () => {
        assert.deepEqual(Object.keys(json), ["violations", "summary"]);
        assert.deepEqual(json.summary, { mandatory: 1, advisory: 0, resources: 2 });
        assert.deepEqual(Object.keys(json.violations[0]), [
            "policyPack",
            "policy",
            "enforcementLevel",
            "urn",
            "message",
        ]);
        assert.equal(json.violations[0].policyPack, "atx-security");
        assert.equal(json.violations[0].urn, urn(KEY, "key"));
    });
    it("writes SARIF 2.1.0: one rule per policy, results pointing at rules, each with a location", () => {
        assert.equal(sarif.version, "2.1.0");
        assert.match(sarif.$schema, /sarif-2\.1\.0/);
        assert.equal(sarif.runs.length, 1);
        const { driver } = sarif.runs[0].tool;
        assert.equal(driver.name, "atx-security");
        const ids = driver.rules.map((r) => r.id);
        assert.equal(new Set(ids).size, ids.length);
        for (const rule of driver.rules) {
            assert.equal(typeof rule.shortDescription.text, "string");
            assert.ok(["error", "warning", "none"].includes(rule.defaultConfiguration.level));
        }
        const results = sarif.runs[0].results;
        assert.equal(results.length, 1);
        for (const r of results) {
            assert.equal(driver.rules[r.ruleIndex].id, r.ruleId);
            assert.equal(r.level, "error");
            assert.ok(r.message.text.length > 0);
            const loc = r.locations[0];
            assert.equal(loc.physicalLocation.artifactLocation.uri.includes("\\"), false);
            assert.ok(loc.physicalLocation.region.startLine >= 1);
            assert.equal(loc.logicalLocations[0].fullyQualifiedName, urn(KEY, "key"));
            assert.equal(typeof r.partialFingerprints["policyUrn/v1"], "string");
        }
    });
    it("writes a markdown comment with a marker, the counts and one table row per violation", () => {
        assert.match(markdown, /^<!-- atx-policy-report -->\n### :x: /);
        assert.match(markdown, /\*\*1\*\* mandatory, \*\*0\*\* advisory violation\(s\) over 2 resources/);
        assert.match(
            markdown,
            /\| mandatory \| `kms-key-rotation` \| `aws:kms\/key:Key::key` \| KMS key 'key' must have automatic key rotation enabled/,
        );
    });
});

describe("shared command line: exit codes", () => {
    const spec: CommandSpec = { program: "tool", name: "tool", summary: "A tool.", options: [] };
    it("maps an unexpected error to 3 with its stack, a usage error and an input error to 2", async () => {
        const cases: [() => Promise<number>, number, RegExp][] = [
            [() => Promise.reject(new TypeError("boom")), 3, /^tool: internal error: TypeError: boom\n {4}at /],
            [() => Promise.reject(new UsageError("bad flag")), 2, /^tool: bad flag\nusage: tool\n$/],
            [() => Promise.reject(new InputError("bad file")), 2, /^tool: bad file\n$/],
            [() => Promise.resolve(1), 1, /^$/],
        ];
        for (const [body, code, message] of cases) {
            const err = sink();
            assert.equal(await runCommand(spec, body, [], err.stream), code);
            assert.match(err.text(), message);
        }
    });
});
