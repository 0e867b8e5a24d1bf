import { strict as assert } from "assert";
import { deserializeProperties, SECRET_SIG, SECRET_SIG_KEY } from "../../tools/policy/args";

describe("deserializeProperties: each property copied when first read", () => {
    const wire = () => ({
        tags: { team: "atx", secret: { [SECRET_SIG_KEY]: SECRET_SIG, value: "s" } },
        list: [1, { a: undefined, b: 2 }],
        gone: undefined,
        name: "n",
    });

    it("reads as the plain deserialized value: keys, nesting, secrets unwrapped, undefined dropped", () => {
        const props = deserializeProperties(wire());
        assert.deepEqual(Object.keys(props), ["tags", "list", "name"]);
        assert.equal("gone" in props, false);
        assert.deepEqual(JSON.parse(JSON.stringify(props)), {
            tags: { team: "atx", secret: "s" },
            list: [1, { b: 2 }],
            name: "n",
        });
    });

    it("keeps what a reader writes, within one copy only", () => {
        const source = wire();
        const first = deserializeProperties(source);
        const second = deserializeProperties(source);
        const tagsOf = (props: Record<string, unknown>) => props.tags as Record<string, unknown>;
        tagsOf(first).team = "changed";
        first.name = "renamed";
        second.list = [];
        assert.equal(tagsOf(first).team, "changed");
        assert.equal(first.name, "renamed");
        assert.equal(tagsOf(second).team, "atx");
        assert.equal(second.name, "n");
        assert.deepEqual(first.list, [1, { b: 2 }]);
        assert.equal(source.tags.team, "atx");
    });

    it("returns the same object on every read of a property", () => {
        const props = deserializeProperties(wire());
        assert.equal(props.tags, props.tags);
    });
});
