import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ApiError } from "../lib/errors";
import { parseCommand, transformationName } from "../lib/validation/command";
import { validateEnvironment } from "../lib/validation/environment";
import {
    toJobName,
    validateJobName,
    validateTags,
    validateUploadFileName,
    jobNamePattern,
} from "../lib/validation/fields";
import { validateMcpConfig } from "../lib/validation/mcp-config";
import {
    validateBulkRequest,
    validateJobRequest,
    validateListQuery,
    validateUploadRequest,
} from "../lib/validation/requests";
import { validateSource } from "../lib/validation/source";

const rules = {
    allowedHosts: ["github.com", "gitlab.com", "bitbucket.org"],
    sourceBucket: "stack-source",
    jobTimeoutSeconds: 43200,
};

/** Asserts a 400 ValidationError on `field` (when given). */
function rejects(fn: () => unknown, field?: string | RegExp) {
    assert.throws(fn, (error: unknown) => {
        assert.ok(error instanceof ApiError, `expected ApiError, got ${String(error)}`);
        assert.equal(error.statusCode, 400);
        assert.equal(error.code, "ValidationError");
        if (typeof field === "string") assert.equal(error.field, field);
        if (field instanceof RegExp) assert.match(error.field ?? "", field);
        return true;
    });
}

describe("command parsing", () => {
    it("splits an atx command into arguments, honouring quotes", () => {
        assert.deepEqual(
            parseCommand(`atx custom def exec -n AWS/java-upgrade --configuration "additionalPlanContext=Java 21" -x`),
            [
                "atx",
                "custom",
                "def",
                "exec",
                "-n",
                "AWS/java-upgrade",
                "--configuration",
                "additionalPlanContext=Java 21",
                "-x",
            ],
        );
        assert.deepEqual(parseCommand("  atx   custom  ''  "), ["atx", "custom", ""]);
    });

    it("requires the first word to be atx and a subcommand", () => {
        for (const command of ["bash -c x", "ATX custom", "/usr/bin/atx custom", "atx", "", "   "])
            rejects(() => parseCommand(command), "command");
        assert.deepEqual(parseCommand("'atx' custom"), ["atx", "custom"]);
    });

    it("rejects shell metacharacters, substitution, newlines and NUL anywhere, quoted or not", () => {
        const hostile = [
            ";",
            "|",
            "&",
            "$",
            "`",
            "<",
            ">",
            "(",
            ")",
            "{",
            "}",
            "\\",
            "!",
            "*",
            "?",
            "~",
            "#",
            "\n",
            "\r",
            "\t",
            "\0",
            "\u2028",
            "é",
            "[",
            "]",
        ];
        for (const char of hostile) {
            rejects(() => parseCommand(`atx custom ${char}`), "command");
            rejects(() => parseCommand(`atx custom "a${char}b"`), "command");
        }
        for (const command of [
            "atx custom $(id)",
            "atx custom `id`",
            "atx custom; rm -rf /",
            "atx custom && curl x",
            "atx custom ${HOME}",
            "atx custom > /etc/passwd",
            "atx custom\nrm -rf /",
        ]) {
            rejects(() => parseCommand(command), "command");
        }
    });

    it("rejects unterminated quotes, non-strings and over-long input", () => {
        rejects(() => parseCommand(`atx custom "unterminated`));
        rejects(() => parseCommand(42));
        rejects(() => parseCommand(["atx", "custom"]));
        rejects(() => parseCommand(`atx ${"a".repeat(5000)}`));
        rejects(() => parseCommand(`atx ${"a ".repeat(70)}`));
        rejects(() => parseCommand(`atx ${"a".repeat(1025)}`));
    });

    it("never returns an argument with a character outside the allowed set (property)", () => {
        fc.assert(
            fc.property(fc.string({ maxLength: 60, unit: "binary" }), (tail) => {
                let argv: string[];
                try {
                    argv = parseCommand(`atx ${tail}`);
                } catch (error) {
                    return error instanceof ApiError && error.statusCode === 400;
                }
                return argv[0] === "atx" && argv.every((arg) => /^[A-Za-z0-9_\-.,:/=@+% ]*$/.test(arg));
            }),
            { numRuns: 2000 },
        );
    });

    it("round-trips safe argument vectors (property)", () => {
        const safeArg = fc.stringMatching(/^[A-Za-z0-9_\-.,:/=@+%]{1,12}$/);
        fc.assert(
            fc.property(fc.array(safeArg, { minLength: 1, maxLength: 10 }), (args) => {
                assert.deepEqual(parseCommand(["atx", ...args].join(" ")), ["atx", ...args]);
            }),
        );
    });

    it("finds the transformation name", () => {
        assert.equal(transformationName(["atx", "custom", "def", "exec", "-n", "AWS/x"]), "AWS/x");
        assert.equal(transformationName(["atx", "custom", "--transformation-name=Y"]), "Y");
        assert.equal(transformationName(["atx", "custom"]), undefined);
    });
});

