import type * as aws from "@pulumi/aws";
import * as assert from "assert";
import { bucketTarget } from "../../components/access-points";
import { createApiInvokePolicy, gitCredentialSecrets, JobIdentity } from "../../components/identity";
import { componentResources, inputsOf, principalOf, promiseOf, statementsOf, testContext } from "../support/mocks";
import * as pulumi from "@pulumi/pulumi";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc";

describe("JobIdentity", () => {
    const build = (name: string, extra: object = {}) => {
        let identity: JobIdentity | undefined;
        const tree = componentResources(
            () =>
                (identity = new JobIdentity(name, {
                    context: testContext(),
                    jobRoleName: `${name}-JobRole`,
                    executionRoleName: `${name}-ExecutionRole`,
                    source: bucketTarget("arn:aws:s3:::source-bucket"),
                    output: bucketTarget("arn:aws:s3:::output-bucket"),
                    kmsKeyArn: KEY_ARN,
                    pullRepositoryArns: ["arn:aws:ecr:us-east-1:123456789012:repository/aws-transform-cli"],
                    jobLogGroupName: "/aws/batch/atx-transform",
                    transformPolicyNames: ["AWSTransformCustomExecuteTransformations"],
                    ...extra,
                })),
        );
        return tree.then((t) => ({ tree: t, identity: identity! }));
    };
    const policyStatements = (tree: Awaited<ReturnType<typeof build>>["tree"], policyName: string) =>
        statementsOf(tree.named(policyName), "policy");

    it("creates two distinct roles, both assumable only by ECS tasks of this account", async () => {
        const { tree, identity } = await build("id-roles");
        const roles = tree.ofType("aws:iam/role:Role");
        assert.deepStrictEqual(roles.map((r) => inputsOf<aws.iam.RoleArgs>(r).name).sort(), [
            "id-roles-ExecutionRole",
            "id-roles-JobRole",
        ]);
        for (const role of roles) {
            const [trust] = statementsOf(role, "assumeRolePolicy");
            assert.strictEqual(principalOf(trust).Service, "ecs-tasks.amazonaws.com");
            assert.deepStrictEqual(trust.Condition, { StringEquals: { "aws:SourceAccount": "123456789012" } });
        }
        assert.strictEqual(await promiseOf(identity.jobRoleArn), "arn:aws:iam::123456789012:role/id-roles-JobRole");
        assert.notStrictEqual(await promiseOf(identity.jobRoleArn), await promiseOf(identity.executionRoleArn));
    });

    it("lets the job read sources, write results only under transformations/ and read atx/ secrets", async () => {
        const { tree } = await build("id-job");
        const statements = policyStatements(tree, "id-job-job-access");
        const bySid = Object.fromEntries(statements.map((s) => [s.Sid ?? "", s] as const));
        assert.deepStrictEqual(bySid.ReadSources.Resource, "arn:aws:s3:::source-bucket/*");
        assert.deepStrictEqual(bySid.ReadSources.Action, "s3:GetObject");
        assert.deepStrictEqual(
            bySid.WriteResultsUnderTransformations.Resource,
            "arn:aws:s3:::output-bucket/transformations/*",
        );
        assert.deepStrictEqual(bySid.ListOwnResults.Condition, { StringLike: { "s3:prefix": ["transformations/*"] } });
        assert.strictEqual(bySid.ReadJobSecrets.Resource, "arn:aws:secretsmanager:us-east-1:123456789012:secret:atx/*");
        const writes = statements.filter((s) => [s.Action].flat().some((a) => /Put|Delete/.test(a)));
        assert.ok(
            writes.every((s) => String(s.Resource).startsWith("arn:aws:s3:::output-bucket/transformations/")),
            "no write outside the prefix",
        );
        const [keyUse] = policyStatements(tree, "id-job-job-key-access");
        assert.deepStrictEqual([keyUse.Action, keyUse.Resource], [["kms:Decrypt", "kms:GenerateDataKey"], KEY_ARN]);
    });

    it("lets the execution role pull this repository's image and write this log group, nothing more", async () => {
        const { tree } = await build("id-exec");
        const bySid = Object.fromEntries(
            policyStatements(tree, "id-exec-execution-access").map((s) => [s.Sid ?? "", s] as const),
        );
        assert.deepStrictEqual(Object.keys(bySid).sort(), ["EcrLogin", "PullJobImage", "WriteJobLogs"]);
        assert.deepStrictEqual(bySid.PullJobImage.Resource, [
            "arn:aws:ecr:us-east-1:123456789012:repository/aws-transform-cli",
        ]);
        assert.strictEqual(
            bySid.WriteJobLogs.Resource,
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/batch/atx-transform:log-stream:*",
        );
    });

    it("never grants a wildcard action, and uses a * resource only where IAM offers nothing narrower", async () => {
        const { tree } = await build("id-wild");
        for (const policy of tree.ofType("aws:iam/rolePolicy:RolePolicy")) {
            for (const statement of statementsOf(policy, "policy")) {
                for (const action of [statement.Action].flat())
                    assert.ok(!action.includes("*"), `${policy.name}: ${action}`);
                if ([statement.Resource].flat().includes("*"))
                    assert.deepStrictEqual(statement.Action, "ecr:GetAuthorizationToken");
            }
        }
    });

    it("attaches the AWS Transform managed policies and applies a permissions boundary when configured", async () => {
        const boundary = "arn:aws:iam::123456789012:policy/Boundary";
        const { tree } = await build("id-boundary", { permissionsBoundaryArn: boundary });
        assert.ok(tree.ofType("aws:iam/role:Role").every((r) => r.inputs.permissionsBoundary === boundary));
        const attachment = tree.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs;
        assert.deepStrictEqual(
            [attachment.role, attachment.policyArn],
            ["id-boundary-JobRole", "arn:aws:iam::aws:policy/AWSTransformCustomExecuteTransformations"],
        );
        const { tree: unbounded } = await build("id-unbounded");
        assert.ok(unbounded.ofType("aws:iam/role:Role").every((r) => r.inputs.permissionsBoundary === undefined));
    });
});

describe("gitCredentialSecrets", () => {
    it("names each allowed host's token secret under atx/, the AWS sample's names for the default hosts", () => {
        assert.strictEqual(
            gitCredentialSecrets(["github.com", "gitlab.com", "bitbucket.org"]),
            "github.com=atx/github-token,gitlab.com=atx/gitlab-token,bitbucket.org=atx/bitbucket-token",
        );
        assert.strictEqual(gitCredentialSecrets(["git.example.com"]), "git.example.com=atx/git-token");
    });
});

describe("createApiInvokePolicy", () => {
    it("grants execute-api:Invoke on the API's stage only", async () => {
        class Holder extends pulumi.ComponentResource {
            constructor() {
                super("test:Holder", "invoke-holder");
                createApiInvokePolicy(
                    "invoke-policy",
                    {
                        policyName: "InvokeATXApi",
                        apiExecutionArn: "arn:aws:execute-api:us-east-1:123456789012:abc123",
                        stageName: "prod",
                    },
                    { parent: this },
                );
            }
        }
        const tree = await componentResources(() => new Holder());
        const policy = tree.one("aws:iam/policy:Policy");
        assert.strictEqual(policy.inputs.name, "InvokeATXApi");
        assert.deepStrictEqual(statementsOf(policy, "policy"), [
            {
                Sid: "InvokeAtxApi",
                Effect: "Allow",
                Action: "execute-api:Invoke",
                Resource: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/*/*",
            },
        ]);
    });
});
