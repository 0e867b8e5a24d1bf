/**
 * What the engine knows about a resource type that the SDK does not send to the monitor: which
 * properties are computed by the provider (unknown at preview for a resource being created) and
 * whether `name` is an input the provider auto-names. Read from the generated @pulumi/<pkg> module
 * (`resourceInputs["arn"] = undefined /*out*\/`), which mirrors the provider schema.
 *
 * The one source of this knowledge for both the mocks harness and the stand-in provider plugins.
 * A provider type whose module cannot be found or read fails loudly (ProviderSchemaError): an
 * empty answer would quietly make every computed value look known.
 */
import * as fs from "fs";
import * as path from "path";
import { UNKNOWN } from "../common/resource-record";

export interface TypeSchema {
    readonly computed: readonly string[];
    readonly autoNamed: boolean;
}

/** The generated package no longer looks the way this module reads it. */
export class ProviderSchemaError extends Error {}

const cache = new Map<string, TypeSchema>();
/** Components, providers and remote components: no provider-computed properties. */
const NOT_A_PROVIDER_RESOURCE: TypeSchema = { computed: [], autoNamed: false };

export function typeSchema(type: string): TypeSchema {
    let schema = cache.get(type);
    if (schema === undefined) {
        schema = readSchema(type);
        cache.set(type, schema);
    }
    return schema;
}

/** Outputs of a resource being created, at preview: the given values, every computed property unknown. */
export function withComputedUnknown(type: string, values: Record<string, unknown>): Record<string, unknown> {
    const outputs = { ...values };
    for (const property of typeSchema(type).computed) {
        if (!(property in outputs)) outputs[property] = UNKNOWN;
    }
    return outputs;
}

function readSchema(type: string): TypeSchema {
    // aws:s3/bucketPolicy:BucketPolicy -> @pulumi/aws/s3/bucketPolicy.js
    const match = /^([a-z0-9-]+):([a-zA-Z0-9]+)\/([a-zA-Z0-9]+):[A-Za-z0-9]+$/.exec(type);
    if (match === null) return NOT_A_PROVIDER_RESOURCE;
    const [, pkg, module, file] = match;
    const source = readModule(type, pkg, module === "index" ? file : path.join(module, file));
    // Only the constructor's "new resource" branch (after `else {`) lists the inputs a user may set.
    const constructorAt = source.indexOf("constructor(");
    const creatingAt = constructorAt < 0 ? -1 : source.indexOf("else {", constructorAt);
    const creating = creatingAt < 0 ? "" : source.slice(creatingAt);
    if (!/resourceInputs\["\w+"\] = /.test(creating)) {
        throw new ProviderSchemaError(
            `${type}: the generated module of @pulumi/${pkg} no longer has the expected constructor ` +
                `(resourceInputs[...] assignments after "else {"); update tools/preview/provider-schema.ts`,
        );
    }
    const computed = [...creating.matchAll(/resourceInputs\["(\w+)"\] = undefined \/\*out\*\//g)].map((m) => m[1]);
    return {
        computed: [...new Set(computed)],
        autoNamed: /resourceInputs\["name"\] = args\?\.name;/.test(creating),
    };
}

function readModule(type: string, pkg: string, relative: string): string {
    let root: string;
    try {
        root = path.dirname(require.resolve(`@pulumi/${pkg}/package.json`));
    } catch {
        throw new ProviderSchemaError(`${type}: package @pulumi/${pkg} is not installed`);
    }
    const file = path.join(root, `${relative}.js`);
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        throw new ProviderSchemaError(
            `${type}: no generated module ${path.relative(root, file)} in @pulumi/${pkg}; ` +
                `its layout changed: update tools/preview/provider-schema.ts`,
        );
    }
}
