import { strict as assert } from "assert";
import { type ResourceRecord } from "../../tools/common/resource-record";
import { s3ReplicaAsProtectedAsSource } from "../policies";
import { bucketSet, type BucketSet, check, mandatory, resource, unknownAdvisories, UNKNOWN } from "./harness";

const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const REPLICA_KEY = "arn:aws:kms:us-west-2:123456789012:key/replica";

function replication(source: BucketSet, replica: BucketSet, rule: Record<string, unknown> = {}, preview = false) {
    const destination = preview ? UNKNOWN : replica.bucket.outputs.arn;
    return resource(
        REPLICATION,
        "replication",
        {
            bucket: preview ? UNKNOWN : source.bucket.outputs.bucket,
            role: "arn:aws:iam::123456789012:role/replication",
            rules: [
                {
                    id: "to-us-west-2",
                    status: "Enabled",
                    filter: { prefix: "" },
                    deleteMarkerReplication: { status: "Enabled" },
                    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                    destination: { bucket: destination, encryptionConfiguration: { replicaKmsKeyId: REPLICA_KEY } },
                    ...rule,
                },
            ],
        },
        preview ? { propertyDependencies: { bucket: [source.bucket], rules: [replica.bucket] } } : {},
    );
}

const without = (set: BucketSet, drop: ResourceRecord | undefined) => set.all().filter((r) => r !== drop);

describe("s3-replica-as-protected-as-source", () => {
    it("passes when the replica has every protection of its source and KMS objects are re-encrypted", async () => {
        const source = bucketSet("output");
        const replica = bucketSet("output-replica");
        const vs = await check(s3ReplicaAsProtectedAsSource, [
            ...source.all(),
            ...replica.all(),
            replication(source, replica),
        ]);
        assert.deepEqual(vs, []);
    });

    for (const protection of ["sse", "versioning", "pab", "policy", "logging", "lifecycle"] as const) {
        it(`reports the replica when it lacks the source's ${protection}`, async () => {
            const source = bucketSet("output");
            const replica = bucketSet("output-replica");
            const vs = mandatory(
                await check(s3ReplicaAsProtectedAsSource, [
                    ...source.all(),
                    ...without(replica, replica[protection]),
                    replication(source, replica),
                ]),
            );
            assert.equal(vs.length, 1);
            assert.equal(vs[0].urn, replica.bucket.urn);
            assert.match(vs[0].message, /lacks protections its source 'output' has/);
        });
    }

    it("requires Object Lock on the replica when the source has it", async () => {
        const source = bucketSet("output");
        const replica = bucketSet("output-replica");
        const lock = resource("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "output-lock", {
            bucket: source.bucket.outputs.bucket,
            rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } },
        });
        const vs = mandatory(
            await check(s3ReplicaAsProtectedAsSource, [
                ...source.all(),
                lock,
                ...replica.all(),
                replication(source, replica),
            ]),
        );
        assert.equal(vs.length, 1);
        assert.match(vs[0].message, /Object Lock/);
    });

    it("requires KMS-encrypted objects to be replicated under a key of the destination", async () => {
        const source = bucketSet("output");
        const replica = bucketSet("output-replica");
        for (const rule of [
            { sourceSelectionCriteria: undefined },
            { destination: { bucket: replica.bucket.outputs.arn } },
        ]) {
            const vs = mandatory(
                await check(s3ReplicaAsProtectedAsSource, [
                    ...source.all(),
                    ...replica.all(),
                    replication(source, replica, rule),
                ]),
            );
            assert.equal(vs.length, 1, JSON.stringify(rule));
            assert.match(vs[0].message, /sseKmsEncryptedObjects/);
        }
    });

    it("reports a destination outside the stack, whose protections it cannot see", async () => {
        const source = bucketSet("output");
        const replica = bucketSet("output-replica");
        const vs = mandatory(
            await check(s3ReplicaAsProtectedAsSource, [...source.all(), replication(source, replica)]),
        );
        assert.equal(vs.length, 1);
        assert.match(vs[0].message, /does not manage/);
    });

    it("follows property dependencies at preview, when names are unknown", async () => {
        const source = bucketSet("output", { preview: true });
        const replica = bucketSet("output-replica", { preview: true });
        const ok = await check(
            s3ReplicaAsProtectedAsSource,
            [...source.all(), ...replica.all(), replication(source, replica, {}, true)],
            { preview: true },
        );
        assert.deepEqual(ok, []);
        const bad = await check(
            s3ReplicaAsProtectedAsSource,
            [...source.all(), ...without(replica, replica.versioning), replication(source, replica, {}, true)],
            { preview: true },
        );
        assert.equal(mandatory(bad).length, 1);
        assert.equal(unknownAdvisories(bad).length, 0);
    });

    it("is silent for a stack without replication", async () => {
        assert.deepEqual(await check(s3ReplicaAsProtectedAsSource, bucketSet("output").all()), []);
    });
});
