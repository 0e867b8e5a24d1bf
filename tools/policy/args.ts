/**
 * Builds the arguments @pulumi/policy 1.21 gives policies (see its server.js: makeAnalyzeRpcFun,
 * makeAnalyzeStackRpcFun), from this repository's ResourceRecords. Used by the evaluator and by
 * the tests, so a policy under test sees exactly what it sees in the harness.
 */
import {
    type PolicyProviderResource,
    type PolicyResource,
    type PolicyResourceOptions,
    type ResourceValidationArgs,
    type StackValidationArgs,
} from "@pulumi/policy";
import { type ResourceRecord, type StackSnapshot } from "../common/resource-record";

interface PolicyRuntime {
    unknownCheckingProxy: <T extends object>(value: T) => T;
    UnknownValueError: new (...args: unknown[]) => Error;
}
// Both exist at run time in @pulumi/policy 1.21.0 (module `proxy`, the one its analyzer server
// uses) but are not in its typings. The rest of the package (its gRPC server) is not needed here.

const proxy = require("@pulumi/policy/proxy") as PolicyRuntime;

/** @pulumi/policy's own helpers (policy.js), restated so that loading the evaluator does not load the analyzer server. */
export const policyRuntime = {
    unknownCheckingProxy: proxy.unknownCheckingProxy,
    UnknownValueError: proxy.UnknownValueError,
    getPulumiType(obj: unknown): string | undefined {
        const t = (obj as { __pulumiType?: unknown } | undefined)?.__pulumiType;
        return typeof t === "string" && t.length > 0 ? t : undefined;
    },
    isResourcePolicy(p: object): boolean {
        const { validateResource: v, remediateResource } = p as {
            validateResource?: unknown;
            remediateResource?: unknown;
        };
        if (typeof v === "function") {
            return true;
        }
        if (Array.isArray(v)) {
            return v.every((f: unknown) => typeof f === "function");
        }
        return typeof remediateResource === "function";
    },
    isStackPolicy(p: object): boolean {
        return typeof (p as { validateStack?: unknown }).validateStack === "function";
    },
};

/** The signature key and value of a serialized Pulumi secret. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Thrown by `notApplicable`, as the engine's own NotApplicableError. */
export class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

/** Throws NotApplicableError without capturing a stack trace: nothing reads it, and it is thrown for most resource/policy pairs. */
function throwNotApplicable(reason?: string): never {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        throw new NotApplicableError(reason);
    } finally {
        Error.stackTraceLimit = limit;
    }
}

/**
 * What deserializeProperties does to the wire value: properties whose value is undefined do not
 * exist, secrets are unwrapped to their plain value (validation never sees a Secret), and arrays
 * keep their length. A fresh copy each call, so a policy that writes to its props changes nothing.
 * Each property is copied when first read (then kept as a plain data property): a policy reads a few
 * properties of the resources it checks, and copying all of them for every policy dominated the evaluation.
 */
export function deserializeProperties(value: Record<string, unknown>): Record<string, unknown> {
    const props: Record<string, unknown> = {};
    const settle = (key: string, data: unknown) =>
        Object.defineProperty(props, key, { value: data, writable: true, enumerable: true, configurable: true });
    for (const [k, v] of Object.entries(value ?? {})) {
        if (v !== undefined) {
            Object.defineProperty(props, k, {
                enumerable: true,
                configurable: true,
                get: () => {
                    const data: unknown = deserializeProperty(v);
                    settle(k, data);
                    return data;
                },
                set: (data: unknown) => settle(k, data),
            });
        }
    }
    return props;
}

function deserializeProperty(v: unknown): unknown {
    if (v === null || v === undefined || typeof v !== "object") {
        return v === undefined ? null : v;
    }
    if (Array.isArray(v)) {
        return v.map(deserializeProperty);
    }
    const o = v as Record<string, unknown>;
    if (o[SECRET_SIG_KEY] === SECRET_SIG) {
        return deserializeProperty(o.value);
    }
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(o)) {
        if (e !== undefined) {
            out[k] = deserializeProperty(e);
        }
    }
    return out;
}

