/**
 * Policy documents given as objects whose ARNs are unknown at preview: every rule that reads a
 * document decides from the fields it needs and reports "can't run" only when one of those is
 * itself unknown.
 */
import { strict as assert } from "assert";
import { iamNoAdminWildcards, s3BucketTlsOnly, s3NoPublicAccess } from "../policies";
import { bucketSet, check, mandatory, resource, T, unknownAdvisories, UNKNOWN } from "./harness";
import { withProps } from "../../tools/policy/snapshot-builder";

const doc = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });
const rolePolicy = (policy: unknown) => resource(T.rolePolicy, "rp", { role: "r", policy });
const wildcards = async (policy: unknown) => check(iamNoAdminWildcards, [rolePolicy(policy)], { preview: true });

describe("policy documents with unknown leaves", () => {
    describe("iam-no-admin-wildcards", () => {
        it("decides a least-privilege statement whose resource ARN is unknown", async () => {
            const vs = await wildcards(doc({ Effect: "Allow", Action: ["kms:Decrypt"], Resource: UNKNOWN }));
            assert.deepEqual(vs, []);
        });
        it("finds Action '*' next to an unknown resource", async () => {
            const vs = await wildcards(doc({ Effect: "Allow", Action: "*", Resource: [UNKNOWN] }));
            assert.match(mandatory(vs)[0].message, /allows action '\*'/);
        });
        it("finds NotAction whatever the resource", async () => {
            const vs = await wildcards(doc({ Effect: "Allow", NotAction: "iam:*", Resource: UNKNOWN }));
            assert.match(mandatory(vs)[0].message, /NotAction/);
        });
        it("finds 'service:*' on '*' in a document whose other statements hold unknown ARNs", async () => {
            const vs = await wildcards(
                doc(
                    { Effect: "Allow", Action: "s3:GetObject", Resource: [UNKNOWN, "arn:aws:s3:::b/*"] },
                    { Effect: "Allow", Action: "kms:*", Resource: "*" },
                ),
            );
            assert.match(mandatory(vs)[0].message, /allows 'kms:\*' on resource '\*'/);
        });
        it("can't decide 'service:*' on an unknown resource, nor an unknown action or effect", async () => {
            for (const statement of [
                { Effect: "Allow", Action: "kms:*", Resource: UNKNOWN },
                { Effect: "Allow", Action: ["s3:GetObject", UNKNOWN], Resource: "arn:aws:s3:::b" },
                { Effect: UNKNOWN, Action: "*", Resource: "*" },
            ]) {
                const vs = await wildcards(doc(statement));
                assert.equal(unknownAdvisories(vs).length, 1, JSON.stringify(statement));
                assert.equal(mandatory(vs).length, 0);
            }
        });
        it("can't run on a document string that is unknown as a whole", async () => {
            assert.equal(unknownAdvisories(await wildcards(UNKNOWN)).length, 1);
        });
        it("reads a role's inline policies given as objects", async () => {
            const vs = await check(
                iamNoAdminWildcards,
                [
                    resource(T.role, "r", {
                        inlinePolicies: [
                            { name: "p", policy: doc({ Effect: "Allow", Action: "*", Resource: UNKNOWN }) },
                        ],
                    }),
                ],
                { preview: true },
            );
            assert.match(mandatory(vs)[0].message, /Inline policy 'p' of role 'r'/);
        });
    });

    describe("S3 documents", () => {
        const tlsOnly = (arn: unknown) =>
            doc({
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, UNKNOWN],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            });
        it("s3-bucket-tls-only is satisfied by an object policy with unknown bucket ARNs", async () => {
            const set = bucketSet("source", { preview: true });
            const policy = withProps(set.policy, { policy: tlsOnly(UNKNOWN) });
            const vs = await check(s3BucketTlsOnly, [...set.all().filter((r) => r !== set.policy), policy], {
                preview: true,
            });
            assert.deepEqual(vs, []);
        });
        it("s3-bucket-tls-only fails an object policy whose deny has no TLS condition", async () => {
            const set = bucketSet("source", { preview: true });
            const policy = withProps(set.policy, {
                policy: doc({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: UNKNOWN }),
            });
            const vs = await check(s3BucketTlsOnly, [...set.all().filter((r) => r !== set.policy), policy], {
                preview: true,
            });
            assert.equal(mandatory(vs).length, 1);
        });
        it("s3-no-public-acl-or-policy finds Principal '*' next to an unknown ARN", async () => {
            const vs = await check(
                s3NoPublicAccess,
                [
                    resource(T.policy, "p", {
                        bucket: UNKNOWN,
                        policy: doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: UNKNOWN }),
                    }),
                ],
                { preview: true },
            );
            assert.match(mandatory(vs)[0].message, /must not allow everyone/);
        });
        it("s3-no-public-acl-or-policy accepts a pinned service principal whose source ARN is unknown", async () => {
            const vs = await check(
                s3NoPublicAccess,
                [
                    resource(T.policy, "p", {
                        bucket: UNKNOWN,
                        policy: doc({
                            Effect: "Allow",
                            Principal: { Service: "logging.s3.amazonaws.com" },
                            Action: "s3:PutObject",
                            Resource: UNKNOWN,
                            Condition: { ArnLike: { "aws:SourceArn": UNKNOWN } },
                        }),
                    }),
                ],
                { preview: true },
            );
            assert.deepEqual(vs, []);
        });
    });
});
