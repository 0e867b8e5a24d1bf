import { strict as assert } from "assert";
import { type EvaluationResult, type Violation } from "../../tools/policy/evaluate";
import { formatMarkdown, formatText } from "../../tools/policy/reporters";

const urn = (name: string) => `urn:pulumi:prod::atx-platform::aws:iam/role:Role::${name}`;
const violation = (policy: string, level: Violation["enforcementLevel"], name: string): Violation => ({
    policyPack: "atx-security",
    policy,
    enforcementLevel: level,
    urn: urn(name),
    message: `Role '${name}' ${policy}.`,
});
const result: EvaluationResult = {
    violations: [
        violation("boundary", "advisory", "a"),
        violation("wildcards", "mandatory", "b"),
        violation("boundary", "advisory", "c"),
        violation("wildcards", "mandatory", "d"),
        violation("lonely", "advisory", "e"),
    ],
    summary: { mandatory: 2, advisory: 3, resources: 5 },
    pack: { name: "atx-security", version: "0.1.0", enforcementLevel: "mandatory" },
    policies: [
        { name: "boundary", description: "Roles have a boundary.", enforcementLevel: "advisory" },
        { name: "wildcards", description: "No wildcards.", enforcementLevel: "mandatory" },
        { name: "lonely", description: "Alone.", enforcementLevel: "advisory" },
    ],
};

describe("policy reports: grouping", () => {
    it("prints mandatory violations one by one and repeated advisories as one line per policy", () => {
        const lines = formatText(result).split("\n");
        assert.deepEqual(
            lines.filter((l) => l.startsWith("  [")),
            [
                "  [mandatory] wildcards  aws:iam/role:Role::b",
                "  [mandatory] wildcards  aws:iam/role:Role::d",
                "  [advisory] boundary  2 resources: aws:iam/role:Role::a, aws:iam/role:Role::c",
                "  [advisory] lonely  aws:iam/role:Role::e",
            ],
        );
        assert.equal(
            lines[lines.indexOf("  [advisory] boundary  2 resources: aws:iam/role:Role::a, aws:iam/role:Role::c") + 1],
            "      Roles have a boundary.",
        );
        assert.equal(lines[lines.indexOf("  [advisory] lonely  aws:iam/role:Role::e") + 1], "      Role 'e' lonely.");
        assert.equal(lines.at(-1), "2 mandatory, 3 advisory violation(s): the mandatory ones block the update.");
    });
    it("gives a grouped advisory one markdown row with the count and the resources", () => {
        const rows = formatMarkdown(result)
            .split("\n")
            .filter((l) => l.startsWith("| advisory"));
        assert.deepEqual(rows, [
            "| advisory | `boundary` | 2: `aws:iam/role:Role::a`, `aws:iam/role:Role::c` | Roles have a boundary. |",
            "| advisory | `lonely` | `aws:iam/role:Role::e` | Role 'e' lonely. |",
        ]);
    });
    it("keeps \"can't run during preview\" apart from the policy's findings", () => {
        const cantRun = (name: string): Violation => ({
            ...violation("boundary", "advisory", name),
            message:
                "can't run policy 'boundary' during preview: string value at .policy can't be known during preview",
        });
        const text = formatText({ ...result, violations: [...result.violations, cantRun("f"), cantRun("g")] });
        const lines = text.split("\n");
        const i = lines.indexOf("  [advisory] boundary  2 resources: aws:iam/role:Role::f, aws:iam/role:Role::g");
        assert.ok(i > 0, text);
        assert.match(lines[i + 1], /^ {6}can't run policy 'boundary' during preview/);
        assert.ok(lines.includes("  [advisory] boundary  2 resources: aws:iam/role:Role::a, aws:iam/role:Role::c"));
    });
});
