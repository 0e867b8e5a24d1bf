/**
 * The one shape in which this repository passes registered resources around: produced by the
 * offline preview (from what the program registers under Pulumi's mocks) and by the readers of
 * `pulumi stack export` / `pulumi preview --json` documents, consumed by the policy evaluator.
 *
 * Values the engine would not know yet (ids and computed attributes of resources that do not exist
 * at preview time) are the string UNKNOWN, the same sentinel the Pulumi engine uses on the wire.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface ResourceRecord {
    readonly urn: string;
    /** Type token, e.g. `aws:s3/bucket:Bucket`, or a component's own type. */
    readonly type: string;
    /** The logical name given to the resource constructor. */
    readonly name: string;
    /** True for provider resources, false for component resources. */
    readonly custom: boolean;
    readonly parent?: string;
    readonly provider?: string;
    /** Physical id; UNKNOWN while the resource does not exist yet. */
    readonly id?: string;
    /** Resolved inputs (what resource policies see as `props`). */
    readonly inputs: Record<string, unknown>;
    /** Outputs (what stack policies see as `props`): inputs plus computed values, UNKNOWN at preview. */
    readonly outputs: Record<string, unknown>;
    /** URNs of every resource this one depends on. */
    readonly dependencies: readonly string[];
    /** Input property name -> URNs of the resources that property's value came from. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    /** Input or output property paths (top-level names) that hold Pulumi secrets. */
    readonly secretProperties?: readonly string[];
    /** Engine URNs (full parent-type chain) under which older states may hold this resource. */
    readonly aliases?: readonly string[];
}

export interface StackSnapshot {
    readonly project: string;
    readonly stack: string;
    /** True when values may be UNKNOWN (a preview), false for a deployed stack's state. */
    readonly preview: boolean;
    readonly resources: readonly ResourceRecord[];
    /** Stack tags, as `pulumi:project`, `pulumi:runtime`... the engine gives policies. */
    readonly stackTags?: Readonly<Record<string, string>>;
}
