/** The preview's terminal report: resources grouped under their components, then the stack outputs. */
import { byCodePoint } from "../../api/lib/order";
import { type ResourceRecord, type StackSnapshot, UNKNOWN } from "../common/resource-record";

export function formatPreview(
    snapshot: StackSnapshot,
    outputs: Record<string, unknown>,
    where: { region: string; accountId: string },
): string {
    const children = new Map<string | undefined, ResourceRecord[]>();
    for (const resource of snapshot.resources) {
        const siblings = children.get(resource.parent) ?? [];
        siblings.push(resource);
        children.set(resource.parent, siblings);
    }
    const rows: { label: string; name: string }[] = [];
    // Siblings by name, then type: registration order depends on when asynchronous inputs (file
    // reads, bundles) settle, and a report that reviewers compare between runs must not.
    const walk = (parent: string | undefined, depth: number) => {
        const siblings = [...(children.get(parent) ?? [])].sort(
            (a, b) => byCodePoint(a.name, b.name) || byCodePoint(a.type, b.type),
        );
        for (const resource of siblings) {
            rows.push({ label: `${"  ".repeat(depth)}${resource.type}`, name: resource.name });
            walk(resource.urn, depth + 1);
        }
    };
    walk(undefined, 0);
    // Like `pulumi preview`, the type column is as wide as its longest entry.
    const typeWidth = Math.max("Type".length, ...rows.map((r) => r.label.length)) + 2;
    const lines = [
        `Previewing update (${snapshot.project}/${snapshot.stack}), offline under Pulumi mocks`,
        `  account ${where.accountId} (stand-in), region ${where.region}`,
        "",
        `     ${"Type".padEnd(typeWidth)}Name`,
        ...rows.map((r) => ` +   ${r.label.padEnd(typeWidth)}${r.name}`),
    ];

    const custom = snapshot.resources.filter((r) => r.custom).length;
    lines.push(
        "",
        "Resources:",
        `    + ${snapshot.resources.length} to create (${custom} cloud resources, ${snapshot.resources.length - custom} components)`,
        "",
        "Outputs:",
    );
    const width = Math.max(0, ...Object.keys(outputs).map((k) => k.length)) + 2;
    for (const [name, value] of Object.entries(outputs).sort(([a], [b]) => byCodePoint(a, b))) {
        lines.push(`    ${`${name}:`.padEnd(width)}${describeValue(value)}`);
    }
    return lines.join("\n") + "\n";
}

function describeValue(value: unknown): string {
    if (value === UNKNOWN) return "output<string> (known after create)";
    if (Array.isArray(value)) return `[${value.map(describeValue).join(", ")}]`;
    return JSON.stringify(value);
}
