import { strict as assert } from "assert";
import {
    iamDistinctJobRoles,
    iamNoAccessKeys,
    iamNoAdminPolicyAttachments,
    iamNoAdminWildcards,
    iamRolePermissionsBoundary,
} from "../policies";
import { advisory, check, mandatory, resource, T, unknownAdvisories, UNKNOWN } from "./harness";

const doc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const leastPrivilege = doc({
    Effect: "Allow",
    Action: ["s3:GetObject", "s3:PutObject"],
    Resource: "arn:aws:s3:::atx-output/*",
});
const assume = doc({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" });

describe("iam-no-admin-wildcards", () => {
    it("reports no violation for least-privilege statements", async () => {
        const vs = await check(iamNoAdminWildcards, [
            resource(T.role, "r", {
                assumeRolePolicy: assume,
                inlinePolicies: [{ name: "p", policy: leastPrivilege }],
            }),
            resource(T.rolePolicy, "rp", { role: "r", policy: leastPrivilege }),
            resource(T.iamPolicy, "mp", {
                policy: doc({ Effect: "Allow", Action: "logs:*", Resource: "arn:aws:logs:*:*:log-group:/aws/batch/*" }),
            }),
        ]);
        assert.deepEqual(vs, []);
    });
    it("reports a violation for Action '*' in a role policy", async () => {
        const vs = await check(iamNoAdminWildcards, [
            resource(T.rolePolicy, "rp", {
                role: "r",
                policy: doc({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::x" }),
            }),
        ]);
        assert.match(mandatory(vs)[0].message, /a statement allows action '\*'/);
    });
    it("reports a violation for 'kms:*' on '*' in a role's inline policy", async () => {
        const vs = await check(iamNoAdminWildcards, [
            resource(T.role, "r", {
                inlinePolicies: [{ name: "keys", policy: doc({ Effect: "Allow", Action: ["kms:*"], Resource: "*" }) }],
            }),
        ]);
        assert.match(mandatory(vs)[0].message, /Inline policy 'keys' of role 'r'.*allows 'kms:\*' on resource '\*'/);
    });
    it("reports a violation for 'iam:*' on '*' in a managed policy", async () => {
        assert.equal(
            mandatory(
                await check(iamNoAdminWildcards, [
                    resource(T.iamPolicy, "mp", { policy: doc({ Effect: "Allow", Action: "iam:*", Resource: ["*"] }) }),
                ]),
            ).length,
            1,
        );
    });
    it("reports a violation for Allow with NotAction", async () => {
        assert.equal(
            mandatory(
                await check(iamNoAdminWildcards, [
                    resource(T.iamPolicy, "mp", {
                        policy: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }),
                    }),
                ]),
            ).length,
            1,
        );
    });
    it("reports no violation for a Deny with a wildcard", async () => {
        assert.deepEqual(
            await check(iamNoAdminWildcards, [
                resource(T.iamPolicy, "mp", { policy: doc({ Effect: "Deny", Action: "*", Resource: "*" }) }),
            ]),
            [],
        );
    });
    it("reports the engine's advisory when the document is unknown at preview", async () => {
        const vs = await check(iamNoAdminWildcards, [resource(T.rolePolicy, "rp", { role: "r", policy: UNKNOWN })], {
            preview: true,
        });
        assert.equal(unknownAdvisories(vs).length, 1);
    });
});

describe("iam-no-admin-policy-attachments", () => {
    const role = resource(T.role, "job", { assumeRolePolicy: assume });
    it("reports no violation for a narrow AWS managed policy", async () => {
        const att = resource(T.attachment, "a", {
            role: "job",
            policyArn: "arn:aws:iam::aws:policy/AWSTransformCustomExecuteTransformations",
        });
        assert.deepEqual(await check(iamNoAdminPolicyAttachments, [role, att]), []);
    });
    it("reports a violation when AdministratorAccess is attached", async () => {
        const att = resource(T.attachment, "a", {
            role: "job",
            policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
        });
        const vs = await check(iamNoAdminPolicyAttachments, [role, att]);
        assert.deepEqual(
            mandatory(vs).map((v) => v.urn),
            [att.urn],
        );
    });
    it("reports a violation when a role's managedPolicyArns include AmazonS3FullAccess", async () => {
        const r = resource(T.role, "r", { managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"] });
        assert.equal(mandatory(await check(iamNoAdminPolicyAttachments, [r])).length, 1);
    });
    it("reports a violation at preview when the attached stack policy (linked by propertyDependencies) has admin wildcards", async () => {
        const p = resource(
            T.iamPolicy,
            "admin",
            { policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) },
            { outputs: { policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }), arn: UNKNOWN } },
        );
        const att = resource(
            T.attachment,
            "a",
            { role: "job", policyArn: UNKNOWN },
            { propertyDependencies: { policyArn: [p] } },
        );
        const vs = await check(iamNoAdminPolicyAttachments, [role, p, att], { preview: true });
        assert.match(mandatory(vs)[0].message, /must not attach policy 'admin'/);
    });
    it("reports a violation in state when the attachment names the stack policy by ARN", async () => {
        const arn = "arn:aws:iam::123456789012:policy/admin";
        const p = resource(
            T.iamPolicy,
            "admin",
            { policy: doc({ Effect: "Allow", Action: "s3:*", Resource: "*" }) },
            { outputs: { policy: doc({ Effect: "Allow", Action: "s3:*", Resource: "*" }), arn } },
        );
        const att = resource(T.attachment, "a", { role: "job", policyArn: arn });
        assert.equal(mandatory(await check(iamNoAdminPolicyAttachments, [role, p, att])).length, 1);
    });
    it("reports the engine's advisory when the policy ARN is unknown and nothing links it", async () => {
        const att = resource(T.attachment, "a", { role: "job", policyArn: UNKNOWN });
        assert.equal(
            unknownAdvisories(await check(iamNoAdminPolicyAttachments, [role, att], { preview: true })).length,
            1,
        );
    });
});

describe("iam-no-access-keys", () => {
    it("reports no violation for a stack without access keys", async () => {
        assert.deepEqual(await check(iamNoAccessKeys, [resource("aws:iam/user:User", "u", { name: "ci" })]), []);
    });
    it("reports a violation for an access key", async () => {
        const vs = await check(iamNoAccessKeys, [resource(T.accessKey, "k", { user: "ci" })]);
        assert.match(mandatory(vs)[0].message, /must not exist: use IAM roles/);
    });
});

describe("iam-distinct-job-and-execution-roles", () => {
    const jd = (container: object) =>
        resource(T.jobDefinition, "job", { type: "container", containerProperties: JSON.stringify(container) });
    it("reports no violation when job and execution roles differ", async () => {
        assert.deepEqual(
            await check(iamDistinctJobRoles, [
                jd({ jobRoleArn: "arn:aws:iam::1:role/job", executionRoleArn: "arn:aws:iam::1:role/exec" }),
            ]),
            [],
        );
    });
    it("reports a violation when both are the same role", async () => {
        const vs = await check(iamDistinctJobRoles, [
            jd({ jobRoleArn: "arn:aws:iam::1:role/x", executionRoleArn: "arn:aws:iam::1:role/x" }),
        ]);
        assert.match(mandatory(vs)[0].message, /distinct from its execution role/);
    });
    it("reports a violation when there is no job role", async () => {
        assert.equal(
            mandatory(await check(iamDistinctJobRoles, [jd({ executionRoleArn: "arn:aws:iam::1:role/exec" })])).length,
            1,
        );
    });
    it("reports the engine's advisory when containerProperties is unknown at preview", async () => {
        const vs = await check(
            iamDistinctJobRoles,
            [resource(T.jobDefinition, "job", { containerProperties: UNKNOWN })],
            { preview: true },
        );
        assert.equal(unknownAdvisories(vs).length, 1);
        assert.equal(mandatory(vs).length, 0);
    });
});

describe("iam-role-permissions-boundary", () => {
    it("reports no violation when a boundary is set", async () => {
        assert.deepEqual(
            await check(iamRolePermissionsBoundary, [
                resource(T.role, "r", { permissionsBoundary: "arn:aws:iam::1:policy/boundary" }),
            ]),
            [],
        );
    });
    it("reports an advisory violation when no boundary is set", async () => {
        const vs = await check(iamRolePermissionsBoundary, [resource(T.role, "r", {})]);
        assert.equal(advisory(vs).length, 1);
        assert.equal(mandatory(vs).length, 0);
    });
});
