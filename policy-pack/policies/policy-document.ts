/** Reading IAM / resource policy documents (given as JSON strings or objects). */
import { asArray, parseJsonDocument } from "./util";

export interface Statement {
    readonly Sid?: string;
    readonly Effect?: string;
    readonly Action?: string | string[];
    readonly NotAction?: string | string[];
    readonly Resource?: string | string[];
    readonly NotResource?: string | string[];
    readonly Principal?: string | Record<string, string | string[]>;
    readonly NotPrincipal?: unknown;
    readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of a policy document; `undefined` when the document can't be parsed. */
export function statementsOf(document: unknown): Statement[] | undefined {
    const doc = parseJsonDocument(document);
    if (!doc || typeof doc !== "object") {
        return undefined;
    }
    return asArray(doc.Statement).filter((s) => s && typeof s === "object") as Statement[];
}

export const actionsOf = (s: Statement): string[] => asArray(s.Action).map(String);
export const resourcesOf = (s: Statement): string[] => asArray(s.Resource).map(String);

/** True when the statement's principal is everyone (`"*"` or `{"AWS": "*"}`). */
export function principalIsEveryone(s: Statement): boolean {
    const p = s.Principal;
    if (p === "*") {
        return true;
    }
    return !!p && typeof p === "object" && asArray(p.AWS).includes("*");
}

/** True when the statement's condition requires `key` (case-insensitively) to be `value`. */
export function conditionRequires(s: Statement, operator: RegExp, key: string, value: string): boolean {
    for (const [op, clauses] of Object.entries(s.Condition ?? {})) {
        if (!operator.test(op) || !clauses || typeof clauses !== "object") {
            continue;
        }
        for (const [k, v] of Object.entries(clauses)) {
            if (
                k.toLowerCase() === key.toLowerCase() &&
                asArray(v as unknown)
                    .map((x) => String(x).toLowerCase())
                    .includes(value)
            ) {
                return true;
            }
        }
    }
    return false;
}

/**
 * Why an Allow statement grants administrator-style access, or undefined when it doesn't:
 * `*` as an action anywhere, `NotAction` (allow everything but a list), or a `service:*` wildcard
 * on every resource.
 */
export function adminWildcard(s: Statement): string | undefined {
    if (s.Effect !== "Allow") {
        return undefined;
    }
    if (s.NotAction !== undefined) {
        return "allows every action except a list (NotAction)";
    }
    const actions = actionsOf(s);
    if (actions.includes("*")) {
        return "allows action '*'";
    }
    const allResources = resourcesOf(s).includes("*") || s.NotResource !== undefined;
    const serviceWildcards = actions.filter((a) => /^[a-z0-9-]+:\*$/i.test(a));
    if (allResources && serviceWildcards.length > 0) {
        return `allows ${serviceWildcards.map((a) => `'${a}'`).join(", ")} on resource '*'`;
    }
    return undefined;
}
