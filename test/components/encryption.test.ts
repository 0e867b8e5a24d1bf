import * as assert from "assert";
import { PlatformKey } from "../../components/encryption";
import { componentResources, jsonStatementsOf, principalOf, testContext } from "../support/mocks";

describe("PlatformKey", () => {
    it("is a rotating customer-managed key with an alias", async () => {
        const tree = await componentResources(
            () => new PlatformKey("key-basic", { context: testContext(), aliasName: "alias/atx-test" }),
        );
        const key = tree.one("aws:kms/key:Key").inputs;
        assert.strictEqual(key.enableKeyRotation, true);
        assert.strictEqual(key.deletionWindowInDays, 30);
        assert.strictEqual(tree.one("aws:kms/alias:Alias").inputs.name, "alias/atx-test");
    });

    it("lets exactly the account, CloudWatch Logs, CloudTrail and the alarm publishers use it, each scoped", async () => {
        const tree = await componentResources(
            () => new PlatformKey("key-policy", { context: testContext(), aliasName: "alias/atx-policy" }),
        );
        const statements = jsonStatementsOf(tree.one("aws:kms/key:Key"), "policy");
        const principals = statements.map((s) => principalOf(s).AWS ?? principalOf(s).Service);
        assert.deepStrictEqual(principals, [
            "arn:aws:iam::123456789012:root",
            "logs.us-east-1.amazonaws.com",
            "cloudtrail.amazonaws.com",
            ["events.amazonaws.com", "cloudwatch.amazonaws.com"],
        ]);
        for (const statement of statements.slice(1)) {
            assert.ok(statement.Condition, `${statement.Sid} has a condition`);
            assert.ok(!statement.Action.includes("kms:*"), `${statement.Sid} names its actions`);
        }
        const logs = statements.find((s) => s.Sid === "CloudWatchLogsEncryptsThisAccountsLogGroups");
        assert.strictEqual(
            logs?.Condition?.ArnLike["kms:EncryptionContext:aws:logs:arn"],
            "arn:aws:logs:us-east-1:123456789012:log-group:*",
        );
    });
});
