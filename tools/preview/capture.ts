/**
 * Runs a Pulumi program in this process under the mocks and records every registration the way the
 * engine sees it: type, name, parent, inputs, outputs, dependencies and property dependencies.
 * One program per process: Node caches the program module and the SDK keeps global state.
 */
import * as pulumi from "@pulumi/pulumi";
import { type ResourceRecord, type StackSnapshot, UNKNOWN } from "../common/resource-record";
import { type MockEnvironment, PlatformMocks } from "./mocks";
import { withComputedUnknown } from "./provider-schema";
import { type AliasSpec, engineIdentities, engineUrn } from "./urns";
import type { Alias } from "@pulumi/pulumi/proto/alias_pb";
import type {
    RegisterResourceOutputsRequest,
    RegisterResourceRequest,
    RegisterResourceResponse,
} from "@pulumi/pulumi/proto/resource_pb";

// Internal SDK modules: the public setMocks hides the monitor, whose requests carry the dependencies.
/** The SDK's mock monitor as extended here: its typings make `newUrn` private, and overriding it is the point. */
interface MockMonitorBase {
    registerResource(
        req: RegisterResourceRequest,
        callback: (err: unknown, resp: RegisterResourceResponse | undefined) => void,
    ): Promise<void>;
    registerResourceOutputs(req: RegisterResourceOutputsRequest, callback: (err: unknown, resp: unknown) => void): void;
}

// waitForRPCs and getStore are exported at runtime but missing from the typings.
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as {
    MockMonitor: new (mocks: pulumi.runtime.Mocks) => MockMonitorBase;
};
const settings = require("@pulumi/pulumi/runtime/settings") as typeof import("@pulumi/pulumi/runtime/settings") & {
    waitForRPCs(): Promise<void>;
};
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): object };
const { runInPulumiStack } = require("@pulumi/pulumi/runtime/stack") as typeof import("@pulumi/pulumi/runtime/stack");

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

interface Registration {
    type: string;
    name: string;
    custom: boolean;
    parent?: string;
    provider?: string;
    id?: string;
    rawInputs: Record<string, unknown>;
    rawOutputs: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    aliases: AliasSpec[];
}

class CapturingMonitor extends MockMonitor {
    readonly registrations = new Map<string, Registration>();

    constructor(mocks: pulumi.runtime.Mocks) {
        super(mocks);
    }

    /**
     * The engine's URN: the type part is the full chain of parent types (the root stack's excepted),
     * where the SDK's mock monitor names only the direct parent's.
     */
    newUrn(parent: string, type: string, name: string): string {
        return engineUrn(pulumi.getStack(), pulumi.getProject(), parent || undefined, type, name);
    }

    async registerResource(
        req: RegisterResourceRequest,
        callback: (err: unknown, resp: RegisterResourceResponse | undefined) => void,
    ): Promise<void> {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => {
            propertyDependencies[key] = deps.getUrnsList();
        });
        const registration: Registration = {
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parent: req.getParent() || undefined,
            provider: req.getProvider() || undefined,
            rawInputs: req.getObject()?.toJavaScript() ?? {},
            rawOutputs: {},
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            aliases: req.getAliasesList().map(aliasSpec),
        };
        await super.registerResource(req, (err: unknown, resp: RegisterResourceResponse | undefined) => {
            if (resp) {
                registration.id = resp.getId() || undefined;
                registration.rawOutputs = resp.getObject()?.toJavaScript() ?? {};
                this.registrations.set(resp.getUrn(), registration);
            }
            callback(err, resp);
        });
    }

    registerResourceOutputs(
        req: RegisterResourceOutputsRequest,
        callback: (err: unknown, resp: unknown) => void,
    ): void {
        const registration = this.registrations.get(req.getUrn());
        if (registration) registration.rawOutputs = req.getOutputs()?.toJavaScript() ?? {};
        super.registerResourceOutputs(req, callback);
    }
}

export interface CaptureOptions {
    readonly project: string;
    readonly stack: string;
    readonly preview: boolean;
    readonly accountId: string;
    readonly region: string;
}

/** The registrations recorded so far, as records (in registration order). */
export interface Capture {
    records(): ResourceRecord[];
}

/**
 * Points the SDK at a capturing mock monitor. Call once per process, before any resource (or the
 * program module) is created; what registers afterwards is recorded.
 */
export function installCapturingMocks(options: CaptureOptions): Capture {
    const env: MockEnvironment = { accountId: options.accountId, region: options.region, preview: options.preview };
    const monitor = new CapturingMonitor(new PlatformMocks(env));
    settings.setMockOptions(monitor, options.project, options.stack, options.preview);
    Object.assign(state.getStore(), {
        supportsSecrets: true,
        supportsResourceReferences: true,
        supportsOutputValues: false,
        supportsDeletedWith: true,
        supportsAliasSpecs: true,
        supportsTransforms: true,
        supportsInvokeTransforms: true,
    });
    return {
        records: () => {
            const registered = [...monitor.registrations.entries()].map(([urn, r]) => ({ ...r, urn }));
            const identities = engineIdentities(options.stack, options.project, registered);
            return registered.map((r) => toRecord(r.urn, r, options.preview, identities.get(r.urn)?.aliases ?? []));
        },
    };
}

