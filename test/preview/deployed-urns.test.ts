/**
 * A refactor must not replace what is already deployed: every resource of the prod and dev stacks
 * as they were deployed (the fixtures list their engine URNs, full parent-type chain) is still
 * registered under the same URN, or under a new one with an alias that the engine matches to it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { engineIdentities } from "../../tools/preview/urns";
import { nameOf, previewStack, PROJECT_DIR } from "../support/preview";

const PROJECT = "atx-platform";

function deployedUrns(stack: string): string[] {
    const file = path.join(PROJECT_DIR, "test", "fixtures", `deployed-urns-${stack}.txt`);
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line !== "");
}

for (const stack of ["prod", "dev"]) {
    describe(`the ${stack} stack's deployed resources`, function () {
        this.timeout(120_000);

        it("each keeps its URN or is reached through an alias", function () {
            const preview = previewStack(stack);
            assert.strictEqual(preview.exitCode, 0, preview.stderr);
            const registered = preview.resources.map((r) => ({
                urn: r.urn,
                type: r.type,
                name: nameOf(r),
                parent: r.parent,
            }));
            const identities = engineIdentities(stack, PROJECT, registered);
            const reachable = new Set<string>();
            for (const r of preview.resources) {
                reachable.add(identities.get(r.urn)!.urn);
                for (const alias of r.aliases ?? []) reachable.add(alias);
            }
            const lost = deployedUrns(stack).filter((urn) => !reachable.has(urn));
            assert.deepStrictEqual(lost, [], `${lost.length} deployed resource(s) would be replaced`);
        });

        it("no two resources claim the same deployed URN", function () {
            const preview = previewStack(stack);
            const claims = new Map<string, number>();
            for (const r of preview.resources) {
                for (const urn of r.aliases ?? []) claims.set(urn, (claims.get(urn) ?? 0) + 1);
            }
            const registered = preview.resources.map((r) => ({
                urn: r.urn,
                type: r.type,
                name: nameOf(r),
                parent: r.parent,
            }));
            for (const identity of engineIdentities(stack, PROJECT, registered).values()) {
                claims.set(identity.urn, (claims.get(identity.urn) ?? 0) + 1);
            }
            const deployed = new Set(deployedUrns(stack));
            const twice = [...claims].filter(([urn, count]) => count > 1 && deployed.has(urn)).map(([urn]) => urn);
            assert.deepStrictEqual(twice, []);
        });
    });
}
