/**
 * Runs a policy pack over a StackSnapshot the way the Pulumi engine runs it through
 * @pulumi/policy 1.21 (server.js): each resource policy on every resource's inputs, each stack
 * policy once on all resources' outputs; UnknownValueError becomes the engine's advisory "can't
 * run policy ... during preview", NotApplicableError is skipped, any other error fails the run.
 */
import {
    type EnforcementLevel,
    type Policies,
    type Policy,
    type PolicyConfigSchema,
    type ResourceValidation,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
} from "@pulumi/policy";
import { type ResourceRecord, type StackSnapshot } from "../common/resource-record";
import { buildResourceArgs, buildStackArgs, NotApplicableError, policyRuntime, stackTagsOf } from "./args";

export interface Violation {
    readonly policyPack: string;
    readonly policy: string;
    readonly enforcementLevel: "mandatory" | "advisory";
    /** The resource the violation is about; "" for a stack-wide violation. */
    readonly urn: string;
    readonly message: string;
}

export interface PackInfo {
    readonly name: string;
    readonly version: string;
    readonly enforcementLevel: EnforcementLevel;
}

/** `pulumi preview --policy-pack-config` JSON: per policy an enforcement level or an object of settings. */
export type PackConfig = Record<
    string,
    EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

/** The pack config or the policies could not be used: the run can't be trusted. */
export class EvaluationError extends Error {}

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

interface NormalizedConfig {
    readonly levels: ReadonlyMap<string, EnforcementLevel>;
    readonly settings: ReadonlyMap<string, Record<string, unknown>>;
}

/** The parts of a property's JSON schema the type check reads. */
interface TypeSchema {
    readonly type?: string | readonly string[];
    readonly items?: unknown;
}

function checkType(value: unknown, propertySchema: unknown, where: string) {
    const schema = (propertySchema !== null && typeof propertySchema === "object" ? propertySchema : {}) as TypeSchema;
    const types: string[] = schema.type === undefined ? [] : ([] as string[]).concat(schema.type);
    if (types.length === 0) {
        return;
    }
    const actual = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
    const ok = types.some(
        (t) => t === actual || (t === "integer" && Number.isInteger(value)) || (t === "number" && actual === "number"),
    );
    if (!ok) {
        throw new EvaluationError(`pack config ${where} must be of type ${types.join(" or ")}, got ${actual}`);
    }
    if (actual === "array" && schema.items && !Array.isArray(schema.items)) {
        (value as unknown[]).forEach((v, i) => checkType(v, schema.items, `${where}[${i}]`));
    }
}

/** Validates the pack config against the policies (names, levels, schema types) and splits levels from settings. */
export function normalizePackConfig(config: PackConfig | undefined, policies: Policies): NormalizedConfig {
    const levels = new Map<string, EnforcementLevel>();
    const settings = new Map<string, Record<string, unknown>>();
    const byName = new Map<string, Policy>(policies.map((p) => [p.name, p]));
    let all: EnforcementLevel | undefined;
    for (const [name, value] of Object.entries(config ?? {})) {
        const level = typeof value === "string" ? value : value?.enforcementLevel;
        if (level !== undefined && !LEVELS.includes(level)) {
            throw new EvaluationError(
                `pack config for '${name}' has an invalid enforcement level '${level}' (one of ${LEVELS.join(", ")})`,
            );
        }
        if (name === "all") {
            all = level;
            continue;
        }
        const policy = byName.get(name);
        if (!policy) {
            throw new EvaluationError(`pack config names '${name}', which is not a policy of the pack`);
        }
        if (level) {
            levels.set(name, level);
        }
        if (typeof value === "object" && value !== null) {
            const { enforcementLevel: _ignored, ...props } = value;
            const schema: PolicyConfigSchema | undefined = policy.configSchema;
            for (const [k, v] of Object.entries(props)) {
                const prop = schema?.properties[k];
                if (!prop) {
                    throw new EvaluationError(`pack config for '${name}' has '${k}', which the policy does not take`);
                }
                checkType(v, prop, `${name}.${k}`);
            }
            settings.set(name, props);
        }
    }
    if (all) {
        for (const p of policies) {
            if (!levels.has(p.name)) {
                levels.set(p.name, all);
            }
        }
    }
    return { levels, settings };
}

/** The policy's effective enforcement level: pack config for the policy, else the policy's own, else the pack's. */
export function effectiveLevel(policy: Policy, config: NormalizedConfig, pack: PackInfo): EnforcementLevel {
    return config.levels.get(policy.name) ?? policy.enforcementLevel ?? pack.enforcementLevel ?? "advisory";
}

/** A violation reported as an object rather than a message. */
interface ViolationObject {
    readonly message?: string;
    readonly description?: string;
    readonly urn?: string;
    readonly enforcementLevel?: string;
}

