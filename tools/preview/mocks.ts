/**
 * Pulumi mocks standing in for the AWS provider and the engine. At preview (`preview: true`) they
 * answer like the engine does for resources about to be created: inputs come back as outputs and
 * everything the provider computes (ids, ARNs, ...) stays unknown. In update mode they fabricate
 * deterministic, realistic values so that tests can read ARNs and URLs. The answers themselves are
 * in stand-ins.ts, shared with the stand-in provider plugins of the real engine.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
    builtImageUri,
    computedOutputs,
    invokeStandIn,
    physicalId,
    type StandInEnvironment,
    withAutoName,
} from "./stand-ins";

export { DEFAULT_ACCOUNT_ID, DEFAULT_SUBNET_IDS, DEFAULT_VPC_ID } from "./stand-ins";

export interface MockEnvironment extends StandInEnvironment {
    readonly preview: boolean;
}

export class PlatformMocks implements pulumi.runtime.Mocks {
    constructor(private readonly env: MockEnvironment) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        // The provider auto-names during its check, so the name is known even at preview.
        const inputs = args.inputs as Record<string, unknown>;
        const state = withAutoName(args.type, args.name, inputs);
        if (!args.custom) {
            return { id: undefined, state: { ...state, ...this.remoteComponentOutputs(args.type, inputs) } };
        }
        if (this.env.preview) {
            return { id: undefined, state };
        }
        const id = physicalId(args.type, args.name, state);
        return { id, state: { ...state, ...computedOutputs(args.type, id, state, this.env) } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        return invokeStandIn(args.token, this.env);
    }

    /** awsx components are remote: only their outputs come back, never their children. */
    private remoteComponentOutputs(type: string, inputs: Record<string, unknown>): Record<string, unknown> {
        if (type === "awsx:ecr:Image" && !this.env.preview) {
            return { imageUri: builtImageUri(inputs.repositoryUrl, inputs.imageTag) };
        }
        return {};
    }
}
