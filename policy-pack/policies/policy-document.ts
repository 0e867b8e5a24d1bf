/**
 * The one reader of IAM and resource policy documents, for every rule that looks into one.
 *
 * A document arrives as a JSON string (known whole, or unknown whole at preview) or as an object
 * whose leaves may be unknown at preview (an ARN of a resource not created yet), wrapped by
 * @pulumi/policy's unknown-checking proxy. The reader reads field by field and element by
 * element, so an unknown ARN leaves the actions, effects, principals and conditions readable; each
 * rule then says "unknown" only when a field it decides on is itself unknown.
 */
import { asArray, peek } from "./util";

/** A value that can't be known during preview, with the engine's error to rethrow. */
export class Unknown {
    constructor(readonly error: Error) {}
}

export type Maybe<T> = T | Unknown;

export const isUnknown = (v: unknown): v is Unknown => v instanceof Unknown;

function read<T>(fn: () => T): Maybe<T> {
    const r = peek(fn);
    return r.known ? r.value : new Unknown(r.error);
}

type Fields = Record<string, unknown>;

/** One statement, read lazily: a field or an element that is unknown is returned as `Unknown`. */
export class PolicyStatement {
    constructor(private readonly fields: Fields) {}

    /** True when the statement has the field, known or not. */
    has(field: string): boolean {
        return field in this.fields;
    }

    get(field: string): Maybe<unknown> {
        return read(() => this.fields[field]);
    }

    /** A string-or-list field as its elements (`[]` when absent); an unknown list is one `Unknown`. */
    list(field: string): Maybe<string>[] {
        const whole = this.get(field);
        if (isUnknown(whole) || !Array.isArray(whole)) {
            return isUnknown(whole) ? [whole] : asArray(whole as string | undefined | null).map(String);
        }
        return Array.from({ length: whole.length }, (_, i) => {
            const element = read(() => (this.fields[field] as unknown[])[i]);
            return isUnknown(element) ? element : String(element);
        });
    }

    /** The statement's condition as `operator -> key -> values`, unknown values as `Unknown`. */
    conditions(): Maybe<{ operator: string; key: string; values: Maybe<string>[] }[]> {
        const condition = this.get("Condition");
        if (isUnknown(condition)) {
            return condition;
        }
        const out: { operator: string; key: string; values: Maybe<string>[] }[] = [];
        if (!condition || typeof condition !== "object") {
            return out;
        }
        for (const operator of Object.keys(condition)) {
            const clauses = read(() => (condition as Fields)[operator]);
            if (isUnknown(clauses)) {
                return clauses;
            }
            if (!clauses || typeof clauses !== "object") {
                continue;
            }
            for (const key of Object.keys(clauses)) {
                out.push({ operator, key, values: new PolicyStatement(clauses as Fields).list(key) });
            }
        }
        return out;
    }
}

/**
 * The statements of a document given as a JSON string or an object; `"invalid"` for a document
 * that is not one, `Unknown` when the document or its statement list can't be known yet.
 */
export function readPolicyDocument(get: () => unknown): Maybe<PolicyStatement[] | "invalid"> {
    const raw = read(get);
    if (isUnknown(raw)) {
        return raw;
    }
    let doc: unknown = raw;
    if (typeof raw === "string") {
        try {
            doc = JSON.parse(raw);
        } catch {
            return "invalid";
        }
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
        return "invalid";
    }
    const statements = read(() => (doc as Fields).Statement);
    if (isUnknown(statements)) {
        return statements;
    }
    const list = Array.isArray(statements)
        ? Array.from({ length: statements.length }, (_, i) => read(() => (statements as unknown[])[i]))
        : asArray(statements);
    const unknown = list.find(isUnknown);
    if (unknown) {
        return unknown;
    }
    return list.filter((s): s is Fields => !!s && typeof s === "object").map((s) => new PolicyStatement(s));
}

/** The first element that is `Unknown`, if any. */
export const firstUnknown = (values: readonly Maybe<unknown>[]): Unknown | undefined => values.find(isUnknown);

/** True, false, or unknown when `Effect` is unknown. */
export function effectIs(s: PolicyStatement, effect: "Allow" | "Deny"): Maybe<boolean> {
    const e = s.get("Effect");
    return isUnknown(e) ? e : e === effect;
}

/** Is the principal everyone (`"*"` or `{"AWS": "*"}`)? Unknown only when that can't be told. */
export function principalIsEveryone(s: PolicyStatement): Maybe<boolean> {
    const p = s.get("Principal");
    if (isUnknown(p) || p === "*") {
        return isUnknown(p) ? p : true;
    }
    if (!p || typeof p !== "object") {
        return false;
    }
    const aws = new PolicyStatement(p as Fields).list("AWS");
    return aws.includes("*") ? true : (firstUnknown(aws) ?? false);
}

/** Does a condition `operator` (matched by `op`) require `key` (case-insensitively) to be `value`? */
export function conditionRequires(s: PolicyStatement, op: RegExp, key: string, value: string): Maybe<boolean> {
    const conditions = s.conditions();
    if (isUnknown(conditions)) {
        return conditions;
    }
    let unknown: Unknown | undefined;
    for (const c of conditions) {
        if (!op.test(c.operator) || c.key.toLowerCase() !== key.toLowerCase()) {
            continue;
        }
        if (c.values.some((v) => !isUnknown(v) && v.toLowerCase() === value)) {
            return true;
        }
        unknown = unknown ?? firstUnknown(c.values);
    }
    return unknown ?? false;
}

