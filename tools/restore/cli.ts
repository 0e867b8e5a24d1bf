/**
 * npm run restore -- --stack <stack> --key <object key> [--version-id <id> | --before <time>] [--dry-run]
 *
 * Makes an earlier version of a result object current again in the stack's output bucket, by
 * copying it over the key: a noncurrent version of the output bucket, or, when that version is
 * gone, the replica's copy (replicaRegion). Without --version-id or --before it restores the
 * newest version that is not a delete marker (an undelete). Nothing is ever deleted.
 *
 * Exit codes: 0 restored (or nothing to do), 2 invalid arguments or stack configuration, 3 AWS
 * error, 4 no such version in the bucket or its replica. See docs/recovery.md.
 */
import {
    CopyObjectCommand,
    ListBucketsCommand,
    ListObjectVersionsCommand,
    S3Client,
    S3ServiceException,
} from "@aws-sdk/client-s3";
import * as path from "path";
import { ConfigError, parseConfig } from "../../config";
import { bucketName } from "../../components/naming";
import { assembleStackConfig, StackConfigError } from "../preview/stack-config";
import {
    type CommandSpec,
    helpText,
    noPositionals,
    optionValue,
    parseArgs as parseCommandLine,
    usageLine,
    UsageError,
} from "../common/cli";
import { type ObjectVersion, planRestore, type Selector } from "./plan";

export const EXIT = { ok: 0, usage: 2, aws: 3, missing: 4 } as const;

export const RESTORE_COMMAND: CommandSpec = {
    program: "restore",
    name: "npm run restore --",
    summary:
        "Makes an earlier version of a result object current again (from the output bucket, or its replica); deletes nothing.",
    options: [
        { flag: "--stack", value: "NAME", help: "Stack whose output bucket holds the object (required)." },
        { flag: "--key", value: "KEY", help: "Object key, e.g. transformations/app/123/code/pom.xml (required)." },
        { flag: "--version-id", value: "ID", help: "Restore this version." },
        { flag: "--before", value: "TIME", help: "Restore the newest version written before this ISO 8601 time." },
        { flag: "--dry-run", help: "Say what would be restored, change nothing." },
    ],
    exitCodes:
        "0 restored (or nothing to do), 2 invalid arguments or stack configuration, 3 AWS or internal error, 4 no such version.",
};

export interface RestoreArgs {
    readonly stack: string;
    readonly key: string;
    readonly selector: Selector;
    readonly dryRun: boolean;
}

/** The arguments, or `"help"` when help was asked for. */
export function parseArgs(argv: readonly string[]): RestoreArgs | "help" {
    const args = parseCommandLine(RESTORE_COMMAND, argv);
    if (args.help) return "help";
    noPositionals(args);
    const values = new Map([...args.values.keys()].map((k) => [`--${k}`, optionValue(args, k)!]));
    const dryRun = args.values.has("dry-run");
    const stack = values.get("--stack");
    const key = values.get("--key");
    if (stack === undefined || key === undefined) throw new UsageError("--stack and --key are required");
    if (key === "" || key.startsWith("/")) throw new UsageError(`--key must be an object key, got "${key}"`);
    const versionId = values.get("--version-id");
    const before = values.get("--before");
    if (versionId !== undefined && before !== undefined) {
        throw new UsageError("give --version-id or --before, not both");
    }
    let selector: Selector = { latestLive: true };
    if (versionId !== undefined) selector = { versionId };
    if (before !== undefined) {
        const at = new Date(before);
        if (!/^\d{4}-\d{2}-\d{2}/.test(before) || Number.isNaN(at.getTime())) {
            throw new UsageError(`--before must be an ISO 8601 time such as 2026-12-01T10:00:00Z, got "${before}"`);
        }
        selector = { before: at };
    }
    return { stack, key, selector, dryRun };
}

interface Target {
    readonly region: string;
    readonly outputBucketPattern: RegExp;
    /** Region of the output bucket's replica, when the stack replicates. */
    readonly replicaRegion?: string;
    readonly suffix: string;
}

/** Where the stack keeps results, from its configuration (Pulumi.yaml, Pulumi.<stack>.yaml). */
function stackTarget(stack: string): Target {
    const root = path.resolve(__dirname, "..", "..");
    const { project, config } = assembleStackConfig(root, stack);
    const region = config["aws:region"] ?? process.env.AWS_REGION;
    if (region === undefined) throw new UsageError(`stack ${stack} has no aws:region and AWS_REGION is unset`);
    const parsed = parseConfig((k) => config[`${project}:${k}`], stack, project, region);
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return {
        region,
        suffix: parsed.nameSuffix,
        outputBucketPattern: new RegExp(`^${bucketName("output", "(\\d{12})", escape(parsed.nameSuffix))}$`),
        replicaRegion: parsed.replicaRegion,
    };
}