describe("source validation", () => {
    it("accepts https repositories on allowed hosts and normalises them", () => {
        assert.deepEqual(validateSource("https://github.com/acme/app.git", rules), {
            kind: "git",
            url: "https://github.com/acme/app.git",
        });
        assert.deepEqual(validateSource("https://GitLab.com/group/sub/app", rules), {
            kind: "git",
            url: "https://gitlab.com/group/sub/app",
        });
        assert.equal(validateSource("https://github.com:443/acme/app", rules).url, "https://github.com/acme/app");
    });

    it("accepts s3 locations in the stack's source bucket only", () => {
        assert.deepEqual(validateSource("s3://stack-source/uploads/1/app.zip", rules), {
            kind: "s3",
            url: "s3://stack-source/uploads/1/app.zip",
            bucket: "stack-source",
            key: "uploads/1/app.zip",
        });
        for (const source of [
            "s3://other-bucket/app.zip",
            "s3://stack-source",
            "s3://stack-source/",
            "s3://stack-source/../x",
            "s3://stack-source/a/./b",
            "s3://stack-source//x",
            "s3://stack-source-evil/x",
            "s3://stack-source/a b",
        ]) {
            rejects(() => validateSource(source, rules), "source");
        }
    });

    it("rejects other schemes, hosts, credentials, addresses, ports, queries and traversal", () => {
        const hostile = [
            "http://github.com/acme/app",
            "git://github.com/acme/app",
            "ssh://git@github.com/acme/app",
            "file:///etc/passwd",
            "git@github.com:acme/app.git",
            "ext::sh -c id",
            "https://evil.com/acme/app",
            "https://github.com.evil.com/acme/app",
            "https://evilgithub.com/a/b",
            "https://sub.github.com/a/b",
            "https://user:token@github.com/acme/app",
            "https://token@github.com/acme/app",
            "https://github.com@evil.com/a/b",
            "https://127.0.0.1/a/b",
            "https://2130706433/a/b",
            "https://0x7f000001/a/b",
            "https://017700000001/a/b",
            "https://[::1]/a/b",
            "https://[fd00::1]/a/b",
            "https://169.254.169.254/latest/meta-data",
            "https://localhost/a/b",
            "https://metadata.google.internal/a/b",
            "https://foo.localhost/a/b",
            "https://github.com:8443/acme/app",
            "https://github.com/acme/app?x=1",
            "https://github.com/acme/app#frag",
            "https://github.com/acme",
            "https://github.com/acme/../../etc",
            "https://github.com/acme/app/%2e%2e",
            "https://github.com/acme/app\\x",
            "https://github.com/ac me/app",
            "https://github.com/acme/app\n",
            "https://github.com/acme/app\0",
            "https://github.com/acme/ápp",
            "",
            "https://" + "a".repeat(2100),
        ];
        for (const source of hostile) rejects(() => validateSource(source, rules), "source");
        rejects(() => validateSource(42, rules), "source");
    });

    it("honours a configured allow-list", () => {
        const custom = { ...rules, allowedHosts: ["git.example.com"] };
        assert.equal(validateSource("https://git.example.com/a/b", custom).kind, "git");
        rejects(() => validateSource("https://github.com/a/b", custom));
    });

    it("only ever yields https URLs on allowed hosts or keys in the source bucket (property)", () => {
        const candidate = fc.oneof(
            fc.string({ unit: "binary", maxLength: 80 }),
            fc.webUrl({ withQueryParameters: true, withFragments: true }),
            fc
                .tuple(
                    fc.constantFrom("https://", "s3://", "https://github.com/", "s3://stack-source/"),
                    fc.string({ maxLength: 40 }),
                )
                .map(([a, b]) => a + b),
        );
        fc.assert(
            fc.property(candidate, (value) => {
                try {
                    const source = validateSource(value, rules);
                    if (source.kind === "s3")
                        return source.bucket === "stack-source" && !source.key.split("/").includes("..");
                    const url = new URL(source.url);
                    return (
                        url.protocol === "https:" &&
                        rules.allowedHosts.includes(url.hostname) &&
                        !url.username &&
                        !url.search &&
                        !url.port
                    );
                } catch (error) {
                    return error instanceof ApiError && error.statusCode === 400;
                }
            }),
            { numRuns: 3000 },
        );
    });
});