/** The condition keys of a statement (lower case); unknown only when the condition's shape is. */
export function conditionKeys(s: PolicyStatement): Maybe<string[]> {
    const conditions = s.conditions();
    return isUnknown(conditions) ? conditions : conditions.map((c) => c.key.toLowerCase());
}

/**
 * Why an Allow statement grants administrator-style access (`*` as an action, `NotAction`, or a
 * `service:*` wildcard on every resource), `undefined` when it doesn't, `Unknown` when a field
 * that decides it (the effect, an action, or the resources of a `service:*`) is unknown.
 */
export function adminWildcard(s: PolicyStatement): Maybe<string | undefined> {
    const allow = effectIs(s, "Allow");
    if (allow !== true) {
        return isUnknown(allow) ? allow : undefined;
    }
    if (s.has("NotAction")) {
        return "allows every action except a list (NotAction)";
    }
    const actions = s.list("Action");
    if (actions.includes("*")) {
        return "allows action '*'";
    }
    const serviceWildcards = actions.filter((a): a is string => !isUnknown(a) && /^[a-z0-9-]+:\*$/i.test(a));
    if (serviceWildcards.length > 0) {
        const resources = s.list("Resource");
        if (resources.includes("*") || s.has("NotResource")) {
            return `allows ${serviceWildcards.map((a) => `'${a}'`).join(", ")} on resource '*'`;
        }
        const unknownResource = firstUnknown(resources);
        if (unknownResource) {
            return unknownResource;
        }
    }
    return firstUnknown(actions);
}

/**
 * Does some statement deny every action of `service` (or `*`), or the actions listed in
 * `acceptedActions`, to everyone when `aws:SecureTransport` is `false`? Unknown when no statement
 * settles it and one of them has an unknown deciding field.
 */
export function deniesInsecureTransport(
    statements: readonly PolicyStatement[],
    service: string,
    acceptedActions: readonly string[] = [],
): Maybe<boolean> {
    const actionsOk = (s: PolicyStatement): Maybe<boolean> => {
        const actions = s.list("Action");
        const wanted = ["*", `${service}:*`, ...acceptedActions].map((a) => a.toLowerCase());
        return actions.some((a) => !isUnknown(a) && wanted.includes(a.toLowerCase()))
            ? true
            : (firstUnknown(actions) ?? false);
    };
    return some(statements, (s) =>
        all([
            () => effectIs(s, "Deny"),
            () => principalIsEveryone(s),
            () => actionsOk(s),
            () => conditionRequires(s, /^Bool$/i, "aws:SecureTransport", "false"),
        ]),
    );
}

/** Three-valued "and": false as soon as one part is false, else unknown if one is, else true. */
export function all(parts: readonly (() => Maybe<boolean>)[]): Maybe<boolean> {
    let unknown: Unknown | undefined;
    for (const part of parts) {
        const v = part();
        if (v === false) {
            return false;
        }
        unknown = unknown ?? (isUnknown(v) ? v : undefined);
    }
    return unknown ?? true;
}

/** Three-valued "some": true as soon as one item is, else unknown if one is, else false. */
export function some<T>(items: readonly T[], test: (item: T) => Maybe<boolean>): Maybe<boolean> {
    let unknown: Unknown | undefined;
    for (const item of items) {
        const v = test(item);
        if (v === true) {
            return true;
        }
        unknown = unknown ?? (isUnknown(v) ? v : undefined);
    }
    return unknown ?? false;
}

/** A decided value, or the engine's "can't run during preview" for an unknown one. */
export function known<T>(v: Maybe<T>): T {
    if (isUnknown(v)) {
        throw v.error;
    }
    return v;
}

/**
 * The statements of a document that must be read to decide a rule; a document that can't be
 * parsed has none, an unknown one is the engine's "can't run during preview".
 */
export function statementsToDecide(get: () => unknown): PolicyStatement[] {
    const statements = known(readPolicyDocument(get));
    return statements === "invalid" ? [] : statements;
}

/** `deniesInsecureTransport` over the document read through `get`, unknown as the engine's error. */
export function documentDeniesInsecureTransport(
    get: () => unknown,
    service: string,
    acceptedActions: readonly string[] = [],
): boolean {
    return known(deniesInsecureTransport(statementsToDecide(get), service, acceptedActions));
}

/** Condition keys that pin an Allow-to-everyone statement to a known account, organisation, network or source. */
const RESTRICTING_CONDITION_KEYS = [
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:principalorgid",
    "aws:principalaccount",
    "aws:sourceowner",
    "aws:principalarn",
    "aws:userid",
    "aws:sourceip",
];

/** Does the statement allow everyone without a restricting condition? */
export function isPublicStatement(s: PolicyStatement): Maybe<boolean> {
    return all([
        () => effectIs(s, "Allow"),
        () => principalIsEveryone(s),
        () => {
            const keys = conditionKeys(s);
            return isUnknown(keys) ? keys : !keys.some((k) => RESTRICTING_CONDITION_KEYS.includes(k));
        },
    ]);
}

/** Does the document read through `get` have a public statement? Unknown as the engine's error. */
export function documentIsPublic(get: () => unknown): boolean {
    return known(some(statementsToDecide(get), isPublicStatement));
}
