import { strict as assert } from "assert";
import { ecrImmutableTags, ecrScanOnPush, kmsKeyRotation, logGroupKmsEncryption, logGroupRetention } from "../policies";
import { check, KEY_ARN, mandatory, resource, T, UNKNOWN } from "./harness";

describe("kms-key-rotation", () => {
    it("reports no violation when rotation is enabled", async () => {
        assert.deepEqual(await check(kmsKeyRotation, [resource(T.kmsKey, "k", { enableKeyRotation: true })]), []);
    });
    it("reports a violation when rotation is not enabled", async () => {
        const vs = await check(kmsKeyRotation, [resource(T.kmsKey, "k", { description: "x" })]);
        assert.equal(mandatory(vs).length, 1);
        assert.match(vs[0].message, /must have automatic key rotation enabled/);
    });
    it("reports no violation for an asymmetric key, which AWS can't rotate", async () => {
        assert.deepEqual(
            await check(kmsKeyRotation, [
                resource(T.kmsKey, "k", { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }),
            ]),
            [],
        );
    });
});

describe("log-group-retention", () => {
    it("reports no violation for 30 days", async () => {
        assert.deepEqual(await check(logGroupRetention, [resource(T.logGroup, "lg", { retentionInDays: 30 })]), []);
    });
    it("reports no violation when logs never expire", async () => {
        assert.deepEqual(await check(logGroupRetention, [resource(T.logGroup, "lg", {})]), []);
    });
    it("reports a violation for 7 days", async () => {
        const vs = await check(logGroupRetention, [resource(T.logGroup, "lg", { retentionInDays: 7 })]);
        assert.match(mandatory(vs)[0].message, /at least 30 days \(retentionInDays is 7\)/);
    });
    it("reports a violation for 30 days when the config asks for 90", async () => {
        assert.equal(
            mandatory(
                await check(logGroupRetention, [resource(T.logGroup, "lg", { retentionInDays: 30 })], {
                    config: { minRetentionDays: 90 },
                }),
            ).length,
            1,
        );
    });
});

describe("log-group-kms-encryption", () => {
    it("reports no violation when a KMS key is set, even one not known until the key exists", async () => {
        assert.deepEqual(
            await check(
                logGroupKmsEncryption,
                [resource(T.logGroup, "a", { kmsKeyId: KEY_ARN }), resource(T.logGroup, "b", { kmsKeyId: UNKNOWN })],
                { preview: true },
            ),
            [],
        );
    });
    it("reports a violation when no KMS key is set", async () => {
        assert.equal(
            mandatory(await check(logGroupKmsEncryption, [resource(T.logGroup, "lg", { retentionInDays: 30 })])).length,
            1,
        );
    });
});

describe("ecr-scan-on-push", () => {
    it("reports no violation when scanOnPush is true", async () => {
        assert.deepEqual(
            await check(ecrScanOnPush, [resource(T.ecr, "r", { imageScanningConfiguration: { scanOnPush: true } })]),
            [],
        );
    });
    it("reports a violation when scanning is off", async () => {
        assert.equal(
            mandatory(
                await check(ecrScanOnPush, [
                    resource(T.ecr, "r", { imageScanningConfiguration: { scanOnPush: false } }),
                ]),
            ).length,
            1,
        );
    });
    it("reports a violation for an awsx.ecr.Repository component without scanning", async () => {
        assert.equal(mandatory(await check(ecrScanOnPush, [resource("awsx:ecr:Repository", "r", {})])).length, 1);
    });
});

describe("ecr-immutable-tags", () => {
    it("reports no violation for IMMUTABLE tags", async () => {
        assert.deepEqual(
            await check(ecrImmutableTags, [resource(T.ecr, "r", { imageTagMutability: "IMMUTABLE" })]),
            [],
        );
    });
    it("reports a violation for mutable tags (the default)", async () => {
        const vs = await check(ecrImmutableTags, [resource(T.ecr, "r", {})]);
        assert.match(mandatory(vs)[0].message, /must use immutable image tags/);
    });
});
