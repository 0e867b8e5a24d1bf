import type * as aws from "@pulumi/aws";
import * as assert from "assert";
import { storageResources } from "./storage-fixture";
import { type ResourceRecord } from "../../tools/common/resource-record";
import { inputsOf, statementsOf } from "../support/mocks";

/** The bucket an S3 configuration resource applies to. */
const bucketOf = (record: ResourceRecord): string => inputsOf<{ readonly bucket: string }>(record).bucket;

describe("PlatformStorage", () => {
    it("creates the output, source and access-log buckets with the AWS sample's names", async () => {
        const tree = await storageResources("");
        assert.deepStrictEqual(
            tree
                .ofType("aws:s3/bucket:Bucket")
                .map((b) => inputsOf<aws.s3.BucketArgs>(b).bucket)
                .sort(),
            ["atx-custom-logs-123456789012", "atx-custom-output-123456789012", "atx-custom-source-123456789012"],
        );
    });

    it("encrypts the output and source buckets with KMS and keeps SSE-S3 only for the log bucket", async () => {
        const tree = await storageResources("-kms");
        for (const config of tree.ofType(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        )) {
            const { rules } = inputsOf<aws.s3.BucketServerSideEncryptionConfigurationArgs>(config);
            const algorithm = rules[0].applyServerSideEncryptionByDefault?.sseAlgorithm;
            const bucket = bucketOf(config);
            assert.strictEqual(algorithm, bucket.startsWith("atx-custom-logs-") ? "AES256" : "aws:kms", bucket);
        }
    });

    it("logs both data buckets to the log bucket, each under its own prefix, and lets only S3 logging of this account write there", async () => {
        const tree = await storageResources("-logging");
        const targets = tree
            .ofType("aws:s3/bucketLogging:BucketLogging")
            .map((l) => inputsOf<aws.s3.BucketLoggingArgs>(l))
            .map((l) => [l.bucket, l.targetBucket, l.targetPrefix]);
        assert.deepStrictEqual(targets.sort(), [
            ["atx-custom-output-123456789012-logging", "atx-custom-logs-123456789012-logging", "s3-access/output/"],
            ["atx-custom-source-123456789012-logging", "atx-custom-logs-123456789012-logging", "s3-access/source/"],
        ]);
        const logPolicy = tree
            .ofType("aws:s3/bucketPolicy:BucketPolicy")
            .find((p) => bucketOf(p).startsWith("atx-custom-logs-"))!;
        const delivery = statementsOf(logPolicy, "policy").find((s) => s.Sid === "S3ServerAccessLogDelivery");
        assert.deepStrictEqual(delivery?.Principal, { Service: "logging.s3.amazonaws.com" });
        assert.strictEqual(delivery?.Resource, "arn:aws:s3:::atx-custom-logs-123456789012-logging/s3-access/*");
        assert.deepStrictEqual(delivery?.Condition?.StringEquals, { "aws:SourceAccount": "123456789012" });
    });

    it("expires uploads in the source bucket after the configured days", async () => {
        const tree = await storageResources("-uploads", { sourceUploadExpirationDays: 3 });
        const source = tree
            .ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
            .find((l) => bucketOf(l).startsWith("atx-custom-source-"))!;
        const { rules } = inputsOf<aws.s3.BucketLifecycleConfigurationArgs>(source);
        const rule = rules?.find((r) => r.id === "expire-uploads");
        assert.deepStrictEqual([rule?.filter, rule?.expiration], [{ prefix: "uploads/" }, { days: 3 }]);
    });

    it("locks results only when Object Lock is on", async () => {
        const locked = await storageResources("-locked", { objectLock: true });
        const lock = locked.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration");
        assert.ok(bucketOf(lock).startsWith("atx-custom-output-"));
        assert.strictEqual(
            (await storageResources("-unlocked")).ofType(
                "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
            ).length,
            0,
        );
    });
});