/** Resolves once every registration and invoke started so far has been answered. */
export function settle(): Promise<void> {
    return settings.waitForRPCs();
}

export interface RunOptions {
    readonly programPath: string;
    readonly project: string;
    readonly stack: string;
    /** Config as the engine holds it: `<namespace>:<key>` -> string. */
    readonly config: Record<string, string>;
    readonly preview: boolean;
    readonly accountId: string;
}

export interface ProgramRun {
    readonly snapshot: StackSnapshot;
    /** Stack outputs; UNKNOWN where the value is not known at preview. */
    readonly outputs: Record<string, unknown>;
}

/** Runs the program as the engine would, inside a root Stack resource, and returns what it registered. */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
    const region = options.config["aws:region"] ?? process.env.AWS_REGION;
    if (region === undefined) {
        throw new pulumi.RunError(
            "missing required configuration aws:region (set it in the stack file or with --config)",
        );
    }
    const capture = installCapturingMocks({ ...options, region });
    pulumi.runtime.setAllConfig(options.config);

    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    // The SDK records a stack trace for every promise it tracks, read only to report leaked promises
    // (PULUMI_DEBUG_PROMISE_LEAKS); V8 skips the capture when no frames are asked for.
    const stackTraceLimit = Error.stackTraceLimit;
    if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) Error.stackTraceLimit = 0;
    try {
        // async, so that a program that throws while loading rejects rather than throws.
        // eslint-disable-next-line @typescript-eslint/require-await
        await runInPulumiStack(async () => require(options.programPath) as unknown);
        await settle();
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        process.off("unhandledRejection", onRejection);
    }
    if (failures.length > 0) throw failures[0];

    const resources = capture.records();
    // Most of the heap is now the SDK's spent registration machinery (about 80 MiB, 25 MiB of it live):
    // collecting it here, when `npm run preview` exposes `gc` (--expose-gc), keeps what the policy
    // evaluation allocates next from raising the process's peak memory.
    globalThis.gc?.();
    const stackRecord = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    return {
        snapshot: {
            project: options.project,
            stack: options.stack,
            preview: options.preview,
            resources,
            stackTags: { "pulumi:project": options.project, "pulumi:runtime": "nodejs" },
        },
        outputs: stackRecord?.outputs ?? {},
    };
}

/** An alias of the register request (`pulumirpc.Alias`): a URN or a spec. */
function aliasSpec(alias: Alias): AliasSpec {
    const spec = alias.getSpec();
    if (spec === undefined) return { urn: alias.getUrn() };
    return {
        name: spec.getName(),
        type: spec.getType(),
        stack: spec.getStack(),
        project: spec.getProject(),
        parentUrn: spec.getParenturn() || undefined,
        noParent: spec.getNoparent(),
    };
}

function toRecord(urn: string, r: Registration, preview: boolean, aliases: readonly string[]): ResourceRecord {
    const secretProperties = new Set<string>();
    const inputs = plain(r.rawInputs, secretProperties) as Record<string, unknown>;
    const given = plain(r.rawOutputs, secretProperties) as Record<string, unknown>;
    const outputs = preview && r.custom ? withComputedUnknown(r.type, given) : given;
    return {
        urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent,
        provider: r.provider,
        id: r.custom ? (r.id ?? UNKNOWN) : undefined,
        inputs,
        outputs: r.custom ? { ...outputs, id: r.id ?? UNKNOWN } : outputs,
        dependencies: [...new Set(r.dependencies)],
        propertyDependencies: r.propertyDependencies,
        secretProperties: [...secretProperties],
        ...(aliases.length > 0 ? { aliases } : {}),
    };
}

/** Serialized property values -> plain JSON: secrets unwrapped (and noted), references as their id or URN. */
function plain(value: unknown, secrets: Set<string>, topLevelKey?: string): unknown {
    if (Array.isArray(value)) return value.map((item) => plain(item, secrets, topLevelKey));
    if (value === null || typeof value !== "object") return value;
    const object = value as Record<string, unknown>;
    if (object[SIG_KEY] === SECRET_SIG) {
        if (topLevelKey !== undefined) secrets.add(topLevelKey);
        return plain(object.value, secrets, topLevelKey);
    }
    if (object[SIG_KEY] === RESOURCE_SIG) {
        return object.id === undefined || object.id === "" ? object.urn : object.id;
    }
    return Object.fromEntries(
        Object.entries(object).map(([key, item]) => [key, plain(item, secrets, topLevelKey ?? key)]),
    );
}
