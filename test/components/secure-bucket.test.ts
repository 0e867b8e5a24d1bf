import * as assert from "assert";
import { SecureBucket } from "../../components/secure-bucket";
import { componentResources, policyOf, testContext } from "../support/mocks";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";

describe("SecureBucket", () => {
    const build = (name: string, extra: Partial<ConstructorParameters<typeof SecureBucket>[1]> = {}) =>
        componentResources(
            () =>
                new SecureBucket(name, {
                    context: testContext(),
                    bucketName: `${name}-bucket`,
                    encryption: { kmsKeyArn: KEY_ARN },
                    accessLogs: { targetBucket: "log-bucket", targetPrefix: `s3-access/${name}/` },
                    ...extra,
                }),
        );

    it("blocks all public access and enforces bucket-owner object ownership", async () => {
        const tree = await build("sb-public");
        const block = tree.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
        assert.deepStrictEqual(
            [block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets],
            [true, true, true, true],
        );
        assert.strictEqual(
            tree.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule.objectOwnership,
            "BucketOwnerEnforced",
        );
        assert.strictEqual(block.bucket, "sb-public-bucket");
    });

    it("encrypts with the given KMS key and a bucket key by default", async () => {
        const tree = await build("sb-kms");
        const [rule] = tree.one(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        ).inputs.rules;
        assert.deepStrictEqual(rule, {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN },
            bucketKeyEnabled: true,
        });
    });

    it("falls back to SSE-S3 only when a reason is given, and then does not demand KMS uploads", async () => {
        const tree = await build("sb-sse-s3", { encryption: { sseS3Reason: "log delivery" } });
        const [rule] = tree.one(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        ).inputs.rules;
        assert.deepStrictEqual(rule, { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } });
        const sids = policyOf(tree.one("aws:s3/bucketPolicy:BucketPolicy"), "policy").Statement.map((s: any) => s.Sid);
        assert.ok(!sids.includes("DenyUploadsNotEncryptedWithKms"));
    });

    it("names its deliberate exemptions from the policy pack in a tag, and only those", async () => {
        const tagOf = async (name: string, extra: Partial<ConstructorParameters<typeof SecureBucket>[1]>) =>
            (await build(name, extra)).one("aws:s3/bucket:Bucket").inputs.tags?.["atx:policy-exemptions"];
        assert.strictEqual(await tagOf("sb-plain", {}), undefined);
        assert.strictEqual(
            await tagOf("sb-log-target", { encryption: { sseS3Reason: "log delivery" }, accessLogs: undefined }),
            "s3-bucket-kms-encryption s3-bucket-access-logging",
        );
        assert.strictEqual(await tagOf("sb-unlogged", { accessLogs: undefined }), "s3-bucket-access-logging");
    });

    it("denies every request without TLS (and below TLS 1.2) on the bucket and its objects", async () => {
        const tree = await build("sb-tls");
        const policy = policyOf(tree.one("aws:s3/bucketPolicy:BucketPolicy"), "policy");
        const insecure = policy.Statement.find((s: any) => s.Sid === "DenyInsecureTransport");
        assert.deepStrictEqual(insecure, {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::sb-tls-bucket", "arn:aws:s3:::sb-tls-bucket/*"],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        });
        const oldTls = policy.Statement.find((s: any) => s.Sid === "DenyTlsOlderThan12");
        assert.deepStrictEqual(oldTls.Condition, { NumericLessThan: { "s3:TlsVersion": "1.2" } });
        assert.strictEqual(
            policy.Statement.filter((s: any) => s.Effect === "Allow").length,
            0,
            "no Allow statement by default",
        );
    });

    it("enables versioning and logs server access to the log bucket", async () => {
        const tree = await build("sb-versioning");
        assert.strictEqual(
            tree.one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration.status,
            "Enabled",
        );
        const logging = tree.one("aws:s3/bucketLogging:BucketLogging").inputs;
        assert.deepStrictEqual(
            [logging.targetBucket, logging.targetPrefix],
            ["log-bucket", "s3-access/sb-versioning/"],
        );
    });

    it("has lifecycle rules for noncurrent versions, multipart uploads and prefix expirations", async () => {
        const tree = await build("sb-lifecycle", {
            expirations: [{ id: "expire-uploads", prefix: "uploads/", days: 7 }],
            noncurrentVersionExpirationDays: 45,
        });
        const rules = tree.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
        const byId = Object.fromEntries(rules.map((r: any) => [r.id, r]));
        assert.deepStrictEqual(byId["abort-incomplete-multipart-uploads"].abortIncompleteMultipartUpload, {
            daysAfterInitiation: 7,
        });
        assert.deepStrictEqual(byId["expire-noncurrent-versions"].noncurrentVersionExpiration, { noncurrentDays: 45 });
        assert.deepStrictEqual(byId["expire-uploads"].filter, { prefix: "uploads/" });
        assert.deepStrictEqual(byId["expire-uploads"].expiration, { days: 7 });
        assert.ok(rules.every((r: any) => r.status === "Enabled"));
        assert.strictEqual(byId["transition-to-colder-storage"], undefined, "no transition unless asked");
    });

    it("adds Intelligent-Tiering and Object Lock only when switched on", async () => {
        const plain = await build("sb-plain");
        assert.strictEqual(
            plain.ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").length,
            0,
        );
        assert.strictEqual(plain.one("aws:s3/bucket:Bucket").inputs.objectLockEnabled, undefined);

        const locked = await build("sb-locked", { objectLockRetentionDays: 30, intelligentTiering: true });
        assert.strictEqual(locked.one("aws:s3/bucket:Bucket").inputs.objectLockEnabled, true);
        const lock = locked.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs;
        assert.deepStrictEqual(lock.rule.defaultRetention, { mode: "GOVERNANCE", days: 30 });
        const rules = locked.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
        const tiering = rules.find((r: any) => r.id === "transition-to-colder-storage");
        assert.deepStrictEqual(tiering.transitions, [{ days: 0, storageClass: "INTELLIGENT_TIERING" }]);
    });

    it("writes the bucket policy only after the public access block, so the two never race", async () => {
        const tree = await build("sb-order");
        const block = tree.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        assert.ok(tree.one("aws:s3/bucketPolicy:BucketPolicy").dependencies.includes(block.urn));
    });

    it("ties each protection to its bucket through a property dependency", async () => {
        const tree = await build("sb-deps");
        const bucket = tree.one("aws:s3/bucket:Bucket");
        for (const r of tree.resources.filter((x) => x.type !== "aws:s3/bucket:Bucket")) {
            assert.deepStrictEqual(r.propertyDependencies.bucket, [bucket.urn], `${r.name}.bucket`);
        }
    });
});
