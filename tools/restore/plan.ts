/**
 * Which object version a restore copies back, decided from version listings alone (no AWS calls):
 * the output bucket's versions first, then its replica's when the version is gone from the source.
 */

export interface ObjectVersion {
    readonly versionId: string;
    readonly lastModified: Date;
    readonly isDeleteMarker: boolean;
    readonly isLatest: boolean;
}

/** What to restore: one version id, the newest version before a time, or (neither) the newest live version. */
export type Selector = { readonly versionId: string } | { readonly before: Date } | { readonly latestLive: true };

export type Plan =
    | { readonly action: "restore"; readonly from: "source" | "replica"; readonly versionId: string }
    | { readonly action: "none"; readonly reason: string }
    | { readonly action: "missing"; readonly reason: string };

/** The version of one listing the selector designates; undefined when this listing has none. */
function pick(versions: readonly ObjectVersion[], selector: Selector): ObjectVersion | undefined {
    const newestFirst = [...versions].sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime());
    if ("versionId" in selector) {
        return versions.find((v) => v.versionId === selector.versionId && !v.isDeleteMarker);
    }
    if ("before" in selector) {
        const then = newestFirst.find((v) => v.lastModified.getTime() < selector.before.getTime());
        return then === undefined || then.isDeleteMarker ? undefined : then;
    }
    return newestFirst.find((v) => !v.isDeleteMarker);
}

function describe(selector: Selector): string {
    if ("versionId" in selector) return `version ${selector.versionId}`;
    if ("before" in selector) return `a version current before ${selector.before.toISOString()}`;
    return "a version that is not a delete marker";
}

/**
 * The restore plan: the source's own version when it still has it; else the replica's (S3
 * replication keeps version ids and dates); `none` when the designated version is already current.
 */
export function planRestore(
    source: readonly ObjectVersion[],
    replica: readonly ObjectVersion[] | undefined,
    selector: Selector,
): Plan {
    const own = pick(source, selector);
    if (own !== undefined) {
        return own.isLatest
            ? { action: "none", reason: `version ${own.versionId} is already the current version` }
            : { action: "restore", from: "source", versionId: own.versionId };
    }
    const copy = replica === undefined ? undefined : pick(replica, selector);
    if (copy !== undefined) {
        return { action: "restore", from: "replica", versionId: copy.versionId };
    }
    const where =
        replica === undefined ? "the output bucket (no replica configured)" : "the output bucket or its replica";
    return { action: "missing", reason: `neither ${where} has ${describe(selector)}` };
}
