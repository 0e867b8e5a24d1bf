/**
 * Preview-time enforcement, proven on the program's source: each group of mutations is applied to
 * a copy of the repository and `npm run preview` must exit 1, naming the mandatory rule on the
 * mutated resource. One preview process per group (a few seconds each): the mutations of a group
 * touch different resources or rules, so each is still seen on its own.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runPreviewCli } from "../support/preview";

const ROOT = path.resolve(__dirname, "..", "..");
/** Linked, not copied: what no mutation touches and the program only reads. */
const LINKED = ["node_modules", "container"];
/** Neither copied nor linked: caches and tooling. */
const SKIPPED = new Set([...LINKED, ".git", ".venv", ".build"]);

const occurrences = (source: string, pattern: string | RegExp) =>
    typeof pattern === "string"
        ? source.split(pattern).length - 1
        : (source.match(new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`)) ?? []).length;

interface Mutation {
    readonly what: string;
    readonly file: string;
    readonly from: string | RegExp;
    readonly to: string;
    /** The mandatory rule and the resource (logical name) the preview must report. */
    readonly rule: string;
    readonly resource: string;
    /** A fragment of the violation's message, when the rule has several. */
    readonly message?: RegExp;
}

/** A copy of the repository with the mutations applied; each must match its file exactly once. */
function mutatedCopy(mutations: readonly Mutation[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "atx-mutation-"));
    fs.cpSync(ROOT, dir, { recursive: true, filter: (src) => !SKIPPED.has(path.basename(src)) });
    for (const name of LINKED) {
        fs.symlinkSync(path.join(ROOT, name), path.join(dir, name), "dir");
    }
    for (const m of mutations) {
        const file = path.join(dir, m.file);
        const source = fs.readFileSync(file, "utf8");
        assert.equal(
            occurrences(source, m.from),
            1,
            `mutation '${m.what}': expected one match of ${m.from} in ${m.file}`,
        );
        fs.writeFileSync(file, source.replace(m.from, m.to));
    }
    return dir;
}

/** `npm run preview -- --stack prod` in the copy: its exit code and output. */
function preview(dir: string): { status: number | null; output: string } {
    const r = runPreviewCli(dir, ["--stack", "prod"], 300_000);
    return { status: r.status, output: r.stdout + r.stderr };
}

/** The preview's report entries, `[level] rule  resources` followed by the message. */
function reported(output: string, m: Mutation): string | undefined {
    const lines = output.split("\n");
    const i = lines.findIndex((l) => l.startsWith(`  [mandatory] ${m.rule}  `) && l.endsWith(`::${m.resource}`));
    return i < 0 ? undefined : `${lines[i]}\n${lines[i + 1] ?? ""}`;
}

function describeGroup(title: string, mutations: readonly Mutation[]) {
    describe(title, function () {
        this.timeout(360_000);
        let result: { status: number | null; output: string };
        let dir: string | undefined;
        before(() => {
            dir = mutatedCopy(mutations);
            result = preview(dir);
        });
        after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

        it("fails the preview with exit 1", () => {
            assert.equal(result.status, 1, result.output.slice(-3000));
        });
        for (const m of mutations) {
            it(`${m.what}: ${m.rule} on ${m.resource}`, () => {
                const entry = reported(result.output, m);
                assert.ok(entry, `no mandatory ${m.rule} on ${m.resource} in:\n${result.output.slice(-3000)}`);
                if (m.message) {
                    assert.match(entry, m.message);
                }
            });
        }
    });
}

describeGroup("mutations in documents that hold ARNs unknown at preview", [
    {
        what: "Action '*' in the job role's key statement",
        file: "components/identity.ts",
        from: 'Action: ["kms:Decrypt", "kms:GenerateDataKey"],',
        to: 'Action: "*",',
        rule: "iam-no-admin-wildcards",
        resource: "identity-job-key-access",
        message: /allows action '\*'/,
    },
    {
        what: "a service wildcard on '*' next to the alarm topic and key ARNs",
        file: "components/long-running-jobs.ts",
        from: 'Action: "batch:DescribeJobs", Resource: "*"',
        to: 'Action: "batch:*", Resource: "*"',
        rule: "iam-no-admin-wildcards",
        resource: "observability-long-running-role-policy",
        message: /allows 'batch:\*' on resource '\*'/,
    },
    {
        what: "NotAction in the archive's key statement",
        file: "components/log-archive.ts",
        from: 'Action: ["kms:GenerateDataKey", "kms:Decrypt"],',
        to: 'NotAction: ["kms:GenerateDataKey", "kms:Decrypt"],',
        rule: "iam-no-admin-wildcards",
        resource: "observability-archive-firehose-policy",
        message: /NotAction/,
    },
    {
        what: "Principal '*' in the dead-letter queue's policy (the rule ARN is unknown)",
        file: "components/api/index.ts",
        from: "denyInsecure(deadLetterQueueArn),",
        to:
            "denyInsecure(deadLetterQueueArn), " +
            '{ Sid: "Anyone", Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: deadLetterQueueArn },',
        rule: "sqs-sns-no-public-policy",
        resource: "api-dead-letters-policy",
    },
]);

describeGroup("removing the protections of the table, the queue and the topic", [
    {
        what: "no KMS key on the jobs table",
        file: "components/api/index.ts",
        from: "serverSideEncryption: { enabled: true, kmsKeyArn },",
        to: "serverSideEncryption: { enabled: true },",
        rule: "dynamodb-table-kms-encryption",
        resource: "api-jobs",
    },
    {
        what: "no point-in-time recovery on the jobs table",
        file: "components/api/index.ts",
        from: "pointInTimeRecovery: { enabled: jobsTable.pointInTimeRecovery },",
        to: "pointInTimeRecovery: { enabled: false },",
        rule: "dynamodb-table-point-in-time-recovery",
        resource: "api-jobs",
    },
    {
        what: "no KMS key on the bulk queue",
        file: "components/api/index.ts",
        from: /(name: bulkQueueName,\s*)kmsMasterKeyId: kmsKeyArn,/,
        to: "$1",
        rule: "sqs-queue-kms-encryption",
        resource: "api-bulk-submissions",
    },
    {
        what: "no TLS-only statement in the bulk queue's policy",
        file: "components/api/index.ts",
        from: "policy: policyDocument([denyInsecure(bulkQueueArn)])",
        to: "policy: policyDocument([])",
        rule: "sqs-queue-tls-only",
        resource: "api-bulk-submissions",
    },
    {
        what: "no KMS key on the alarm topic",
        file: "components/alarms.ts",
        from: "{ name: args.topicName, kmsMasterKeyId: args.kmsKeyArn }",
        to: "{ name: args.topicName }",
        rule: "sns-topic-kms-encryption",
        resource: "alarms",
    },
    {
        what: "no TLS-only statement in the alarm topic's policy",
        file: "components/alarms.ts",
        from: /\{\s*Sid: "DenyInsecureTransport",[^{}]*Condition: \{ Bool: \{ "aws:SecureTransport": "false" \} \},\s*\},/,
        to: "",
        rule: "sns-topic-tls-only",
        resource: "alarms",
    },
]);