describe("environment override validation", () => {
    it("accepts allowed names and returns Batch's name/value form", () => {
        assert.deepEqual(validateEnvironment({ MAVEN_OPTS: "-Xmx2g", B: "" }), [
            { name: "B", value: "" },
            { name: "MAVEN_OPTS", value: "-Xmx2g" },
        ]);
        assert.deepEqual(validateEnvironment(undefined), []);
    });

    it("rejects reserved names and prefixes", () => {
        const reserved = [
            "AWS_ACCESS_KEY_ID",
            "AWS_REGION",
            "AWS_BATCH_JOB_ID",
            "PATH",
            "HOME",
            "LD_PRELOAD",
            "LD_LIBRARY_PATH",
            "S3_BUCKET",
            "SOURCE_BUCKET",
            "OUTPUT_PREFIX",
            "ALLOWED_GIT_HOSTS",
            "ALLOWED_GIT_SCHEMES",
            "GIT_CREDENTIAL_SECRETS",
            "MCP_CONFIG_KEY",
            "ATX_ANYTHING",
            "NODE_OPTIONS",
            "JAVA_TOOL_OPTIONS",
            "GIT_SSH_COMMAND",
            "BASH_ENV",
            "HTTPS_PROXY",
            "ECS_CONTAINER_METADATA_URI",
            "PYTHONPATH",
            "DYLD_INSERT_LIBRARIES",
        ];
        for (const name of reserved) rejects(() => validateEnvironment({ [name]: "x" }), `environment.${name}`);
    });

    it("rejects malformed names, non-string or hostile values, and too many variables", () => {
        for (const name of ["lower", "1ABC", "A-B", "A B", "A=B", "", "A\nB", "Ä", "A".repeat(65)])
            rejects(() => validateEnvironment({ [name]: "x" }));
        for (const value of [1, null, true, {}, ["x"], "a\nb", "a\0b", "a\rb", "x".repeat(4097)])
            rejects(() => validateEnvironment({ OK: value }), "environment.OK");
        rejects(
            () => validateEnvironment(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`V${i}`, "x"]))),
            "environment",
        );
        for (const value of [[], "A=B", 1, null]) rejects(() => validateEnvironment(value), "environment");
    });

    it("lets a job set ATX_SHELL_TIMEOUT, a whole number of seconds up to the job timeout", () => {
        const job = { jobTimeoutSeconds: 86400 };
        assert.deepEqual(validateEnvironment({ ATX_SHELL_TIMEOUT: "86400" }, "environment", job), [
            { name: "ATX_SHELL_TIMEOUT", value: "86400" },
        ]);
        assert.deepEqual(validateEnvironment({ ATX_SHELL_TIMEOUT: "60" }, "environment", job), [
            { name: "ATX_SHELL_TIMEOUT", value: "60" },
        ]);
        for (const value of ["86401", "59", "0", "-1", "1e4", "3600.5", " 3600", "0600", "", "9999999999"])
            rejects(
                () => validateEnvironment({ ATX_SHELL_TIMEOUT: value }, "environment", job),
                "environment.ATX_SHELL_TIMEOUT",
            );
        rejects(() => validateEnvironment({ ATX_SHELL_TIMEOUT: 3600 }, "environment", job));
        // Other ATX_ names stay reserved, and without a job timeout (an MCP server) so does this one.
        rejects(() => validateEnvironment({ ATX_SHELL_TIMEOUTS: "3600" }, "environment", job));
        rejects(() => validateEnvironment({ ATX_SHELL_TIMEOUT: "3600" }), "environment.ATX_SHELL_TIMEOUT");
        rejects(
            () => validateMcpConfig({ mcpServers: { x: { command: "npx", env: { ATX_SHELL_TIMEOUT: "3600" } } } }),
            "mcpServers.x.env.ATX_SHELL_TIMEOUT",
        );
        assert.deepEqual(
            validateJobRequest({ command: "atx custom def list", environment: { ATX_SHELL_TIMEOUT: "43200" } }, rules)
                .environment,
            [{ name: "ATX_SHELL_TIMEOUT", value: "43200" }],
        );
        rejects(
            () =>
                validateJobRequest(
                    { command: "atx custom def list", environment: { ATX_SHELL_TIMEOUT: "86400" } },
                    rules,
                ),
            "environment.ATX_SHELL_TIMEOUT",
        );
    });

    it("never lets a reserved variable through (property)", () => {
        const name = fc.oneof(
            fc
                .constantFrom("AWS_", "LD_", "ATX_", "GIT_", "ECS_")
                .chain((p) => fc.stringMatching(/^[A-Z0-9_]{0,10}$/).map((s) => p + s)),
            fc.constantFrom("PATH", "HOME", "S3_BUCKET", "MCP_CONFIG_KEY", "OUTPUT_PREFIX", "SOURCE_BUCKET"),
        );
        fc.assert(
            fc.property(name, (n) => {
                rejects(() => validateEnvironment({ [n]: "v" }));
            }),
        );
    });
});

