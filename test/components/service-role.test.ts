import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { ServiceRole } from "../../components/service-role";
import { ACCOUNT_ID, componentResources, promiseOf, statementsOf, testContext } from "../support/mocks";

const BOUNDARY = "arn:aws:iam::123456789012:policy/boundary";

describe("ServiceRole", () => {
    const build = (name: string, managed: Record<string, string> = {}) =>
        new ServiceRole(name, {
            context: testContext(),
            roleName: `${name}-physical`,
            description: "test role",
            service: "lambda.amazonaws.com",
            permissionsBoundaryArn: BOUNDARY,
            inlinePolicies: {
                [`${name}-access`]: [
                    { Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
                ],
            },
            managedPolicyArns: managed,
        });

    it("is assumed by its one service from this account only, within the boundary", async () => {
        const tree = await componentResources(() => build("sr-trust"));
        const role = tree.one("aws:iam/role:Role");
        assert.strictEqual(role.name, "sr-trust");
        assert.strictEqual(role.inputs.permissionsBoundary, BOUNDARY);
        assert.strictEqual(role.inputs.maxSessionDuration, 3600);
        const [trust] = statementsOf(role, "assumeRolePolicy");
        assert.deepStrictEqual(trust.Principal, { Service: "lambda.amazonaws.com" });
        assert.deepStrictEqual(trust.Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
    });

    it("holds each inline policy as a structured document under its given name", async () => {
        const tree = await componentResources(() => build("sr-inline"));
        const policy = tree.one("aws:iam/rolePolicy:RolePolicy");
        assert.strictEqual(policy.name, "sr-inline-access");
        assert.strictEqual(policy.inputs.role, "sr-inline-physical");
        assert.deepStrictEqual(
            statementsOf(policy, "policy").map((s) => s.Sid),
            ["Read"],
        );
    });

    it("names each managed attachment after its policy, so removing one leaves the others alone", async () => {
        const arn = (policy: string) => `arn:aws:iam::aws:policy/${policy}`;
        const both = await componentResources(() =>
            build("sr-managed", { "sr-managed-A": arn("A"), "sr-managed-B": arn("B") }),
        );
        const onlyB = await componentResources(() => build("sr-managed2", { "sr-managed2-B": arn("B") }));
        const attachments = (tree: typeof both) =>
            tree
                .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .map((a) => [a.name, a.inputs.policyArn as string]);
        assert.deepStrictEqual(attachments(both), [
            ["sr-managed-A", arn("A")],
            ["sr-managed-B", arn("B")],
        ]);
        assert.deepStrictEqual(attachments(onlyB), [["sr-managed2-B", arn("B")]]);
    });

    it("gives its ARN from the role's name, known before the role exists", async () => {
        let role: ServiceRole | undefined;
        await componentResources(() => (role = build("sr-arn")));
        assert.strictEqual(await promiseOf(role!.arn), `arn:aws:iam::${ACCOUNT_ID}:role/sr-arn-physical`);
    });

    it("keeps its resources' URNs from when they sat directly under the owning component", async () => {
        const tree = await componentResources(() => {
            const owner = new pulumi.ComponentResource("test:Owner", "sr-owner");
            new ServiceRole(
                "sr-owned",
                { context: testContext(), roleName: "x", description: "d", service: "s" },
                { parent: owner },
            );
            return owner;
        });
        const role = tree.one("aws:iam/role:Role");
        assert.deepStrictEqual(role.aliases, ["urn:pulumi:test::atx-platform::test:Owner$aws:iam/role:Role::sr-owned"]);
    });
});