/** What `getConfig()` returns: the configured settings over the schema's defaults (the CLI fills defaults in). */
function configGetter(policy: Policy, config: NormalizedConfig): () => object {
    const defaults: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (typeof v === "object" && v.default !== undefined) {
            defaults[k] = v.default;
        }
    }
    const merged = { ...defaults, ...(config.settings.get(policy.name) ?? {}) };
    return () => JSON.parse(JSON.stringify(merged)) as object;
}

const isResourcePolicy = (p: Policy): p is ResourceValidationPolicy => policyRuntime.isResourcePolicy(p);
const isStackPolicy = (p: Policy): p is StackValidationPolicy => policyRuntime.isStackPolicy(p);

export interface EvaluateOptions {
    readonly pack: PackInfo;
    readonly packConfig?: PackConfig;
}

/** Runs every policy over the snapshot; violations in the engine's order (resources, then stack). */
export async function evaluate(
    snapshot: StackSnapshot,
    policies: Policies,
    options: EvaluateOptions,
): Promise<Violation[]> {
    const { pack } = options;
    const config = normalizePackConfig(options.packConfig, policies);
    const stackTags = stackTagsOf(snapshot);
    const byUrn = new Map(snapshot.resources.map((r) => [r.urn, r] as const));
    // A stack policy's violation that names no resource is the root stack's, as the engine reports it.
    const stackUrn = snapshot.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    const violations: Violation[] = [];
    const packRef = `'${pack.name}@v${pack.version}'`;

    const active = policies
        .map((p) => ({ policy: p, level: effectiveLevel(p, config, pack) }))
        .filter(({ level }) => level !== "disabled")
        .map(({ policy, level }) => ({
            policy,
            level: (level === "remediate" ? "mandatory" : level) as "mandatory" | "advisory",
            ctx: { stackTags, byUrn, getConfig: configGetter(policy, config) },
        }));

    const push = (policy: Policy, level: "mandatory" | "advisory", urn: string, message: string) =>
        violations.push({ policyPack: pack.name, policy: policy.name, enforcementLevel: level, urn, message });

    /**
     * The engine's reportViolation: the description, then the message on the next line; or, given
     * an object (which server.js also accepts), its message/description, urn and enforcement level.
     */
    const reporter =
        (policy: Policy, level: "mandatory" | "advisory", defaultUrn: string) =>
        (message?: string | ViolationObject, urn?: string) => {
            if (message !== null && typeof message === "object") {
                const l = message.enforcementLevel === "remediate" ? "mandatory" : message.enforcementLevel;
                push(
                    policy,
                    l === "advisory" || l === "mandatory" ? l : level,
                    message.urn ?? defaultUrn,
                    message.message || message.description || policy.description,
                );
                return;
            }
            push(policy, level, urn ?? defaultUrn, message ? `${policy.description}\n${message}` : policy.description);
        };

    const handle = (e: unknown, policy: Policy, urn: string) => {
        const from = `policy '${policy.name}' from policy pack ${packRef}`;
        if (e instanceof policyRuntime.UnknownValueError) {
            push(policy, "advisory", urn, `can't run ${from} during preview: ${e.message}`);
        } else if (!(e instanceof NotApplicableError)) {
            const err = new EvaluationError(
                `Error validating resource with ${from}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
            );
            throw err;
        }
    };

    for (const r of snapshot.resources) {
        for (const { policy, level, ctx } of active) {
            if (!isResourcePolicy(policy) || !policy.validateResource) {
                continue;
            }
            if (!Array.isArray(policy.validateResource)) {
                const t = policyRuntime.getPulumiType(policy.validateResource);
                if (t && t !== r.type) {
                    continue;
                }
            }
            const validations = ([] as ResourceValidation[]).concat(policy.validateResource);
            for (const validation of validations) {
                try {
                    await validation(buildResourceArgs(r, ctx), reporter(policy, level, r.urn));
                } catch (e) {
                    handle(e, policy, r.urn);
                }
            }
        }
    }

    for (const { policy, level, ctx } of active) {
        if (!isStackPolicy(policy)) {
            continue;
        }
        const t = policyRuntime.getPulumiType(policy.validateStack);
        if (t && !snapshot.resources.some((r) => r.type === t)) {
            continue;
        }
        try {
            await policy.validateStack(buildStackArgs(snapshot.resources, ctx), reporter(policy, level, stackUrn));
        } catch (e) {
            handle(e, policy, stackUrn);
        }
    }
    return violations;
}

export interface Summary {
    readonly mandatory: number;
    readonly advisory: number;
    readonly resources: number;
}

export interface EvaluationResult {
    readonly violations: Violation[];
    readonly summary: Summary;
    /** The pack that produced the result. */
    readonly pack: PackInfo;
    readonly policies: readonly Pick<Policy, "name" | "description" | "enforcementLevel">[];
}

export function summarize(violations: readonly Violation[], resources: readonly ResourceRecord[]): Summary {
    return {
        mandatory: violations.filter((v) => v.enforcementLevel === "mandatory").length,
        advisory: violations.filter((v) => v.enforcementLevel === "advisory").length,
        resources: resources.length,
    };
}
