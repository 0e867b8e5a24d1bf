/**
 * Hand-built snapshots for tests and mutation checks: the same ResourceRecord shape the offline
 * preview and the readers produce, so policies under test go through the evaluator's args builder.
 */
import { type ResourceRecord, type StackSnapshot, UNKNOWN } from "../common/resource-record";

export { UNKNOWN };

export interface ResourceOptions {
    /** Outputs (what stack policies see); default: the inputs, plus `id` when given. */
    readonly outputs?: Record<string, unknown>;
    /** Input property -> the resources (or URNs) its value came from. */
    readonly propertyDependencies?: Record<string, readonly (ResourceRecord | string)[]>;
    readonly dependencies?: readonly (ResourceRecord | string)[];
    readonly parent?: ResourceRecord | string;
    readonly id?: string;
    readonly stack?: string;
    readonly project?: string;
    readonly secretProperties?: readonly string[];
    readonly custom?: boolean;
}

const urnOf = (r: ResourceRecord | string) => (typeof r === "string" ? r : r.urn);

/** A resource record; its URN is `urn:pulumi:<stack>::<project>::<type>::<name>` (stack default "dev"). */
export function resource(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    opts: ResourceOptions = {},
): ResourceRecord {
    const stack = opts.stack ?? "dev";
    const project = opts.project ?? "atx-platform";
    const propertyDependencies: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(opts.propertyDependencies ?? {})) {
        propertyDependencies[k] = v.map(urnOf);
    }
    const dependencies = [
        ...new Set([...(opts.dependencies ?? []).map(urnOf), ...Object.values(propertyDependencies).flat()]),
    ];
    return {
        urn: `urn:pulumi:${stack}::${project}::${type}::${name}`,
        type,
        name,
        custom: opts.custom ?? !type.startsWith("awsx:"),
        ...(opts.parent ? { parent: urnOf(opts.parent) } : {}),
        ...(opts.id ? { id: opts.id } : {}),
        inputs,
        outputs: opts.outputs ?? { ...inputs, ...(opts.id ? { id: opts.id } : {}) },
        dependencies,
        propertyDependencies,
        ...(opts.secretProperties ? { secretProperties: opts.secretProperties } : {}),
    };
}

export function snapshot(
    resources: readonly ResourceRecord[],
    opts: { preview?: boolean; stack?: string; project?: string } = {},
): StackSnapshot {
    return {
        project: opts.project ?? "atx-platform",
        stack: opts.stack ?? "dev",
        preview: opts.preview ?? false,
        resources,
    };
}

/** A copy of `record` with some inputs and outputs replaced (undefined removes the property). */
export function withProps(
    record: ResourceRecord,
    changes: Record<string, unknown>,
    where: "inputs" | "outputs" | "both" = "both",
): ResourceRecord {
    const apply = (o: Record<string, unknown>) => {
        const copy: Record<string, unknown> = { ...o, ...changes };
        for (const [k, v] of Object.entries(changes)) {
            if (v === undefined) {
                delete copy[k];
            }
        }
        return copy;
    };
    return {
        ...record,
        inputs: where === "outputs" ? record.inputs : apply(record.inputs),
        outputs: where === "inputs" ? record.outputs : apply(record.outputs),
    };
}
