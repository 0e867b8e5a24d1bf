import type * as aws from "@pulumi/aws";
import * as assert from "assert";
import { STORAGE_KEY_ARN, storageResources } from "./storage-fixture";
import { inputsOf, jsonStatementsOf, statementsOf } from "../support/mocks";

describe("PlatformStorage replication and inventory", () => {
    it("has no replica unless replicaRegion is set", async () => {
        const tree = await storageResources("-norep");
        assert.strictEqual(tree.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig").length, 0);
        assert.strictEqual(tree.ofType("pulumi:providers:aws").length, 0);
    });

    it("replicates the output bucket to a protected bucket in the other region, re-encrypted with its own key", async () => {
        const tree = await storageResources("-rep", { replicaRegion: "us-west-2", objectLock: true });
        const provider = tree.one("pulumi:providers:aws");
        assert.strictEqual(provider.inputs.region, "us-west-2");
        const replicaBucket = tree
            .ofType("aws:s3/bucket:Bucket")
            .find((b) => b.inputs.bucket === "atx-custom-output-replica-123456789012-rep")!;
        assert.ok(
            replicaBucket.provider?.includes("storage-rep-replica-provider"),
            "replica bucket not in the replica region",
        );
        assert.strictEqual(replicaBucket.inputs.objectLockEnabled, true);
        for (const type of [
            "aws:s3/bucketVersioning:BucketVersioning",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketLogging:BucketLogging",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        ]) {
            assert.ok(
                tree.ofType(type).some((r) => r.inputs.bucket === replicaBucket.inputs.bucket),
                `replica lacks ${type}`,
            );
        }
        const logging = tree
            .ofType("aws:s3/bucketLogging:BucketLogging")
            .find((r) => r.inputs.bucket === replicaBucket.inputs.bucket)!;
        assert.strictEqual(logging.inputs.targetBucket, "atx-custom-logs-us-west-2-123456789012-rep");

        const replication = tree.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig");
        assert.strictEqual(replication.inputs.bucket, "atx-custom-output-123456789012-rep");
        const rule = inputsOf<aws.s3.BucketReplicationConfigArgs>(replication).rules[0];
        assert.strictEqual(rule.sourceSelectionCriteria?.sseKmsEncryptedObjects?.status, "Enabled");
        assert.strictEqual(rule.destination.bucket, "arn:aws:s3:::atx-custom-output-replica-123456789012-rep");
        assert.strictEqual(rule.destination.accessControlTranslation?.owner, "Destination");
        const replicaKey = tree.ofType("aws:kms/key:Key")[0];
        assert.strictEqual(rule.destination.encryptionConfiguration?.replicaKmsKeyId, replicaKey.outputs.arn);
        assert.ok(replicaKey.provider?.includes("storage-rep-replica-provider"));
    });

    it("gives the replication role only what replication of this pair needs", async () => {
        const tree = await storageResources("-role", { replicaRegion: "eu-west-1" });
        const role = tree.one("aws:iam/role:Role");
        assert.deepStrictEqual(statementsOf(role, "assumeRolePolicy")[0].Principal, {
            Service: "s3.amazonaws.com",
        });
        const statements = statementsOf(tree.one("aws:iam/rolePolicy:RolePolicy"), "policy");
        const bySid = Object.fromEntries(statements.map((s) => [s.Sid!, s]));
        assert.deepStrictEqual(Object.keys(bySid).sort(), [
            "DecryptSourceObjectsThroughS3",
            "EncryptReplicasThroughS3",
            "ReadSourceObjectVersions",
            "ReadSourceReplicationConfiguration",
            "WriteReplicas",
        ]);
        assert.deepStrictEqual(bySid.WriteReplicas.Resource, [
            "arn:aws:s3:::atx-custom-output-replica-123456789012-role/*",
        ]);
        assert.deepStrictEqual(bySid.ReadSourceObjectVersions.Resource, [
            "arn:aws:s3:::atx-custom-output-123456789012-role/*",
        ]);
        assert.ok(
            !bySid.ReadSourceObjectVersions.Action.includes("s3:GetObjectRetention"),
            "no Object Lock: no retention read",
        );
        assert.deepStrictEqual(bySid.DecryptSourceObjectsThroughS3.Resource, [STORAGE_KEY_ARN]);
        assert.deepStrictEqual(bySid.DecryptSourceObjectsThroughS3.Condition!.StringEquals, {
            "kms:ViaService": "s3.us-east-1.amazonaws.com",
        });
        assert.deepStrictEqual(bySid.EncryptReplicasThroughS3.Condition!.StringEquals, {
            "kms:ViaService": "s3.eu-west-1.amazonaws.com",
        });
        for (const s of statements) {
            for (const action of s.Action) assert.ok(!action.includes("*"), `wildcard action ${action}`);
            for (const resource of s.Resource!) assert.notStrictEqual(resource, "*");
        }
    });

    it("takes a daily, encrypted inventory of the output and source buckets into the log bucket", async () => {
        const tree = await storageResources("-inv");
        const inventories = tree.ofType("aws:s3/inventory:Inventory");
        assert.deepStrictEqual(inventories.map((i) => inputsOf<aws.s3.InventoryArgs>(i).bucket).sort(), [
            "atx-custom-output-123456789012-inv",
            "atx-custom-source-123456789012-inv",
        ]);
        for (const inventory of inventories) {
            const { schedule, destination: target } = inputsOf<aws.s3.InventoryArgs>(inventory);
            assert.strictEqual(schedule.frequency, "Daily");
            const destination = target.bucket;
            assert.strictEqual(destination.bucketArn, "arn:aws:s3:::atx-custom-logs-123456789012-inv");
            assert.strictEqual(destination.prefix, "inventory");
            assert.strictEqual(destination.format, "Parquet");
            assert.deepStrictEqual(destination.encryption, { sseS3: {} });
        }
        const logPolicy = tree
            .ofType("aws:s3/bucketPolicy:BucketPolicy")
            .find((p) => inputsOf<aws.s3.BucketPolicyArgs>(p).bucket.startsWith("atx-custom-logs-"))!;
        const delivery = statementsOf(logPolicy, "policy").find((s) => s.Sid === "S3InventoryDelivery")!;
        assert.strictEqual(delivery.Resource, "arn:aws:s3:::atx-custom-logs-123456789012-inv/inventory/*");
        assert.deepStrictEqual(delivery.Condition!.ArnLike["aws:SourceArn"], [
            "arn:aws:s3:::atx-custom-output-123456789012-inv",
            "arn:aws:s3:::atx-custom-source-123456789012-inv",
        ]);
    });
});

describe("the replica's key", () => {
    it("lets only the account's principals (S3 acting for the replication role) use it", async () => {
        const tree = await storageResources("-key", { replicaRegion: "us-west-2" });
        const key = tree.one("aws:kms/key:Key");
        assert.strictEqual(key.inputs.enableKeyRotation, true);
        assert.deepStrictEqual(
            jsonStatementsOf(key, "policy").map((s) => s.Sid),
            ["AccountAdministersKeyAndDelegatesToIam"],
        );
    });
});
