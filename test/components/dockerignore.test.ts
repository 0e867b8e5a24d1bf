import * as assert from "assert";
import { dockerignoreFilter } from "../../components/dockerignore";

describe(".dockerignore rules", () => {
    const sent = dockerignoreFilter(
        ["# comment", "", "*", "!bin/", "!lib", "**/*.pyc", "!lib/keep.pyc", "docs/**", "a?c"].join("\n"),
    );

    it("leave out what a pattern matches, and everything under a matched directory", () => {
        assert.strictEqual(sent("README.md"), false);
        assert.strictEqual(sent("test/a.bats"), false);
        assert.strictEqual(sent("docs/x/y.md"), false);
    });

    it("let back in what a later `!` pattern matches", () => {
        assert.strictEqual(sent("bin/run.sh"), true);
        assert.strictEqual(sent("lib/deep/util.sh"), true);
    });

    it("let the last matching pattern decide", () => {
        assert.strictEqual(sent("lib/x/cache.pyc"), false);
        assert.strictEqual(sent("lib/keep.pyc"), true);
    });

    it("match `*` and `?` within one path segment only", () => {
        const only = dockerignoreFilter("*.md\na?c");
        assert.strictEqual(only("README.md"), false);
        assert.strictEqual(only("docs/README.md"), true);
        assert.strictEqual(only("abc"), false);
        assert.strictEqual(only("a/c"), true);
    });

    it("send everything when there are no rules", () => {
        assert.strictEqual(dockerignoreFilter("")("any/file"), true);
    });
});
