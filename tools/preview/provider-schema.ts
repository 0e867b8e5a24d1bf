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

function readSchema(type: string): TypeSchema {
    // aws:s3/bucketPolicy:BucketPolicy -> @pulumi/aws/s3/bucketPolicy.js
    const match = /^([a-z0-9-]+):([a-zA-Z0-9]+)\/([a-zA-Z0-9]+):[A-Za-z0-9]+$/.exec(type);
    if (match === null) return EMPTY;
    const [, pkg, module, file] = match;
    let source: string;
    try {
        const root = path.dirname(require.resolve(`@pulumi/${pkg}/package.json`));
        source = fs.readFileSync(path.join(root, module === "index" ? "" : module, `${file}.js`), "utf8");
    } catch {
        return EMPTY;
    }
    // Only the constructor's "new resource" branch (after `else {`) lists the inputs a user may set.
    const creating = source.slice(source.indexOf("else {", source.indexOf("constructor(")));
    const computed = [...creating.matchAll(/resourceInputs\["(\w+)"\] = undefined \/\*out\*\//g)].map((m) => m[1]);
    return {
        computed: [...new Set(computed)],
        autoNamed: /resourceInputs\["name"\] = args\?\.name;/.test(creating),
    };
}
