import { strict as assert } from "assert";
import {
    CreateBucketCommand,
    DeleteObjectCommand,
    GetObjectCommand,
    PutBucketVersioningCommand,
    PutObjectCommand,
    S3Client,
} from "@aws-sdk/client-s3";
import { startMoto, type MotoServer } from "../api/local/moto";
import { EXIT, main, parseArgs, restore, type RestoreArgs } from "../tools/restore/cli";
import { type ObjectVersion, planRestore } from "../tools/restore/plan";

const at = (iso: string) => new Date(iso);
const version = (versionId: string, iso: string, extra: Partial<ObjectVersion> = {}): ObjectVersion => ({
    versionId,
    lastModified: at(iso),
    isDeleteMarker: false,
    isLatest: false,
    ...extra,
});

describe("restore plan", () => {
    const source = [
        version("v1", "2026-12-01T10:00:00Z"),
        version("v2", "2026-12-01T11:00:00Z"),
        version("d1", "2026-12-01T12:00:00Z", { isDeleteMarker: true, isLatest: true }),
    ];

    it("undeletes: the newest version that is not a delete marker", () => {
        assert.deepEqual(planRestore(source, undefined, { latestLive: true }), {
            action: "restore",
            from: "source",
            versionId: "v2",
        });
    });

    it("picks a version by id, or the one current before a time", () => {
        assert.deepEqual(planRestore(source, undefined, { versionId: "v1" }), {
            action: "restore",
            from: "source",
            versionId: "v1",
        });
        assert.deepEqual(planRestore(source, undefined, { before: at("2026-12-01T10:30:00Z") }), {
            action: "restore",
            from: "source",
            versionId: "v1",
        });
    });

    it("says there is nothing to do when the version is already current", () => {
        const live = [version("v1", "2026-12-01T10:00:00Z", { isLatest: true })];
        assert.equal(planRestore(live, undefined, { versionId: "v1" }).action, "none");
    });

    it("falls back to the replica when the source no longer has the version", () => {
        const replica = [version("v0", "2026-12-01T09:00:00Z"), ...source];
        assert.deepEqual(planRestore(source, replica, { versionId: "v0" }), {
            action: "restore",
            from: "replica",
            versionId: "v0",
        });
        assert.deepEqual(planRestore(source.slice(1), replica, { before: at("2026-12-01T10:30:00Z") }), {
            action: "restore",
            from: "replica",
            versionId: "v1",
        });
    });

    it("reports a missing version, and a time at which the object was deleted, as missing", () => {
        assert.equal(planRestore(source, [], { versionId: "nope" }).action, "missing");
        assert.match(
            (planRestore(source, undefined, { versionId: "nope" }) as { reason: string }).reason,
            /no replica configured/,
        );
        assert.equal(planRestore(source, undefined, { before: at("2026-12-01T12:30:00Z") }).action, "missing");
        assert.equal(planRestore(source, undefined, { before: at("2026-12-01T09:00:00Z") }).action, "missing");
        assert.equal(planRestore([], undefined, { versionId: "d1" }).action, "missing");
    });
});

/** The parsed arguments of a command line that does not ask for help. */
function restoreArgs(argv: readonly string[]): RestoreArgs {
    const args = parseArgs(argv);
    assert.notEqual(args, "help");
    return args as RestoreArgs;
}

describe("restore arguments", () => {
    it("answers --help with its help", () => {
        assert.equal(parseArgs(["--stack", "prod", "--help"]), "help");
    });

    it("reads the stack, key and one selector", () => {
        assert.deepEqual(parseArgs(["--stack", "prod", "--key", "transformations/a/b.txt"]), {
            stack: "prod",
            key: "transformations/a/b.txt",
            selector: { latestLive: true },
            dryRun: false,
        });
        assert.deepEqual(restoreArgs(["--stack", "prod", "--key", "k", "--version-id", "v1", "--dry-run"]).selector, {
            versionId: "v1",
        });
        assert.deepEqual(restoreArgs(["--stack", "prod", "--key", "k", "--before", "2026-12-01T10:00:00Z"]).selector, {
            before: at("2026-12-01T10:00:00Z"),
        });
    });

    for (const [why, argv] of [
        ["no key", ["--stack", "prod"]],
        ["both selectors", ["--stack", "prod", "--key", "k", "--version-id", "v", "--before", "2026-12-01T00:00:00Z"]],
        ["a bad time", ["--stack", "prod", "--key", "k", "--before", "yesterday"]],
        ["an unknown flag", ["--stack", "prod", "--key", "k", "--force"]],
        ["a missing value", ["--stack", "prod", "--key"]],
        ["an unknown stack", ["--stack", "nosuch", "--key", "k"]],
    ] as const) {
        it(`exits 2 on ${why}`, async () => {
            const errors: string[] = [];
            const original = console.error;
            console.error = (line: string) => errors.push(line);
            try {
                assert.equal(await main(argv), EXIT.usage);
            } finally {
                console.error = original;
            }
            assert.match(errors.join("\n"), /restore: .*\n.*usage: npm run restore/s);
        });
    }
});

