/**
 * What the stand-in provider plugins answer, as plain functions of plain values (the gRPC wiring is
 * in provider-server.ts). They behave like the real providers do at the points the engine observes:
 * check adds auto-names, create at preview returns the inputs with every provider-computed property
 * unknown, create for real fabricates ids and computed values from the names, invokes get the fixed
 * stand-in answers. Nothing leaves the machine.
 */
import { UNKNOWN } from "../common/resource-record";
import { withComputedUnknown } from "../preview/provider-schema";
import {
    computedOutputs,
    invokeStandIn,
    physicalId,
    type StandInEnvironment,
    withAutoName,
} from "../preview/stand-ins";

export type PropertyMap = Record<string, unknown>;

/** Type and logical name of a URN (`urn:pulumi:<stack>::<project>::<parent types$...$type>::<name>`). */
export function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) throw new Error(`not a resource URN: ${urn}`);
    return { type: parts[2].split("$").pop()!, name: parts.slice(3).join("::") };
}

export class StandInProvider {
    private region: string | undefined = process.env.AWS_REGION;

    constructor(private readonly accountId: string) {}

    /** The provider's own configuration (`aws:region` and the like): only the region matters here. */
    configure(args: PropertyMap): void {
        if (typeof args.region === "string" && args.region !== "" && args.region !== UNKNOWN) {
            this.region = args.region;
        }
    }

    /** The inputs to use: the news, with the name the provider chose earlier or auto-names now. */
    check(urn: string, olds: PropertyMap, news: PropertyMap): PropertyMap {
        const { type, name } = parseUrn(urn);
        if (news.name === undefined && typeof olds.name === "string") return { ...news, name: olds.name };
        return withAutoName(type, name, news);
    }

    /** Top-level properties whose values differ between the old inputs and the new ones. */
    diff(oldInputs: PropertyMap, news: PropertyMap): string[] {
        const keys = new Set([...Object.keys(oldInputs), ...Object.keys(news)]);
        return [...keys].filter((key) => JSON.stringify(oldInputs[key]) !== JSON.stringify(news[key])).sort();
    }

    create(urn: string, inputs: PropertyMap, preview: boolean): { id: string; outputs: PropertyMap } {
        const { type, name } = parseUrn(urn);
        if (preview) return { id: "", outputs: withComputedUnknown(type, inputs) };
        const id = physicalId(type, name, inputs);
        return { id, outputs: { ...inputs, ...computedOutputs(type, id, inputs, this.environment()) } };
    }

    /** New outputs: the new inputs over the old outputs (what the provider computed stays). */
    update(olds: PropertyMap, news: PropertyMap): PropertyMap {
        return { ...olds, ...news };
    }

    invoke(token: string): PropertyMap {
        return invokeStandIn(token, this.environment());
    }

    private environment(): StandInEnvironment {
        if (this.region === undefined) {
            throw new Error("missing required configuration aws:region (pulumi config set aws:region <region>)");
        }
        return { accountId: this.accountId, region: this.region };
    }
}