/** Props as a policy reads them: deserialized, then wrapped so that reading an unknown throws. */
export function policyProps(values: Record<string, unknown>): Record<string, unknown> {
    return policyRuntime.unknownCheckingProxy(deserializeProperties(values));
}

/** The engine's read-only stack tags map. */
export function stackTagsOf(snapshot: Pick<StackSnapshot, "stackTags" | "project">): ReadonlyMap<string, string> {
    const map = new Map(Object.entries(snapshot.stackTags ?? { "pulumi:project": snapshot.project }));
    return Object.freeze({
        entries: map.entries.bind(map),
        forEach: map.forEach.bind(map),
        get: map.get.bind(map),
        has: map.has.bind(map),
        keys: map.keys.bind(map),
        size: map.size,
        values: map.values.bind(map),
        [Symbol.iterator]: map[Symbol.iterator].bind(map),
    });
}

export function resourceOptions(r: ResourceRecord): PolicyResourceOptions {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        // The engine sends the resource's additionalSecretOutputs; our records carry the secret
        // properties the preview or the state showed, which is what that option produces.
        additionalSecretOutputs: [...(r.secretProperties ?? [])],
        ...(r.parent ? { parent: r.parent } : {}),
    };
}

/** A provider reference is `<provider urn>::<provider id>`. */
function providerOf(r: ResourceRecord, byUrn: ReadonlyMap<string, ResourceRecord>): PolicyProviderResource | undefined {
    if (!r.provider) {
        return undefined;
    }
    const urn = r.provider.replace(/::[^:]*$/, "");
    const p = byUrn.get(urn) ?? byUrn.get(r.provider);
    if (!p) {
        return undefined;
    }
    return { type: p.type, props: policyProps(p.inputs), urn: p.urn, name: p.name };
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const pulumiType = policyRuntime.getPulumiType(resourceClass);
    if (pulumiType) {
        return type === pulumiType;
    }
    const isInstance = (resourceClass as { isInstance?: (obj: unknown) => unknown } | undefined)?.isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

export interface ArgsContext {
    readonly stackTags: ReadonlyMap<string, string>;
    readonly byUrn: ReadonlyMap<string, ResourceRecord>;
    readonly getConfig: () => object;
}

/** The args of one resource validation: the resource's inputs as props. */
export function buildResourceArgs(r: ResourceRecord, ctx: ArgsContext): ResourceValidationArgs {
    const props = policyProps(r.inputs);
    const args: ResourceValidationArgs = {
        type: r.type,
        props,
        urn: r.urn,
        name: r.name,
        opts: resourceOptions(r),
        stackTags: ctx.stackTags,
        isType: (cls: unknown) => isTypeOf(r.type, cls),
        asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: ctx.getConfig as ResourceValidationArgs["getConfig"],
        notApplicable: throwNotApplicable,
    };
    const provider = providerOf(r, ctx.byUrn);
    if (provider) {
        args.provider = provider;
    }
    return args;
}

/** The args of one stack validation: every resource's outputs as props, relations resolved. */
export function buildStackArgs(resources: readonly ResourceRecord[], ctx: ArgsContext): StackValidationArgs {
    const built = new Map<string, PolicyResource>();
    for (const r of resources) {
        const props = policyProps(r.outputs);
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: resourceOptions(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls: unknown) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
        const provider = providerOf(r, ctx.byUrn);
        if (provider) {
            resource.provider = provider;
        }
        built.set(r.urn, resource);
    }
    const resolve = (urns: readonly string[]) => urns.map((u) => built.get(u)).filter((x): x is PolicyResource => !!x);
    for (const r of resources) {
        const resource = built.get(r.urn)!;
        if (r.parent && built.has(r.parent)) {
            resource.parent = built.get(r.parent);
        }
        resource.dependencies = resolve(r.dependencies);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
            resource.propertyDependencies[k] = resolve(urns);
        }
    }
    return {
        resources: resources.map((r) => built.get(r.urn)!),
        stackTags: ctx.stackTags,
        getConfig: ctx.getConfig as StackValidationArgs["getConfig"],
        notApplicable: throwNotApplicable,
    };
}
