/**
 * URNs as the Pulumi engine writes them. The engine qualifies a resource's type with the full chain
 * of its parents' types (`Parent$Child$aws:iam/role:Role`), leaving out the root Stack; the SDK's
 * mock monitor only prefixes the direct parent's type. These helpers rebuild the engine's URNs from
 * parent links and resolve alias specs the way the engine does, so a refactor that moves resources
 * between components can be checked against the URNs of an already-deployed stack.
 */

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** An alias as the SDK sends it to the monitor: a literal URN, or a spec relative to the resource. */
export type AliasSpec =
    | { readonly urn: string }
    | {
          readonly name?: string;
          readonly type?: string;
          readonly stack?: string;
          readonly project?: string;
          /** Engine URN of the alias's parent; absent with noParent false means "the resource's own parent". */
          readonly parentUrn?: string;
          readonly noParent?: boolean;
      };

/** The `Parent$Child$type` part of a URN. */
export function qualifiedType(urn: string): string {
    const parts = urn.split("::");
    if (parts.length < 4) throw new Error(`not a URN: ${urn}`);
    return parts[2];
}

export function engineUrn(stack: string, project: string, parentUrn: string | undefined, type: string, name: string) {
    const parentType = parentUrn === undefined ? "" : qualifiedType(parentUrn);
    const qualified = parentType === "" || parentType === ROOT_STACK_TYPE ? type : `${parentType}$${type}`;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** Stack and project of a URN (`urn:pulumi:<stack>::<project>::...`). */
function stackAndProject(urn: string): { stack: string; project: string } {
    const [head, project] = urn.split("::");
    return { stack: head.slice("urn:pulumi:".length), project };
}

export interface Registered {
    /** The URN the registration was answered with (any form, used only as a key). */
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** The `urn` of the parent registration. */
    readonly parent?: string;
    readonly aliases?: readonly AliasSpec[];
}

export interface EngineIdentity {
    readonly urn: string;
    /** Every URN the engine would match against the old state for this resource. */
    readonly aliases: readonly string[];
}

/**
 * Engine URNs and resolved aliases of registrations given parents first (the order in which a
 * program registers them). Like the engine, a child inherits an alias for each of its parent's
 * aliases (same type and name under the parent's old URN), so moving a component moves its subtree.
 */
export function engineIdentities(stack: string, project: string, registered: readonly Registered[]) {
    const byUrn = new Map<string, EngineIdentity>();
    for (const r of registered) {
        const parent = r.parent === undefined ? undefined : byUrn.get(r.parent);
        if (r.parent !== undefined && parent === undefined) {
            throw new Error(`${r.urn}: parent ${r.parent} registered after its child`);
        }
        const urn = engineUrn(stack, project, parent?.urn, r.type, r.name);
        const aliases = new Set<string>();
        for (const alias of r.aliases ?? []) {
            aliases.add(resolveAlias(alias, r, parent?.urn, { stack, project }, byUrn));
        }
        for (const parentAlias of parent?.aliases ?? []) {
            const { stack: aliasStack, project: aliasProject } = stackAndProject(parentAlias);
            aliases.add(engineUrn(aliasStack, aliasProject, parentAlias, r.type, r.name));
        }
        aliases.delete(urn);
        byUrn.set(r.urn, { urn, aliases: [...aliases] });
    }
    return byUrn;
}

function resolveAlias(
    alias: AliasSpec,
    r: Registered,
    parentUrn: string | undefined,
    home: { stack: string; project: string },
    byUrn: ReadonlyMap<string, EngineIdentity>,
): string {
    if ("urn" in alias) return alias.urn;
    let aliasParent: string | undefined = parentUrn;
    if (alias.noParent === true) aliasParent = undefined;
    else if (alias.parentUrn !== undefined) aliasParent = byUrn.get(alias.parentUrn)?.urn ?? alias.parentUrn;
    return engineUrn(
        alias.stack || home.stack,
        alias.project || home.project,
        aliasParent,
        alias.type || r.type,
        alias.name || r.name,
    );
}
