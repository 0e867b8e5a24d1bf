import { strict as assert } from "assert";
import {
    s3BucketAccessLogging,
    s3BucketKmsEncryption,
    s3BucketPublicAccessBlock,
    s3BucketTlsOnly,
    s3BucketVersioning,
    s3NoPublicAccess,
    s3ProductionMfaDelete,
    s3ResultsObjectLock,
    s3SourceUploadsExpire,
} from "../policies";
import {
    advisory,
    bucketSet,
    check,
    mandatory,
    resource,
    T,
    tlsOnlyPolicy,
    unknownAdvisories,
    UNKNOWN,
} from "./harness";
import { withProps } from "../../tools/policy/snapshot-builder";

describe("s3-bucket-tls-only", () => {
    it("reports no violation when a BucketPolicy denies requests without TLS (state, matched by bucket name)", async () => {
        assert.deepEqual(await check(s3BucketTlsOnly, bucketSet("data").all()), []);
    });
    it("reports no violation when the bucket's inline policy denies requests without TLS", async () => {
        const b = resource(T.bucket, "inline", { bucket: "inline-b", policy: tlsOnlyPolicy("inline-b") });
        assert.deepEqual(await check(s3BucketTlsOnly, [b]), []);
    });
    it("reports a violation when the bucket has no bucket policy", async () => {
        const s = bucketSet("data");
        const vs = await check(
            s3BucketTlsOnly,
            s.all().filter((r) => r !== s.policy),
        );
        assert.equal(mandatory(vs).length, 1);
        assert.equal(vs[0].urn, s.bucket.urn);
        assert.match(vs[0].message, /must have a bucket policy with a Deny statement/);
    });
    it("reports a violation when the policy's Deny lacks the aws:SecureTransport condition", async () => {
        const s = bucketSet("data");
        const doc = JSON.parse(tlsOnlyPolicy("x")) as { Statement: { Condition?: unknown }[] };
        doc.Statement[0].Condition = { Bool: { "aws:SecureTransport": "true" } };
        const vs = await check(
            s3BucketTlsOnly,
            s.all().map((r) => (r === s.policy ? withProps(r, { policy: JSON.stringify(doc) }) : r)),
        );
        assert.equal(mandatory(vs).length, 1);
    });
    it("reports a violation when the only TLS policy belongs to another bucket", async () => {
        const a = bucketSet("a"),
            b = bucketSet("b");
        const vs = await check(s3BucketTlsOnly, [...a.all(), ...b.all().filter((r) => r !== b.policy)]);
        assert.deepEqual(
            mandatory(vs).map((v) => v.urn),
            [b.bucket.urn],
        );
    });
    it("reports the engine's advisory, not a pass, when the linked policy document is unknown at preview", async () => {
        const vs = await check(s3BucketTlsOnly, bucketSet("data", { preview: true }).all(), { preview: true });
        assert.equal(mandatory(vs).length, 0);
        assert.equal(unknownAdvisories(vs).length, 1);
        assert.match(
            vs[0].message,
            /^can't run policy 's3-bucket-tls-only' from policy pack 'atx-security@v0\.1\.0' during preview: string value at \.policy can't be known during preview$/,
        );
    });
});

describe("s3-bucket-kms-encryption", () => {
    it("reports no violation when default encryption is aws:kms with a key (state)", async () => {
        assert.deepEqual(await check(s3BucketKmsEncryption, bucketSet("data").all()), []);
    });
    it("reports no violation at preview when the encryption resource is linked only by propertyDependencies", async () => {
        assert.deepEqual(
            await check(s3BucketKmsEncryption, bucketSet("data", { preview: true }).all(), { preview: true }),
            [],
        );
    });
    it("reports a violation when a bucket that is not exempt uses AES256", async () => {
        const vs = await check(s3BucketKmsEncryption, bucketSet("data", { sseAlgorithm: "AES256" }).all());
        assert.equal(mandatory(vs).length, 1);
        assert.match(vs[0].message, /must have default encryption with aws:kms/);
    });
    it("reports no violation when a bucket exempted by its tag uses AES256", async () => {
        const logs = bucketSet("storage-logs", { sseAlgorithm: "AES256", exemptions: "s3-bucket-kms-encryption" });
        assert.deepEqual(await check(s3BucketKmsEncryption, logs.all()), []);
    });
    it("does not exempt a bucket by its name, nor by a tag naming another rule", async () => {
        for (const exemptions of [undefined, "s3-bucket-access-logging"]) {
            const logs = bucketSet("storage-access-logs", { sseAlgorithm: "AES256", exemptions });
            assert.equal(mandatory(await check(s3BucketKmsEncryption, logs.all())).length, 1, String(exemptions));
        }
    });
    it("reports a violation naming the exemption when an exempt bucket has no default encryption", async () => {
        const s = bucketSet("storage-logs", { exemptions: "s3-bucket-access-logging s3-bucket-kms-encryption" });
        const vs = await check(
            s3BucketKmsEncryption,
            s.all().filter((r) => r !== s.sse),
        );
        assert.equal(vs.length, 1);
        assert.match(vs[0].message, /exempt from KMS by its atx:policy-exemptions tag/);
    });
    it("accepts an exemption named in the pack config", async () => {
        const vs = await check(s3BucketKmsEncryption, bucketSet("legacy-import", { sseAlgorithm: "AES256" }).all(), {
            config: { kmsExemptBuckets: ["legacy-*"] },
        });
        assert.deepEqual(vs, []);
    });
    it("reports a violation when aws:kms names no key", async () => {
        const s = bucketSet("data");
        const sse = withProps(s.sse, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] });
        const vs = await check(
            s3BucketKmsEncryption,
            s.all().map((r) => (r === s.sse ? sse : r)),
        );
        assert.equal(mandatory(vs).length, 1);
    });
});

