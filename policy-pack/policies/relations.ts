/**
 * Cross-resource matching for stack policies. At preview the ids that link resources (a
 * BucketVersioning's `bucket`, a FlowLog's `vpcId`) are unknown, so a link is first looked for in
 * `propertyDependencies` (which the engine resolves to resource objects); in exported state the
 * values are known and are compared with the target's identifying outputs. When neither settles
 * the question the answer is "unknown": the caller rethrows the engine's UnknownValueError so the
 * policy is reported as not runnable during preview, never as passing.
 */
import { type PolicyResource } from "@pulumi/policy";
import { isUnknownValueError, peek } from "./util";

export type Link = true | false | { unknown: Error };

/**
 * Does property `prop` of `from` refer to `target`? `targetKeys` are the target's outputs that
 * hold its identifier (equal values, e.g. a bucket's `bucket` name and `id`): the first one known
 * is compared.
 */
export function refersTo(
    from: PolicyResource,
    prop: string,
    target: PolicyResource,
    targetKeys: readonly string[],
): Link {
    const deps = from.propertyDependencies[prop] ?? [];
    if (deps.some((d) => d.urn === target.urn)) {
        return true;
    }
    const ref = peek<unknown>(() => from.props[prop]);
    if (!ref.known) {
        // The value comes from other resources (known dependencies that are not the target), or is
        // simply not known yet with nothing to follow.
        return deps.length > 0 ? false : { unknown: ref.error };
    }
    if (ref.value === undefined || ref.value === null) {
        return false;
    }
    let unknown: Error | undefined;
    for (const key of targetKeys) {
        const id = peek<unknown>(() => target.props[key]);
        if (id.known) {
            if (id.value !== undefined && id.value !== null) {
                return id.value === ref.value;
            }
        } else {
            unknown = unknown ?? id.error;
        }
    }
    return unknown ? { unknown } : false;
}

/** Do `a.propA` and `b.propB` hold the same reference (same source resource, or same known value)? */
export function sameReference(a: PolicyResource, propA: string, b: PolicyResource, propB: string): Link {
    const depsA = a.propertyDependencies[propA] ?? [];
    const depsB = b.propertyDependencies[propB] ?? [];
    if (depsA.some((d) => depsB.some((e) => e.urn === d.urn))) {
        return true;
    }
    const va = peek<unknown>(() => a.props[propA]);
    const vb = peek<unknown>(() => b.props[propB]);
    if (va.known && vb.known) {
        return va.value !== undefined && va.value === vb.value;
    }
    const error = !va.known ? va.error : (vb as { error: Error }).error;
    // Both values derive from known but different resources: they can't be the same reference.
    if (depsA.length > 0 && depsB.length > 0) {
        return false;
    }
    return { unknown: error };
}

export interface Related {
    /** Candidates that certainly refer to the target. */
    readonly matches: PolicyResource[];
    /** Set when some candidate may or may not refer to the target. */
    readonly unknown?: Error;
}

/** Every candidate for which `link` says it refers to the target. */
export function related(candidates: readonly PolicyResource[], link: (c: PolicyResource) => Link): Related {
    const matches: PolicyResource[] = [];
    let unknown: Error | undefined;
    for (const c of candidates) {
        const l = link(c);
        if (l === true) {
            matches.push(c);
        } else if (l !== false) {
            unknown = unknown ?? l.unknown;
        }
    }
    return { matches, unknown };
}

/** Evaluates a check that may read unknown values: true, false or unknown. */
export function check(fn: () => boolean): Link {
    const r = peek(fn);
    return r.known ? r.value : { unknown: r.error };
}

/**
 * The verdict for one target: compliant when `satisfied` holds for some matching candidate or for
 * the target's own inline settings (`inline`); otherwise, when anything undecidable remains, the
 * engine's UnknownValueError is thrown (an advisory "can't run policy during preview"); otherwise
 * `false`, a violation to report.
 */
export function decide(rel: Related, satisfied: (r: PolicyResource) => boolean, inline: Link = false): boolean {
    if (inline === true) {
        return true;
    }
    let unknown = rel.unknown ?? (inline === false ? undefined : inline.unknown);
    for (const m of rel.matches) {
        const l = check(() => satisfied(m));
        if (l === true) {
            return true;
        }
        if (l !== false) {
            unknown = unknown ?? l.unknown;
        }
    }
    if (unknown) {
        throw unknown;
    }
    return false;
}

/**
 * Runs one check per target of a stack policy so that an undecidable target does not hide the
 * violations of the others: violations are reported as found, and `finish` then rethrows the
 * first UnknownValueError, which the engine reports as "can't run policy ... during preview".
 */
export class PerTarget {
    private unknown?: Error;

    run(fn: () => void): void {
        try {
            fn();
        } catch (e) {
            if (!isUnknownValueError(e)) {
                throw e;
            }
            this.unknown = this.unknown ?? e;
        }
    }

    finish(): void {
        if (this.unknown) {
            throw this.unknown;
        }
    }
}
