import * as assert from "assert";
import { closestMatch, editDistance } from "../../components/closest-match";

describe("closest match", () => {
    it("counts insertions, deletions and substitutions", () => {
        assert.strictEqual(editDistance("", ""), 0);
        assert.strictEqual(editDistance("objectLok", "objectLock"), 1);
        assert.strictEqual(editDistance("kitten", "sitting"), 3);
        assert.strictEqual(editDistance("abc", ""), 3);
    });

    it("picks the nearest candidate, ignoring case, the first on a tie", () => {
        assert.strictEqual(closestMatch("objectLok", ["intelligentTiering", "objectLock", "image"]), "objectLock");
        assert.strictEqual(closestMatch("VPCID", ["image", "vpcId"]), "vpcId");
        assert.strictEqual(closestMatch("ab", ["ax", "ay"]), "ax");
        assert.strictEqual(closestMatch("x", []), undefined);
    });
});
