/** Renders an evaluation: terminal text, JSON, SARIF 2.1.0 for code scanning, and a markdown PR comment. */
import { EvaluationResult, Violation } from "./evaluate";

const firstLine = (s: string) => s.split("\n")[0];
/** The message without the policy description the engine puts on its first line. */
function detail(v: Violation, result: EvaluationResult): string {
    const description = result.policies.find((p) => p.name === v.policy)?.description;
    return description && v.message.startsWith(`${description}\n`)
        ? v.message.slice(description.length + 1)
        : v.message;
}

/** `type::name` of a URN (the last type of a parent chain), "(stack)" for a stack-wide violation. */
function resourceOf(urn: string): string {
    if (!urn) {
        return "(stack)";
    }
    const parts = urn.split("::");
    const types = (parts[parts.length - 2] ?? "").split("$");
    return `${types[types.length - 1]}::${parts[parts.length - 1]}`;
}

export function formatText(result: EvaluationResult): string {
    const { summary, pack } = result;
    const lines: string[] = [`Policy pack ${pack.name}@v${pack.version}: ${summary.resources} resources checked`];
    for (const level of ["mandatory", "advisory"] as const) {
        for (const v of result.violations.filter((x) => x.enforcementLevel === level)) {
            lines.push(`  [${level}] ${v.policy}  ${resourceOf(v.urn)}`);
            lines.push(`      ${detail(v, result).split("\n").join("\n      ")}`);
        }
    }
    lines.push(
        `${summary.mandatory} mandatory, ${summary.advisory} advisory violation(s)` +
            (summary.mandatory > 0 ? ": the mandatory ones block the update." : "."),
    );
    return lines.join("\n");
}

export function formatJson(result: EvaluationResult): string {
    return JSON.stringify({ violations: result.violations, summary: result.summary }, null, 2) + "\n";
}

export interface SarifOptions {
    /** The file the results are reported against (code scanning needs a location). */
    readonly artifactUri?: string;
}

/** SARIF 2.1.0: one rule per policy, one result per violation, each located on the checked file and named by URN. */
export function formatSarif(result: EvaluationResult, options: SarifOptions = {}): string {
    const rules = result.policies.map((p) => ({
        id: p.name,
        name: p.name,
        shortDescription: { text: p.description },
        fullDescription: { text: p.description },
        defaultConfiguration: {
            level:
                p.enforcementLevel === "mandatory" ? "error" : p.enforcementLevel === "disabled" ? "none" : "warning",
        },
        properties: {
            tags: ["security", "pulumi-policy"],
            enforcementLevel: p.enforcementLevel ?? result.pack.enforcementLevel,
        },
    }));
    const index = new Map(rules.map((r, i) => [r.id, i]));
    const sarif = {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: {
                    driver: {
                        name: result.pack.name,
                        version: result.pack.version,
                        semanticVersion: result.pack.version,
                        informationUri: "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
                        rules,
                    },
                },
                results: result.violations.map((v) => ({
                    ruleId: v.policy,
                    ruleIndex: index.get(v.policy) ?? -1,
                    level: v.enforcementLevel === "mandatory" ? "error" : "warning",
                    message: { text: `${detail(v, result)}${v.urn ? ` (${v.urn})` : ""}` },
                    locations: [
                        {
                            physicalLocation: {
                                artifactLocation: { uri: options.artifactUri ?? "Pulumi.yaml" },
                                region: { startLine: 1 },
                            },
                            logicalLocations: [{ fullyQualifiedName: v.urn || "stack", kind: "resource" }],
                        },
                    ],
                    partialFingerprints: { "policyUrn/v1": `${v.policy}|${v.urn}|${firstLine(detail(v, result))}` },
                })),
                columnKind: "utf16CodeUnits",
            },
        ],
    };
    return JSON.stringify(sarif, null, 2) + "\n";
}

const escapeCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, "<br>");

/** A PR comment; `marker` lets a workflow find and update its own earlier comment. */
export function formatMarkdown(result: EvaluationResult, opts: { title?: string; marker?: string } = {}): string {
    const { summary, pack } = result;
    const status = summary.mandatory > 0 ? ":x:" : ":white_check_mark:";
    const lines = [
        opts.marker ?? "<!-- atx-policy-report -->",
        `### ${status} ${opts.title ?? "Policy check"}: ${pack.name}@v${pack.version}`,
        "",
        `**${summary.mandatory}** mandatory, **${summary.advisory}** advisory violation(s) over ${summary.resources} resources.`,
    ];
    if (result.violations.length > 0) {
        lines.push("", "| Level | Policy | Resource | Message |", "| --- | --- | --- | --- |");
        const ordered = [...result.violations].sort((a, b) =>
            a.enforcementLevel === b.enforcementLevel ? 0 : a.enforcementLevel === "mandatory" ? -1 : 1,
        );
        for (const v of ordered) {
            lines.push(
                `| ${v.enforcementLevel} | \`${v.policy}\` | \`${escapeCell(resourceOf(v.urn))}\` | ${escapeCell(detail(v, result))} |`,
            );
        }
    }
    return lines.join("\n") + "\n";
}