describe("names and tags", () => {
    it("enforces Batch's job name rule", () => {
        assert.equal(validateJobName("app_upgrade-1"), "app_upgrade-1");
        for (const name of ["", "-x", "_x", "a b", "a.b", "a/b", "x".repeat(129), 5, "é"])
            rejects(() => validateJobName(name), "jobName");
    });

    it("derives valid job names from anything (property)", () => {
        fc.assert(
            fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.string({ maxLength: 50 }), (a, b) =>
                jobNamePattern.test(toJobName(a, b)),
            ),
        );
    });

    it("validates tags and keeps the platform's prefixes", () => {
        assert.deepEqual(validateTags({ team: "core", "cost-center": "42" }), { team: "core", "cost-center": "42" });
        for (const tags of [
            { "aws:x": "1" },
            { "atx:job-key": "x" },
            { ok: 1 },
            { ["k".repeat(129)]: "v" },
            { k: "v".repeat(257) },
            { "a\nb": "v" },
            { k: "a;b" },
        ])
            rejects(() => validateTags(tags), /^tags\./);
        rejects(() => validateTags(Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`t${i}`, "v"]))), "tags");
        rejects(() => validateTags("x"), "tags");
    });

    it("accepts plain upload file names only", () => {
        assert.equal(validateUploadFileName("app-1.0.zip"), "app-1.0.zip");
        for (const name of [
            "../app.zip",
            "a/b.zip",
            "..",
            ".hidden",
            "a\\b.zip",
            "a..zip",
            "",
            "x".repeat(256),
            "a b.zip",
            "a\0.zip",
            "%2e%2e",
        ])
            rejects(() => validateUploadFileName(name), "fileName");
    });
});

