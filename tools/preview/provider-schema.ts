/**
 * What the engine knows about a resource type that the SDK does not send to the monitor: which
 * properties are computed by the provider (unknown at preview for a resource being created) and
 * whether `name` is an input the provider auto-names. Read from the generated @pulumi/<pkg> module
 * (`resourceInputs["arn"] = undefined /*out*\/`), which mirrors the provider schema.
 */
import * as fs from "fs";
import * as path from "path";

export interface TypeSchema {
    readonly computed: readonly string[];
    readonly autoNamed: boolean;
}

const cache = new Map<string, TypeSchema>();
const EMPTY: TypeSchema = { computed: [], autoNamed: false };

export function typeSchema(type: string): TypeSchema {
    let schema = cache.get(type);
    if (schema === undefined) {
        schema = readSchema(type);
        cache.set(type, schema);
    }
    return schema;
}

/** Raised when a provider package's generated code is not laid out as this reader expects. */
export class ProviderSchemaError extends Error {}

function readSchema(type: string): TypeSchema {
    // aws:s3/bucketPolicy:BucketPolicy -> @pulumi/aws/s3/bucketPolicy.js; other tokens (components,
    // pulumi:...) have no provider schema.
    const match = /^([a-z0-9-]+):([a-zA-Z0-9]+)\/([a-zA-Z0-9]+):[A-Za-z0-9]+$/.exec(type);
    if (match === null) return EMPTY;
    const [, pkg, module, file] = match;
    let source: string;
    try {
        const root = path.dirname(require.resolve(`@pulumi/${pkg}/package.json`));
        source = fs.readFileSync(path.join(root, module === "index" ? "" : module, `${file}.js`), "utf8");
    } catch (e) {
        throw new ProviderSchemaError(`${type}: cannot read its generated module from @pulumi/${pkg} (${String(e)})`);
    }
    return schemaFromSource(type, pkg, source);
}

/** The schema of a type from its generated module's source. */
export function schemaFromSource(type: string, pkg: string, source: string): TypeSchema {
    // Only the constructor's "new resource" branch (after `else {`) lists the inputs a user may set.
    const constructorAt = source.indexOf("constructor(");
    const createAt = constructorAt < 0 ? -1 : source.indexOf("else {", constructorAt);
    if (createAt < 0 || !source.includes("resourceInputs[")) {
        throw new ProviderSchemaError(
            `${type}: @pulumi/${pkg}'s generated module no longer has the constructor layout this reader ` +
                "knows (constructor, else branch, resourceInputs[...]); computed values would not be marked unknown",
        );
    }
    const creating = source.slice(createAt);
    const computed = [...creating.matchAll(/resourceInputs\["(\w+)"\] = undefined \/\*out\*\//g)].map((m) => m[1]);
    return {
        computed: [...new Set(computed)],
        autoNamed: /resourceInputs\["name"\] = args\?\.name;/.test(creating),
    };
}
