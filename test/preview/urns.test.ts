import * as assert from "assert";
import { engineIdentities, engineUrn } from "../../tools/preview/urns";

const STACK_URN = "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod";

describe("engine URNs", function () {
    it("qualify a type with every parent type but the root stack", function () {
        const ids = engineIdentities("prod", "p", [
            { urn: "s", type: "pulumi:pulumi:Stack", name: "p-prod" },
            { urn: "a", type: "x:A", name: "a", parent: "s" },
            { urn: "b", type: "x:B", name: "b", parent: "a" },
            { urn: "r", type: "aws:iam/role:Role", name: "r", parent: "b" },
        ]);
        assert.strictEqual(ids.get("s")!.urn, STACK_URN);
        assert.strictEqual(ids.get("a")!.urn, "urn:pulumi:prod::p::x:A::a");
        assert.strictEqual(ids.get("r")!.urn, "urn:pulumi:prod::p::x:A$x:B$aws:iam/role:Role::r");
    });

    it("resolve an alias spec's parent to that parent's engine URN", function () {
        const ids = engineIdentities("prod", "p", [
            { urn: "a", type: "x:A", name: "a" },
            { urn: "b", type: "x:B", name: "b", parent: "a" },
            { urn: "r", type: "aws:iam/role:Role", name: "r", parent: "b", aliases: [{ parentUrn: "a" }] },
        ]);
        assert.deepStrictEqual(ids.get("r")!.aliases, ["urn:pulumi:prod::p::x:A$aws:iam/role:Role::r"]);
    });

    it("resolve a spec without parent to the resource's own parent, and noParent to none", function () {
        const ids = engineIdentities("prod", "p", [
            { urn: "a", type: "x:A", name: "a" },
            { urn: "r", type: "t:R", name: "r", parent: "a", aliases: [{ name: "old" }, { noParent: true }] },
        ]);
        assert.deepStrictEqual(ids.get("r")!.aliases, [
            "urn:pulumi:prod::p::x:A$t:R::old",
            "urn:pulumi:prod::p::t:R::r",
        ]);
    });

    it("give a child an alias under each of its parent's aliases", function () {
        const ids = engineIdentities("prod", "p", [
            { urn: "a", type: "x:A", name: "a" },
            { urn: "b", type: "x:B", name: "b", parent: "a", aliases: [{ noParent: true }] },
            { urn: "r", type: "t:R", name: "r", parent: "b" },
        ]);
        assert.deepStrictEqual(ids.get("r")!.aliases, ["urn:pulumi:prod::p::x:B$t:R::r"]);
    });

    it("keep a literal URN alias as it is", function () {
        const literal = engineUrn("prod", "p", undefined, "t:Old", "o");
        const ids = engineIdentities("prod", "p", [{ urn: "r", type: "t:R", name: "r", aliases: [{ urn: literal }] }]);
        assert.deepStrictEqual(ids.get("r")!.aliases, [literal]);
    });

    it("refuse a child registered before its parent", function () {
        assert.throws(
            () => engineIdentities("prod", "p", [{ urn: "r", type: "t:R", name: "r", parent: "x" }]),
            /parent/,
        );
    });
});
