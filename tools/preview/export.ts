/**
 * The would-be state in the format of `pulumi stack export` (version 3 deployment), so that other
 * tools and the policy evaluator can read a preview the same way as a real stack's state.
 */
import type { ResourceRecord, StackSnapshot } from "../common/resource-record";

const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

export function toStackExport(snapshot: StackSnapshot, createdAt = new Date()): unknown {
    return {
        version: 3,
        deployment: {
            manifest: { time: createdAt.toISOString(), magic: "", version: "offline-preview" },
            resources: snapshot.resources.map(exportResource),
        },
    };
}

function exportResource(r: ResourceRecord): Record<string, unknown> {
    const secret = new Set(r.secretProperties ?? []);
    // `pulumi stack export --show-secrets` writes secrets as {sig, plaintext: <JSON text>}.
    const withSecrets = (values: Record<string, unknown>) =>
        Object.fromEntries(
            Object.entries(values).map(([k, v]) => [
                k,
                secret.has(k) ? { ...SECRET, plaintext: JSON.stringify(v) } : v,
            ]),
        );
    return {
        urn: r.urn,
        custom: r.custom,
        ...(r.id !== undefined ? { id: r.id } : {}),
        type: r.type,
        inputs: withSecrets(r.inputs),
        outputs: withSecrets(r.outputs),
        ...(r.parent !== undefined ? { parent: r.parent } : {}),
        ...(r.provider !== undefined ? { provider: r.provider } : {}),
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        ...(r.aliases !== undefined ? { aliases: r.aliases } : {}),
    };
}
