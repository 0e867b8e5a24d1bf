/** Renders an evaluation: terminal text, JSON, SARIF 2.1.0 for code scanning, and a markdown PR comment. */
import { type EvaluationResult, type Violation } from "./evaluate";

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

/** One line of a report: a violation, or the advisories of one policy grouped together. */
interface ReportEntry {
    readonly level: string;
    readonly policy: string;
    /** The resources, `type::name`. */
    readonly resources: readonly string[];
    readonly message: string;
}

/**
 * Mandatory violations one by one; advisories grouped by policy (one entry with the count and the
 * resources, the policy's description as its message) so a repeated advisory does not hide a new one.
 */
function reportEntries(result: EvaluationResult): ReportEntry[] {
    const entries: ReportEntry[] = result.violations
        .filter((v) => v.enforcementLevel === "mandatory")
        .map((v) => ({
            level: "mandatory",
            policy: v.policy,
            resources: [resourceOf(v.urn)],
            message: detail(v, result),
        }));
    // "Can't run during preview" is grouped apart from the policy's findings: it says something else.
    const advisories = new Map<string, Violation[]>();
    for (const v of result.violations.filter((x) => x.enforcementLevel === "advisory")) {
        const key = `${v.policy}\0${v.message.startsWith("can't run policy")}`;
        advisories.set(key, [...(advisories.get(key) ?? []), v]);
    }
    for (const vs of advisories.values()) {
        const policy = vs[0].policy;
        const description = result.policies.find((p) => p.name === policy)?.description;
        const cantRun = vs[0].message.startsWith("can't run policy");
        const message = vs.length === 1 || cantRun || !description ? detail(vs[0], result) : description;
        entries.push({ level: "advisory", policy, resources: vs.map((v) => resourceOf(v.urn)), message });
    }
    return entries;
}

const resourceList = (e: ReportEntry) =>
    e.resources.length === 1 ? e.resources[0] : `${e.resources.length} resources: ${e.resources.join(", ")}`;

export function formatText(result: EvaluationResult): string {
    const { summary, pack } = result;
    const lines: string[] = [`Policy pack ${pack.name}@v${pack.version}: ${summary.resources} resources checked`];
    for (const e of reportEntries(result)) {
        lines.push(`  [${e.level}] ${e.policy}  ${resourceList(e)}`);
        lines.push(`      ${e.message.split("\n").join("\n      ")}`);
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
    const entries = reportEntries(result);
    if (entries.length > 0) {
        lines.push("", "| Level | Policy | Resource | Message |", "| --- | --- | --- | --- |");
        for (const e of entries) {
            const resources = e.resources.map((r) => `\`${escapeCell(r)}\``).join(", ");
            const count = e.resources.length > 1 ? `${e.resources.length}: ` : "";
            lines.push(`| ${e.level} | \`${e.policy}\` | ${count}${resources} | ${escapeCell(e.message)} |`);
        }
    }
    return lines.join("\n") + "\n";
}
