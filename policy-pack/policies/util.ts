/**
 * Helpers shared by every policy module. Nothing here constructs a PolicyPack, so tests and the
 * offline evaluator can import the policies freely.
 */
import {
    type EnforcementLevel,
    type PolicyConfigSchema,
    type PolicyResource,
    type ReportViolation,
    type ResourceValidation,
    type ResourceValidationArgs,
} from "@pulumi/policy";
import type { Unwrap } from "@pulumi/pulumi";

// `UnknownValueError` exists at run time in @pulumi/policy 1.21 (its `proxy` module, which the
// analyzer server and the package index use too) but is missing from its typings.

const policyRuntime = require("@pulumi/policy/proxy") as { UnknownValueError: new (...args: never[]) => Error };

/**
 * A resource's props as a validation sees them: the provider's argument type (e.g.
 * `aws.s3.BucketArgs`, imported with `import type`) with every input resolved, so a misspelt
 * property does not compile.
 */
export type ResourceProps<Args> = Unwrap<Args>;

/** Every policy of this pack is mandatory unless its own definition says otherwise. */
export const MANDATORY: EnforcementLevel = "mandatory";

/** True when `e` is the error @pulumi/policy throws for a value that can't be known during preview. */
export function isUnknownValueError(e: unknown): e is Error {
    return e instanceof policyRuntime.UnknownValueError;
}

export type Peeked<T> = { known: true; value: T } | { known: false; error: Error };

/**
 * Reads a value through the engine's unknown-checking proxy without letting an unknown abort the
 * policy. Callers that cannot decide without the value must rethrow `error`, so the engine reports
 * "can't run policy ... during preview" instead of a pass.
 */
export function peek<T>(read: () => T): Peeked<T> {
    try {
        return { known: true, value: read() };
    } catch (e) {
        if (isUnknownValueError(e)) {
            return { known: false, error: e };
        }
        throw e;
    }
}

/** A resource validation that applies to the listed types only. */
export type TypedValidation = ResourceValidation & { __pulumiType?: string; readonly __pulumiTypes: readonly string[] };

/**
 * A resource validation restricted to one or more type tokens, like `validateResourceOfType`:
 * other types are not applicable. With a single type, `__pulumiType` lets the engine skip other
 * resources without calling it.
 */
export function validateTypes<T>(
    types: string | readonly string[],
    validate: (
        props: T,
        args: ResourceValidationArgs,
        reportViolation: ReportViolation,
    ) => ReturnType<ResourceValidation>,
): TypedValidation {
    const list = typeof types === "string" ? [types] : [...types];
    const fn = ((args: ResourceValidationArgs, report: ReportViolation) => {
        if (!list.includes(args.type)) {
            return args.notApplicable(
                `Policy only applies to resources of type ${list.map((t) => `'${t}'`).join(", ")}`,
            );
        }
        return validate(args.props as T, args, report);
    }) as TypedValidation;
    (fn as { __pulumiTypes: readonly string[] }).__pulumiTypes = list;
    if (list.length === 1) {
        fn.__pulumiType = list[0];
    }
    return fn;
}

/** One validation dispatching on the resource type to the first part that applies to it. */
export function anyOf(...parts: TypedValidation[]): TypedValidation {
    const byType = new Map<string, TypedValidation>();
    for (const part of parts) {
        for (const t of part.__pulumiTypes) {
            if (!byType.has(t)) {
                byType.set(t, part);
            }
        }
    }
    return validateTypes([...byType.keys()], (_props, args, report) => byType.get(args.type)!(args, report));
}

/** Resources of the given types, in stack order. */
export function ofTypes(resources: readonly PolicyResource[], types: readonly string[]): PolicyResource[] {
    return resources.filter((r) => types.includes(r.type));
}

export function asArray<T>(v: T | readonly T[] | undefined | null): T[] {
    if (v === undefined || v === null) {
        return [];
    }
    return Array.isArray(v) ? [...v] : [v as T];
}

/** A JSON document given either as a string (the usual input) or as an object. */
export function parseJsonDocument(value: unknown): unknown {
    if (typeof value === "string") {
        try {
            return JSON.parse(value) as unknown;
        } catch {
            return undefined;
        }
    }
    return value !== null && typeof value === "object" ? value : undefined;
}

/** Shell-style glob (`*` and `?`) matched against the whole name, case-insensitively. */
export function globMatch(pattern: string, name: string): boolean {
    const re = pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${re}$`, "i").test(name);
}

/** The stack name in a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function stackOfUrn(urn: string): string {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn);
    return m ? m[1] : "";
}

/**
 * The policy's config with the schema defaults filled in. The Pulumi CLI applies schema defaults
 * before it configures the pack; doing it again here keeps the policy correct when run elsewhere.
 */
export function configWithDefaults<T extends object>(schema: PolicyConfigSchema, getConfig: () => Partial<T>): T {
    const defaults: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema.properties)) {
        if (typeof v === "object" && v.default !== undefined) {
            defaults[k] = v.default;
        }
    }
    return { ...defaults, ...getConfig() } as T;
}

/** Builds the policy config schema from a plain map of settings. */
export function schema(properties: PolicyConfigSchema["properties"]): PolicyConfigSchema {
    return { properties };
}

/** The setting of the rules that apply to production stacks only: which stack names are production. */
export const productionStacksSchema = schema({
    productionStacks: {
        type: "array",
        items: { type: "string" },
        default: ["prod", "production"],
        description: "Stack names that are production.",
    },
});

/** True when `key` is present with a non-empty value, or present but not known yet (set to a computed value). */
export function isSet(obj: object | undefined | null, key: string): boolean {
    if (!obj || typeof obj !== "object" || !(key in obj)) {
        return false;
    }
    const v = peek(() => (obj as Record<string, unknown>)[key]);
    return !v.known || (v.value !== undefined && v.value !== null && v.value !== "");
}

/**
 * The tag by which a resource names the rules it is exempt from (policy names separated by
 * spaces). Only rules that document an exemption read it; the tag is set by the component that
 * has the reason, so the exemption is reviewed with the code.
 */
export const EXEMPTIONS_TAG = "atx:policy-exemptions";

/** Does the resource's exemptions tag name `policy`? An unknown tag exempts nothing. */
export function exemptByTag(props: Record<string, unknown>, policy: string): boolean {
    const tag = peek(() => (props.tags as Record<string, unknown> | undefined)?.[EXEMPTIONS_TAG]);
    return tag.known && typeof tag.value === "string" && tag.value.split(/\s+/).includes(policy);
}
