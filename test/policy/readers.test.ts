import { strict as assert } from "assert";
import { parseSnapshotDocument } from "../../tools/policy/readers";
import { InputError } from "../../tools/common/cli";
import { UNKNOWN } from "../../tools/common/resource-record";

const SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const urn = (type: string, name: string, stack = "prod") => `urn:pulumi:${stack}::atx-platform::${type}::${name}`;
const BUCKET = "aws:s3/bucket:Bucket";
const SV = "aws:secretsmanager/secretVersion:SecretVersion";

const stackExport = (resources: object[]) =>
    JSON.stringify({ version: 3, deployment: { manifest: { time: "2026-01-01T00:00:00Z" }, resources } });

describe("readers: pulumi stack export", () => {
    const doc = stackExport([
        { urn: urn("pulumi:pulumi:Stack", "atx-platform-prod"), custom: false, type: "pulumi:pulumi:Stack" },
        {
            urn: urn(`atx:storage:SecureBucket$${BUCKET}`, "b"),
            custom: true,
            id: "atx-b",
            type: BUCKET,
            parent: urn("pulumi:pulumi:Stack", "atx-platform-prod"),
            inputs: { bucket: "atx-b" },
            outputs: { bucket: "atx-b", id: "atx-b" },
            dependencies: [],
            propertyDependencies: { bucket: [] },
            provider: "urn:pulumi:prod::atx-platform::pulumi:providers:aws::default_7_48_0::04c3",
        },
        {
            urn: urn(SV, "enc"),
            custom: true,
            id: "v1",
            type: SV,
            inputs: { secretId: "s", secretString: { ...SIG, ciphertext: "AAAA" } },
            outputs: { secretString: { ...SIG, ciphertext: "BBBB" } },
        },
        {
            urn: urn(SV, "shown"),
            custom: true,
            id: "v2",
            type: SV,
            inputs: { secretId: "s", secretString: { ...SIG, plaintext: '"hunter2"' } },
            outputs: {},
            additionalSecretOutputs: ["secretBinary"],
        },
        { urn: urn(BUCKET, "old"), custom: true, id: "old", type: BUCKET, inputs: {}, outputs: {}, delete: true },
    ]);
    const s = parseSnapshotDocument(doc);
    it("reads stack, project and resources, marking the snapshot as deployed state", () => {
        assert.equal(s.stack, "prod");
        assert.equal(s.project, "atx-platform");
        assert.equal(s.preview, false);
        assert.deepEqual(
            s.resources.map((r) => r.name),
            ["atx-platform-prod", "b", "enc", "shown"],
            "resources pending deletion are left out",
        );
    });
    it("keeps type, name, id, parent, provider and relations", () => {
        const b = s.resources[1];
        assert.equal(b.type, BUCKET);
        assert.equal(b.id, "atx-b");
        assert.equal(b.parent, urn("pulumi:pulumi:Stack", "atx-platform-prod"));
        assert.match(b.provider!, /pulumi:providers:aws/);
        assert.deepEqual(b.propertyDependencies, { bucket: [] });
        assert.deepEqual(b.outputs, { bucket: "atx-b", id: "atx-b" });
    });
    it("turns an encrypted secret into UNKNOWN (it can't be decrypted offline) and lists it as secret", () => {
        const enc = s.resources[2];
        assert.equal(enc.inputs.secretString, UNKNOWN);
        assert.deepEqual(enc.secretProperties, ["secretString"]);
    });
    it("uses a --show-secrets plaintext and keeps additionalSecretOutputs as secret properties", () => {
        const shown = s.resources[3];
        assert.equal(shown.inputs.secretString, "hunter2");
        assert.deepEqual([...shown.secretProperties!].sort(), ["secretBinary", "secretString"]);
    });
    it("rejects other deployment versions with a clear message", () => {
        assert.throws(
            () => parseSnapshotDocument(JSON.stringify({ version: 2, deployment: {} })),
            /unsupported stack export version 2/,
        );
    });
});

describe("readers: pulumi preview --json", () => {
    const doc = JSON.stringify({
        steps: [
            {
                op: "same",
                urn: urn(BUCKET, "kept"),
                newState: {
                    urn: urn(BUCKET, "kept"),
                    type: BUCKET,
                    custom: true,
                    id: "k",
                    inputs: { bucket: "k" },
                    outputs: { bucket: "k" },
                },
            },
            {
                op: "create",
                urn: urn("aws:s3/bucketVersioning:BucketVersioning", "v"),
                newState: {
                    type: "aws:s3/bucketVersioning:BucketVersioning",
                    custom: true,
                    inputs: { bucket: UNKNOWN, versioningConfiguration: { status: "Enabled" } },
                    propertyDependencies: { bucket: [urn(BUCKET, "kept")] },
                    dependencies: [urn(BUCKET, "kept")],
                },
            },
            {
                op: "delete",
                urn: urn(BUCKET, "gone"),
                oldState: { urn: urn(BUCKET, "gone"), type: BUCKET, inputs: {}, outputs: {} },
            },
            {
                op: "update",
                urn: urn(SV, "sv"),
                newState: {
                    urn: urn(SV, "sv"),
                    type: SV,
                    custom: true,
                    inputs: { secretString: "[secret]" },
                    outputs: {},
                },
            },
        ],
        changeSummary: { create: 1, same: 1, delete: 1, update: 1 },
    });
    const s = parseSnapshotDocument(doc);
    it("reads the new state of every step that keeps a resource, as a preview", () => {
        assert.equal(s.preview, true);
        assert.deepEqual(
            s.resources.map((r) => r.name),
            ["kept", "v", "sv"],
        );
    });
    it("keeps UNKNOWN values and propertyDependencies; outputs default to the inputs", () => {
        const v = s.resources[1];
        assert.equal(v.inputs.bucket, UNKNOWN);
        assert.equal(v.outputs.bucket, UNKNOWN);
        assert.deepEqual(v.propertyDependencies.bucket, [urn(BUCKET, "kept")]);
    });
    it("treats a masked [secret] as an unknown secret", () => {
        assert.equal(s.resources[2].inputs.secretString, UNKNOWN);
        assert.deepEqual(s.resources[2].secretProperties, ["secretString"]);
    });
});

describe("readers: unrecognised input", () => {
    it("rejects invalid JSON", () => {
        assert.throws(
            () => parseSnapshotDocument("{", "x.json"),
            (e: Error) => e instanceof InputError && /x\.json is not valid JSON/.test(e.message),
        );
    });
    it("rejects JSON that is none of the known documents, naming what it expects", () => {
        assert.throws(
            () => parseSnapshotDocument('{"hello":1}'),
            (e: Error) => e instanceof InputError && /pulumi stack export.*pulumi preview --json/.test(e.message),
        );
        assert.throws(() => parseSnapshotDocument("[1,2]"), InputError);
    });
    it("rejects a resource without a URN", () => {
        assert.throws(() => parseSnapshotDocument(stackExport([{ type: BUCKET }])), /needs a string urn and type/);
    });
    it("reads a StackSnapshot document", () => {
        const s = parseSnapshotDocument(
            JSON.stringify({
                project: "p",
                stack: "dev",
                preview: true,
                resources: [
                    {
                        urn: urn(BUCKET, "b", "dev"),
                        type: BUCKET,
                        name: "b",
                        custom: true,
                        inputs: {},
                        outputs: {},
                        dependencies: [],
                        propertyDependencies: {},
                    },
                ],
            }),
        );
        assert.equal(s.stack, "dev");
        assert.equal(s.resources[0].name, "b");
    });
});