async function listVersions(s3: S3Client, bucket: string, key: string): Promise<ObjectVersion[]> {
    const versions: ObjectVersion[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
        const page = await s3.send(
            new ListObjectVersionsCommand({
                Bucket: bucket,
                Prefix: key,
                KeyMarker: keyMarker,
                VersionIdMarker: versionIdMarker,
            }),
        );
        for (const v of page.Versions ?? []) {
            if (v.Key === key) versions.push(toVersion(v, false));
        }
        for (const m of page.DeleteMarkers ?? []) {
            if (m.Key === key) versions.push(toVersion(m, true));
        }
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker !== undefined);
    return versions;
}

function toVersion(
    v: { VersionId?: string; LastModified?: Date; IsLatest?: boolean },
    isDeleteMarker: boolean,
): ObjectVersion {
    return {
        versionId: v.VersionId ?? "null",
        lastModified: v.LastModified ?? new Date(0),
        isLatest: v.IsLatest ?? false,
        isDeleteMarker,
    };
}

export type Client = (region: string) => S3Client;

const defaultClient: Client = (region) =>
    new S3Client({ region, forcePathStyle: process.env.AWS_S3_FORCE_PATH_STYLE === "true" });

/** Runs a restore; returns the exit code and writes what it did (or would do) to `log`. */
export async function restore(args: RestoreArgs, log: (line: string) => void, client = defaultClient): Promise<number> {
    const target = stackTarget(args.stack);
    const s3 = client(target.region);
    const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets ?? [];
    const output = buckets.map((b) => b.Name ?? "").filter((n) => target.outputBucketPattern.test(n));
    if (output.length !== 1) {
        log(`restore: expected one output bucket matching ${target.outputBucketPattern}, found ${output.length}`);
        return EXIT.usage;
    }
    const outputBucket = output[0];
    const account = target.outputBucketPattern.exec(outputBucket)![1];
    const replicaBucket =
        target.replicaRegion === undefined ? undefined : bucketName("output-replica", account, target.suffix);

    const sourceVersions = await listVersions(s3, outputBucket, args.key);
    const replicaVersions =
        replicaBucket === undefined
            ? undefined
            : await listVersions(client(target.replicaRegion!), replicaBucket, args.key);
    const plan = planRestore(sourceVersions, replicaVersions, args.selector);
    if (plan.action === "none") {
        log(`restore: nothing to do: ${plan.reason}`);
        return EXIT.ok;
    }
    if (plan.action === "missing") {
        log(`restore: s3://${outputBucket}/${args.key}: ${plan.reason}`);
        return EXIT.missing;
    }
    const fromBucket = plan.from === "source" ? outputBucket : replicaBucket!;
    const what = `s3://${fromBucket}/${args.key} version ${plan.versionId} -> s3://${outputBucket}/${args.key}`;
    if (args.dryRun) {
        log(`restore: would copy ${what}`);
        return EXIT.ok;
    }
    const copied = await s3.send(
        new CopyObjectCommand({
            Bucket: outputBucket,
            Key: args.key,
            CopySource: `${fromBucket}/${encodeURIComponent(args.key).replace(/%2F/g, "/")}?versionId=${encodeURIComponent(plan.versionId)}`,
            MetadataDirective: "COPY",
            ServerSideEncryption: "aws:kms",
        }),
    );
    log(`restore: copied ${what} (new current version ${copied.VersionId ?? "unknown"})`);
    return EXIT.ok;
}

export async function main(argv: readonly string[]): Promise<number> {
    try {
        const args = parseArgs(argv);
        if (args === "help") {
            process.stdout.write(helpText(RESTORE_COMMAND));
            return EXIT.ok;
        }
        return await restore(args, (line) => console.log(line));
    } catch (error) {
        if (error instanceof UsageError || error instanceof StackConfigError || error instanceof ConfigError) {
            console.error(`restore: ${error.message}\n${usageLine(RESTORE_COMMAND)}`);
            return EXIT.usage;
        }
        if (error instanceof S3ServiceException) {
            console.error(`restore: AWS error ${error.name}: ${error.message}`);
            return EXIT.aws;
        }
        throw error;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error) => {
            console.error(`restore: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(EXIT.aws);
        },
    );
}
