/**
 * Reads the documents the Pulumi CLI writes into a StackSnapshot:
 * - `pulumi stack export` (deployment version 3): the stack's state, every value known;
 * - `pulumi preview --json`: the planned steps, unknown values as the engine's UNKNOWN sentinel;
 * - a StackSnapshot written as JSON (what the offline preview's `--export` can produce).
 *
 * Secrets are `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ...}`.
 * With `plaintext` (an export made with --show-secrets) the value is used; with `ciphertext`
 * it can't be decrypted offline, so it becomes UNKNOWN: a policy that reads it is reported as
 * unable to run, never as passing. Either way the property is listed in `secretProperties`.
 */
import * as fs from "fs";
import { InputError } from "../common/cli";
import { type ResourceRecord, type StackSnapshot, UNKNOWN } from "../common/resource-record";
import { SECRET_SIG, SECRET_SIG_KEY } from "./args";

/** What `pulumi preview --json` shows for a secret it does not reveal. */
const MASKED_SECRET = "[secret]";

interface Decoded {
    readonly value: unknown;
    readonly secret: boolean;
}

/** Replaces secret envelopes by their value (or UNKNOWN), and says whether there was one. */
export function decodeSecrets(value: unknown): Decoded {
    if (value === MASKED_SECRET) {
        return { value: UNKNOWN, secret: true };
    }
    if (value === null || typeof value !== "object") {
        return { value, secret: false };
    }
    if (Array.isArray(value)) {
        const items = value.map(decodeSecrets);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    const o = value as Record<string, unknown>;
    if (o[SECRET_SIG_KEY] === SECRET_SIG) {
        if (typeof o.plaintext === "string") {
            let parsed: unknown;
            try {
                parsed = JSON.parse(o.plaintext);
            } catch {
                throw new InputError("a secret's plaintext is not valid JSON");
            }
            return { value: decodeSecrets(parsed).value, secret: true };
        }
        if ("value" in o) {
            return { value: decodeSecrets(o.value).value, secret: true };
        }
        return { value: UNKNOWN, secret: true };
    }
    const out: Record<string, unknown> = {};
    let secret = false;
    for (const [k, v] of Object.entries(o)) {
        const d = decodeSecrets(v);
        out[k] = d.value;
        secret = secret || d.secret;
    }
    return { value: out, secret };
}

/** Decodes each top-level property, collecting the names of those holding secrets. */
function decodeProps(props: unknown, secretNames: Set<string>): Record<string, unknown> {
    if (props === undefined || props === null) {
        return {};
    }
    if (typeof props !== "object" || Array.isArray(props)) {
        throw new InputError("resource inputs and outputs must be objects");
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props as Record<string, unknown>)) {
        const d = decodeSecrets(v);
        out[k] = d.value;
        if (d.secret) {
            secretNames.add(k);
        }
    }
    return out;
}

/** Stack, project, type and name of a URN. */
export function parseUrn(urn: string): { stack: string; project: string; type: string; name: string } {
    const m = /^urn:pulumi:([^:]+)::([^:]+)::(.+)::([^]*)$/.exec(urn);
    if (!m) {
        throw new InputError(`'${urn}' is not a Pulumi URN`);
    }
    const types = m[3].split("$");
    return { stack: m[1], project: m[2], type: types[types.length - 1], name: m[4] };
}

/** A JSON object as read from a document: every field still to be checked. */
type Fields = { readonly [key: string]: unknown };

function isFields(v: unknown): v is Fields {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The elements of a list field, none when it is absent. */
function listOf(v: unknown): readonly unknown[] {
    return Array.isArray(v) ? (v as unknown[]) : [];
}

/** One resource of state (`ResourceV3`) as a record. */
function recordOf(state: unknown, where: string): ResourceRecord {
    if (!isFields(state) || typeof state.urn !== "string" || typeof state.type !== "string") {
        throw new InputError(`${where}: a resource needs a string urn and type`);
    }
    const secret = new Set<string>(
        [...listOf(state.additionalSecretOutputs), ...listOf(state.secretProperties)].filter(
            (s: unknown): s is string => typeof s === "string",
        ),
    );
    const inputs = decodeProps(state.inputs, secret);
    const outputs = state.outputs === undefined ? { ...inputs } : decodeProps(state.outputs, secret);
    const propertyDependencies: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(isFields(state.propertyDependencies) ? state.propertyDependencies : {})) {
        propertyDependencies[k] = Array.isArray(v) ? v.map(String) : [];
    }
    return {
        urn: state.urn,
        type: state.type,
        name: typeof state.name === "string" ? state.name : parseUrn(state.urn).name,
        custom: state.custom !== false,
        ...(typeof state.parent === "string" && state.parent ? { parent: state.parent } : {}),
        ...(typeof state.provider === "string" && state.provider ? { provider: state.provider } : {}),
        ...((typeof state.id === "string" || typeof state.id === "number") && state.id !== ""
            ? { id: String(state.id) }
            : {}),
        inputs,
        outputs,
        dependencies: listOf(state.dependencies).map(String),
        propertyDependencies,
        ...(secret.size ? { secretProperties: [...secret] } : {}),
    };
}