describe("request validation", () => {
    it("validates a job request and derives the job name from source and transformation", () => {
        const spec = validateJobRequest(
            {
                command: "atx custom def exec -n AWS/java-upgrade",
                source: "https://github.com/acme/billing.git",
                environment: { MAVEN_OPTS: "-X" },
                tags: { team: "a" },
            },
            rules,
        );
        assert.equal(spec.jobName, "billing-AWS-java-upgrade");
        assert.deepEqual(spec.environment, [{ name: "MAVEN_OPTS", value: "-X" }]);
        assert.equal(spec.source, "https://github.com/acme/billing.git");
    });

    it("reports the failing field, also inside bulk requests", () => {
        rejects(() => validateJobRequest({ command: "atx x", extra: 1 }, rules), "extra");
        rejects(() => validateJobRequest(null, rules));
        rejects(() => validateJobRequest([], rules));
        rejects(
            () =>
                validateBulkRequest(
                    { batchName: "b", jobs: [{ command: "atx a" }, { command: "rm -rf /" }] },
                    rules,
                    10,
                ),
            "jobs[1].command",
        );
        rejects(
            () => validateBulkRequest({ batchName: "b", jobs: [{ command: "atx a", source: "http://x" }] }, rules, 10),
            "jobs[0].source",
        );
        rejects(() => validateBulkRequest({ batchName: "b", jobs: [] }, rules, 10), "jobs");
        rejects(
            () => validateBulkRequest({ batchName: "b", jobs: Array(11).fill({ command: "atx a" }) }, rules, 10),
            "jobs",
        );
        rejects(() => validateBulkRequest({ jobs: [{ command: "atx a" }] }, rules, 10), "batchName");
    });

    it("bounds uploads by size and content type", () => {
        assert.deepEqual(validateUploadRequest({ fileName: "a.zip", contentLength: 10 }, 100), {
            fileName: "a.zip",
            contentType: "application/zip",
            contentLength: 10,
        });
        rejects(() => validateUploadRequest({ fileName: "a.zip", contentLength: 101 }, 100), "contentLength");
        rejects(() => validateUploadRequest({ fileName: "a.zip", contentLength: 0 }, 100), "contentLength");
        rejects(() => validateUploadRequest({ fileName: "a.zip", contentLength: 1.5 }, 100), "contentLength");
        rejects(
            () => validateUploadRequest({ fileName: "a.zip", contentLength: 10, contentType: "text/html" }, 100),
            "contentType",
        );
    });

    it("takes the AWS sample's upload request: filename, no size", () => {
        assert.deepEqual(validateUploadRequest({ filename: "myproject.zip" }, 100), {
            fileName: "myproject.zip",
            contentType: "application/zip",
            contentLength: undefined,
        });
        rejects(() => validateUploadRequest({ filename: "../x.zip" }, 100), "filename");
        rejects(() => validateUploadRequest({ filename: "a/b.zip" }, 100), "filename");
        rejects(() => validateUploadRequest({ filename: "a.zip", fileName: "a.zip" }, 100), "filename");
        rejects(() => validateUploadRequest({ filename: "a.zip", contentLength: 101 }, 100), "contentLength");
        rejects(() => validateUploadRequest({}, 100), "fileName");
    });

    it("validates list queries", () => {
        assert.deepEqual(validateListQuery(null), { status: undefined, limit: 25, nextToken: undefined });
        rejects(() => validateListQuery({ status: "DONE" }), "status");
        rejects(() => validateListQuery({ limit: "0" }), "limit");
        rejects(() => validateListQuery({ limit: "1000" }), "limit");
        rejects(() => validateListQuery({ nextToken: "a/b" }), "nextToken");
    });
});

describe("MCP configuration validation", () => {
    it("accepts command and https servers", () => {
        const config = {
            mcpServers: {
                fs: {
                    command: "npx",
                    args: ["-y", "@modelcontextprotocol/server-filesystem", "/work"],
                    env: { LOG_LEVEL: "info" },
                },
                docs: { url: "https://mcp.example.com/sse" },
            },
        };
        assert.deepEqual(validateMcpConfig(config), config);
    });

    it("rejects hostile or malformed servers", () => {
        const bad = [
            {},
            { mcpServers: [] },
            { mcpServers: { x: {} } },
            { mcpServers: { x: { command: "sh -c id" } } },
            { mcpServers: { x: { command: "npx", args: ["$(id)"] } } },
            { mcpServers: { x: { command: "npx", env: { LD_PRELOAD: "/x.so" } } } },
            { mcpServers: { x: { url: "http://mcp.example.com" } } },
            { mcpServers: { x: { url: "https://u:p@mcp.example.com" } } },
            { mcpServers: { x: { command: "a", url: "https://b" } } },
            { mcpServers: { "../x": { command: "a" } } },
            { mcpServers: { x: { command: "a", shell: true } } },
            { mcpServers: {}, other: 1 },
        ];
        for (const config of bad) rejects(() => validateMcpConfig(config));
    });

    it("takes the AWS sample's request, the document wrapped in mcpConfig, with the same checks", () => {
        const config = { mcpServers: { fetch: { command: "uvx", args: ["mcp-server-fetch"] } } };
        assert.deepEqual(validateMcpConfig({ mcpConfig: config }), config);
        rejects(
            () => validateMcpConfig({ mcpConfig: { mcpServers: { x: { command: "npx", args: ["$(id)"] } } } }),
            "mcpConfig.mcpServers.x.args[0]",
        );
        rejects(() => validateMcpConfig({ mcpConfig: config, mcpServers: config.mcpServers }), "mcpServers");
        rejects(() => validateMcpConfig({ mcpConfig: { ...config, other: 1 } }), "mcpConfig.other");
        rejects(() => validateMcpConfig({ mcpConfig: [] }), "mcpConfig");
        rejects(() => validateMcpConfig({ mcpConfig: {} }), "mcpConfig.mcpServers");
    });
});
