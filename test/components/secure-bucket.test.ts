import type * as aws from "@pulumi/aws";
import * as assert from "assert";
import { SecureBucket } from "../../components/secure-bucket";
import { componentResources, inputsOf, type ResourceTree, statementsOf, testContext } from "../support/mocks";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";

/** The rules of the bucket's one lifecycle configuration. */
function lifecycleRulesOf(tree: ResourceTree) {
    const lifecycle = tree.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
    return inputsOf<aws.s3.BucketLifecycleConfigurationArgs>(lifecycle).rules ?? [];
}

/** The rules of the bucket's default-encryption configuration. */
function encryptionRulesOf(tree: ResourceTree) {
    const encryption = tree.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    );
    return inputsOf<aws.s3.BucketServerSideEncryptionConfigurationArgs>(encryption).rules;
}

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
        const block = inputsOf<aws.s3.BucketPublicAccessBlockArgs>(
            tree.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"),
        );
        assert.deepStrictEqual(
            [block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets],
            [true, true, true, true],
        );
        assert.strictEqual(
            inputsOf<aws.s3.BucketOwnershipControlsArgs>(
                tree.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls"),
            ).rule.objectOwnership,
            "BucketOwnerEnforced",
        );
        assert.strictEqual(block.bucket, "sb-public-bucket");
    });

    it("encrypts with the given KMS key and a bucket key by default", async () => {
        const tree = await build("sb-kms");
        const [rule] = encryptionRulesOf(tree);
        assert.deepStrictEqual(rule, {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN },
            bucketKeyEnabled: true,
        });
    });

    it("falls back to SSE-S3 only when a reason is given, and then does not demand KMS uploads", async () => {
        const tree = await build("sb-sse-s3", { encryption: { sseS3Reason: "log delivery" } });
        const [rule] = encryptionRulesOf(tree);
        assert.deepStrictEqual(rule, { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } });
        const sids = statementsOf(tree.one("aws:s3/bucketPolicy:BucketPolicy"), "policy").map((s) => s.Sid);
        assert.ok(!sids.includes("DenyUploadsNotEncryptedWithKms"));
    });

    it("names its deliberate exemptions from the policy pack in a tag, and only those", async () => {
        const tagOf = async (name: string, extra: Partial<ConstructorParameters<typeof SecureBucket>[1]>) =>
            inputsOf<aws.s3.BucketArgs>((await build(name, extra)).one("aws:s3/bucket:Bucket")).tags?.[
                "atx:policy-exemptions"
            ];
        assert.strictEqual(await tagOf("sb-plain", {}), undefined);
        assert.strictEqual(
            await tagOf("sb-log-target", { encryption: { sseS3Reason: "log delivery" }, accessLogs: undefined }),
            "s3-bucket-kms-encryption s3-bucket-access-logging",
        );
        assert.strictEqual(await tagOf("sb-unlogged", { accessLogs: undefined }), "s3-bucket-access-logging");
    });

    it("denies every request without TLS (and below TLS 1.2) on the bucket and its objects", async () => {
        const tree = await build("sb-tls");
        const statements = statementsOf(tree.one("aws:s3/bucketPolicy:BucketPolicy"), "policy");
        const insecure = statements.find((s) => s.Sid === "DenyInsecureTransport");
        assert.deepStrictEqual(insecure, {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::sb-tls-bucket", "arn:aws:s3:::sb-tls-bucket/*"],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        });
        const oldTls = statements.find((s) => s.Sid === "DenyTlsOlderThan12");
        assert.deepStrictEqual(oldTls?.Condition, { NumericLessThan: { "s3:TlsVersion": "1.2" } });
        assert.strictEqual(statements.filter((s) => s.Effect === "Allow").length, 0, "no Allow statement by default");
    });

    it("enables versioning and logs server access to the log bucket", async () => {
        const tree = await build("sb-versioning");
        assert.strictEqual(
            inputsOf<aws.s3.BucketVersioningArgs>(tree.one("aws:s3/bucketVersioning:BucketVersioning"))
                .versioningConfiguration.status,
            "Enabled",
        );
        const logging = inputsOf<aws.s3.BucketLoggingArgs>(tree.one("aws:s3/bucketLogging:BucketLogging"));
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
        const rules = lifecycleRulesOf(tree);
        const byId = Object.fromEntries(rules.map((r) => [r.id, r]));
        assert.deepStrictEqual(byId["abort-incomplete-multipart-uploads"].abortIncompleteMultipartUpload, {
            daysAfterInitiation: 7,
        });
        assert.deepStrictEqual(byId["expire-noncurrent-versions"].noncurrentVersionExpiration, { noncurrentDays: 45 });
        assert.deepStrictEqual(byId["expire-uploads"].filter, { prefix: "uploads/" });
        assert.deepStrictEqual(byId["expire-uploads"].expiration, { days: 7 });
        assert.ok(rules.every((r) => r.status === "Enabled"));
        assert.strictEqual(byId["transition-to-colder-storage"], undefined, "no transition unless asked");
    });

    it("adds Intelligent-Tiering and Object Lock only when switched on", async () => {
        const plain = await build("sb-plain");
        assert.strictEqual(
            plain.ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").length,
            0,
        );
        assert.strictEqual(inputsOf<aws.s3.BucketArgs>(plain.one("aws:s3/bucket:Bucket")).objectLockEnabled, undefined);

        const locked = await build("sb-locked", { objectLockRetentionDays: 30, intelligentTiering: true });
        assert.strictEqual(inputsOf<aws.s3.BucketArgs>(locked.one("aws:s3/bucket:Bucket")).objectLockEnabled, true);
        const lock = inputsOf<aws.s3.BucketObjectLockConfigurationArgs>(
            locked.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"),
        );
        assert.deepStrictEqual(lock.rule?.defaultRetention, { mode: "GOVERNANCE", days: 30 });
        const tiering = lifecycleRulesOf(locked).find((r) => r.id === "transition-to-colder-storage");
        assert.deepStrictEqual(tiering?.transitions, [{ days: 0, storageClass: "INTELLIGENT_TIERING" }]);
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