function stackOf(resources: readonly ResourceRecord[], fallback: { stack: string; project: string }) {
    const first = resources.find((r) => r.urn.startsWith("urn:pulumi:"));
    return first ? parseUrn(first.urn) : fallback;
}

/** A `pulumi stack export` document (deployment version 3). */
export function readStackExport(doc: Fields): StackSnapshot {
    if (doc.version !== 3) {
        throw new InputError(
            `unsupported stack export version ${JSON.stringify(doc.version)} (expected 3, as written by Pulumi 3.x)`,
        );
    }
    const deployment: Fields = isFields(doc.deployment) ? doc.deployment : {};
    if (deployment.resources !== undefined && !Array.isArray(deployment.resources)) {
        throw new InputError("stack export: deployment.resources must be an array");
    }
    const resources = listOf(deployment.resources)
        .filter((r) => !isFields(r) || r.delete !== true)
        .map((r, i) => recordOf(r, `stack export resource ${i}`));
    const { stack, project } = stackOf(resources, { stack: "", project: "" });
    return { project, stack, preview: false, resources };
}

/** Operations whose new state will exist after the update. */
const KEPT_OPS = new Set([
    "same",
    "create",
    "update",
    "replace",
    "create-replacement",
    "read",
    "read-replacement",
    "refresh",
    "import",
    "import-replacement",
]);

/** A `pulumi preview --json` document. */
export function readPreviewJson(doc: Fields): StackSnapshot {
    if (!Array.isArray(doc.steps)) {
        throw new InputError("preview JSON: steps must be an array");
    }
    const byUrn = new Map<unknown, ResourceRecord>();
    listOf(doc.steps).forEach((step, i) => {
        if (!isFields(step) || typeof step.op !== "string" || !KEPT_OPS.has(step.op) || !step.newState) {
            return;
        }
        const newState: Fields = isFields(step.newState) ? step.newState : {};
        byUrn.set(newState.urn ?? step.urn, recordOf({ urn: step.urn, ...newState }, `preview step ${i}`));
    });
    const resources = [...byUrn.values()];
    const { stack, project } = stackOf(resources, { stack: "", project: "" });
    return { project, stack, preview: true, resources };
}

function isSnapshot(doc: Fields): doc is Fields & { readonly resources: unknown[]; readonly preview: boolean } {
    return (
        Array.isArray(doc.resources) &&
        typeof doc.preview === "boolean" &&
        listOf(doc.resources).every(
            (r) =>
                isFields(r) &&
                typeof r.urn === "string" &&
                typeof r.inputs === "object" &&
                typeof r.outputs === "object",
        )
    );
}

/** Recognises and reads any supported document. */
export function parseSnapshotDocument(text: string, source = "input"): StackSnapshot {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new InputError(`${source} is not valid JSON: ${(e as Error).message}`);
    }
    if (!isFields(doc)) {
        throw new InputError(`${source} is not a JSON object`);
    }
    if ("deployment" in doc && "version" in doc) {
        return readStackExport(doc);
    }
    if ("steps" in doc) {
        return readPreviewJson(doc);
    }
    if (isSnapshot(doc)) {
        const resources = doc.resources.map((r, i) => recordOf(r, `snapshot resource ${i}`));
        return {
            project: typeof doc.project === "string" ? doc.project : "",
            stack: typeof doc.stack === "string" ? doc.stack : "",
            preview: doc.preview,
            resources,
            ...(doc.stackTags ? { stackTags: doc.stackTags as StackSnapshot["stackTags"] } : {}),
        };
    }
    throw new InputError(
        `${source} is not a recognised document: expected the output of 'pulumi stack export' (with "version" and "deployment"), of 'pulumi preview --json' (with "steps"), or a StackSnapshot`,
    );
}

export function readSnapshotDocument(file: string): StackSnapshot {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new InputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return parseSnapshotDocument(text, file);
}