describe("s3-bucket-versioning", () => {
    it("reports no violation when a BucketVersioning enables versioning", async () => {
        assert.deepEqual(
            await check(s3BucketVersioning, bucketSet("data", { preview: true }).all(), { preview: true }),
            [],
        );
    });
    it("reports no violation when versioning is enabled inline", async () => {
        assert.deepEqual(
            await check(s3BucketVersioning, [resource(T.bucket, "b", { versioning: { enabled: true } })]),
            [],
        );
    });
    it("reports a violation when versioning is Suspended", async () => {
        const s = bucketSet("data");
        const vs = await check(
            s3BucketVersioning,
            s
                .all()
                .map((r) =>
                    r === s.versioning ? withProps(r, { versioningConfiguration: { status: "Suspended" } }) : r,
                ),
        );
        assert.equal(mandatory(vs).length, 1);
        assert.match(vs[0].message, /must have versioning enabled/);
    });
    it("reports a violation when no versioning resource exists", async () => {
        const s = bucketSet("data", { preview: true });
        const vs = await check(
            s3BucketVersioning,
            s.all().filter((r) => r !== s.versioning),
            { preview: true },
        );
        assert.equal(mandatory(vs).length, 1);
    });
    it("reports the engine's advisory when a candidate's bucket is unknown and has no propertyDependencies", async () => {
        const s = bucketSet("data", { preview: true });
        const orphan = resource(T.versioning, "orphan", {
            bucket: UNKNOWN,
            versioningConfiguration: { status: "Enabled" },
        });
        const vs = await check(s3BucketVersioning, [s.bucket, orphan], { preview: true });
        assert.equal(mandatory(vs).length, 0);
        assert.equal(unknownAdvisories(vs).length, 1);
    });
});

describe("s3-bucket-public-access-block", () => {
    it("reports no violation when all four settings are true", async () => {
        assert.deepEqual(await check(s3BucketPublicAccessBlock, bucketSet("data").all()), []);
    });
    it("reports a violation when one setting is false", async () => {
        const s = bucketSet("data");
        const vs = await check(
            s3BucketPublicAccessBlock,
            s.all().map((r) => (r === s.pab ? withProps(r, { restrictPublicBuckets: false }) : r)),
        );
        assert.equal(mandatory(vs).length, 1);
        assert.match(vs[0].message, /blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets/);
    });
    it("reports a violation when there is no public access block", async () => {
        const s = bucketSet("data");
        assert.equal(
            mandatory(
                await check(
                    s3BucketPublicAccessBlock,
                    s.all().filter((r) => r !== s.pab),
                ),
            ).length,
            1,
        );
    });
});

describe("s3-bucket-access-logging", () => {
    it("reports no violation when a BucketLogging names a target bucket", async () => {
        assert.deepEqual(await check(s3BucketAccessLogging, bucketSet("data").all()), []);
    });
    it("reports no violation for the log target bucket exempted by its tag", async () => {
        const logs = bucketSet("storage-logs", { logTarget: "", exemptions: "s3-bucket-access-logging" });
        assert.deepEqual(await check(s3BucketAccessLogging, logs.all()), []);
    });
    it("does not exempt a log target by its name", async () => {
        const vs = await check(s3BucketAccessLogging, bucketSet("storage-logs", { logTarget: "" }).all());
        assert.equal(mandatory(vs).length, 1);
    });
    it("reports a violation when a bucket has no access logging", async () => {
        const vs = await check(s3BucketAccessLogging, bucketSet("data", { logTarget: "" }).all());
        assert.equal(mandatory(vs).length, 1);
        assert.match(vs[0].message, /server access logging/);
    });
});