describe("npm run restore against moto (prod: output bucket replicated to us-west-2)", function () {
    this.timeout(120_000);
    const OUTPUT = "atx-custom-output-123456789012";
    const REPLICA = "atx-custom-output-replica-123456789012";
    const KEY = "transformations/billing/conv-1/code/App.java";
    let moto: MotoServer;
    const client = (region: string) =>
        new S3Client({
            region,
            endpoint: moto.url,
            forcePathStyle: true,
            credentials: { accessKeyId: "test", secretAccessKey: "test" },
        });
    const east = () => client("us-east-1");
    const west = () => client("us-west-2");
    const body = async (bucket = OUTPUT, s3 = east()) =>
        (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: KEY }))).Body!.transformToString();
    const run = async (argv: string[]) => {
        const lines: string[] = [];
        const code = await restore(
            restoreArgs(["--stack", "prod", "--key", KEY, ...argv]),
            (l) => lines.push(l),
            client,
        );
        return { code, out: lines.join("\n") };
    };
    /** Writes to the output bucket and, as S3 replication would, to the replica. */
    const write = async (text: string) => {
        const put = await east().send(new PutObjectCommand({ Bucket: OUTPUT, Key: KEY, Body: text }));
        await west().send(new PutObjectCommand({ Bucket: REPLICA, Key: KEY, Body: text }));
        return put.VersionId!;
    };
    const tick = () => new Promise((r) => setTimeout(r, 1100));

    let v1: string;
    let afterV1: Date;

    before(async () => {
        moto = await startMoto();
        for (const [s3, bucket, region] of [
            [east(), OUTPUT, undefined],
            [west(), REPLICA, "us-west-2"],
        ] as const) {
            await s3.send(
                new CreateBucketCommand({
                    Bucket: bucket,
                    ...(region ? { CreateBucketConfiguration: { LocationConstraint: region } } : {}),
                }),
            );
            await s3.send(
                new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }),
            );
        }
        v1 = await write("version one");
        await tick();
        afterV1 = new Date();
        await tick();
        await write("version two");
        await east().send(new DeleteObjectCommand({ Bucket: OUTPUT, Key: KEY }));
    });
    after(async () => moto?.stop());

    it("undeletes: brings back the newest version after a delete", async () => {
        const r = await run([]);
        assert.equal(r.code, EXIT.ok, r.out);
        assert.equal(await body(), "version two");
    });

    it("restores a noncurrent version by id", async () => {
        const r = await run(["--version-id", v1]);
        assert.equal(r.code, EXIT.ok, r.out);
        assert.match(r.out, new RegExp(`s3://${OUTPUT}/.* version ${v1} ->`));
        assert.equal(await body(), "version one");
    });

    it("changes nothing on a dry run", async () => {
        await write("version three");
        const r = await run(["--before", afterV1.toISOString(), "--dry-run"]);
        assert.equal(r.code, EXIT.ok);
        assert.match(r.out, /would copy/);
        assert.equal(await body(), "version three");
    });

    it("restores from the replica when the source version is gone", async () => {
        await east().send(new DeleteObjectCommand({ Bucket: OUTPUT, Key: KEY, VersionId: v1 }));
        const r = await run(["--before", afterV1.toISOString()]);
        assert.equal(r.code, EXIT.ok, r.out);
        assert.match(r.out, new RegExp(`s3://${REPLICA}/`));
        assert.equal(await body(), "version one");
    });

    it("exits 4 when neither bucket has the version, and changes nothing", async () => {
        const before = await body();
        const r = await run(["--version-id", "no-such-version"]);
        assert.equal(r.code, EXIT.missing);
        assert.match(r.out, /neither the output bucket or its replica has version no-such-version/);
        assert.equal(await body(), before);
    });
});