describe("s3-source-uploads-expire", () => {
    it("reports no violation when the source bucket expires uploads/ within 7 days", async () => {
        assert.deepEqual(await check(s3SourceUploadsExpire, bucketSet("storage-source").all()), []);
    });
    it("reports a violation when uploads expire after 30 days", async () => {
        const vs = await check(s3SourceUploadsExpire, bucketSet("storage-source", { expireUploadsDays: 30 }).all());
        assert.equal(mandatory(vs).length, 1);
        assert.match(vs[0].message, /expiring objects under 'uploads\/' within 7 days/);
    });
    it("reports a violation when the expiring rule covers another prefix", async () => {
        const s = bucketSet("storage-source");
        const lifecycle = withProps(s.lifecycle, {
            rules: [{ id: "x", status: "Enabled", filter: { prefix: "results/" }, expiration: { days: 1 } }],
        });
        assert.equal(
            mandatory(
                await check(
                    s3SourceUploadsExpire,
                    s.all().map((r) => (r === s.lifecycle ? lifecycle : r)),
                ),
            ).length,
            1,
        );
    });
    it("reports a violation when no bucket matches sourceBuckets", async () => {
        const vs = await check(s3SourceUploadsExpire, bucketSet("data").all());
        assert.equal(vs.length, 1);
        assert.equal(vs[0].urn, "");
        assert.match(vs[0].message, /A source bucket matching sourceBuckets/);
    });
    it("reports no violation when the configured limit allows the rule's 30 days", async () => {
        assert.deepEqual(
            await check(s3SourceUploadsExpire, bucketSet("storage-source", { expireUploadsDays: 30 }).all(), {
                config: { maxUploadAgeDays: 30 },
            }),
            [],
        );
    });
});

describe("s3-no-public-acl-or-policy", () => {
    const publicPolicy = (condition?: object) =>
        JSON.stringify({
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { AWS: "*" },
                    Action: "s3:GetObject",
                    Resource: "arn:aws:s3:::b/*",
                    ...(condition ? { Condition: condition } : {}),
                },
            ],
        });
    it("reports no violation for private buckets and TLS-only policies", async () => {
        assert.deepEqual(await check(s3NoPublicAccess, bucketSet("data").all()), []);
    });
    it("reports a violation when a bucket uses a public canned ACL", async () => {
        const vs = await check(s3NoPublicAccess, [resource(T.bucket, "b", { acl: "public-read" })]);
        assert.equal(mandatory(vs).length, 1);
        assert.match(vs[0].message, /public canned ACL 'public-read'/);
    });
    it("reports a violation when a BucketAcl grants AllUsers", async () => {
        const acl = resource(T.acl, "acl", {
            bucket: "b",
            accessControlPolicy: {
                grants: [
                    {
                        grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" },
                        permission: "READ",
                    },
                ],
            },
        });
        assert.equal(mandatory(await check(s3NoPublicAccess, [acl])).length, 1);
    });
    it("reports a violation when a BucketPolicy allows everyone without a condition", async () => {
        assert.equal(
            mandatory(await check(s3NoPublicAccess, [resource(T.policy, "p", { bucket: "b", policy: publicPolicy() })]))
                .length,
            1,
        );
    });
    it("reports no violation when an allow-everyone statement is pinned by aws:SourceAccount", async () => {
        assert.deepEqual(
            await check(s3NoPublicAccess, [
                resource(T.policy, "p", {
                    bucket: "b",
                    policy: publicPolicy({ StringEquals: { "aws:SourceAccount": "123456789012" } }),
                }),
            ]),
            [],
        );
    });
});

describe("s3-results-object-lock", () => {
    it("reports no violation when the output bucket has an object lock configuration", async () => {
        const s = bucketSet("storage-output");
        const lock = resource(T.objectLock, "lock", {
            bucket: "atx-storage-output-123456789012",
            rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } },
        });
        assert.deepEqual(await check(s3ResultsObjectLock, [...s.all(), lock]), []);
    });
    it("reports an advisory violation when the output bucket has no object lock", async () => {
        const vs = await check(s3ResultsObjectLock, bucketSet("storage-output").all());
        assert.equal(advisory(vs).length, 1);
        assert.equal(mandatory(vs).length, 0);
    });
});

describe("s3-production-mfa-delete", () => {
    it("reports no violation outside production stacks", async () => {
        assert.deepEqual(
            await check(s3ProductionMfaDelete, bucketSet("data", { stack: "dev" }).all(), { stack: "dev" }),
            [],
        );
    });
    it("reports an advisory violation in prod when versioning has no MFA delete", async () => {
        const vs = await check(s3ProductionMfaDelete, bucketSet("data", { stack: "prod" }).all(), { stack: "prod" });
        assert.equal(advisory(vs).length, 1);
    });
});
