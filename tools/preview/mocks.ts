/**
 * Pulumi mocks standing in for the AWS provider and the engine. At preview (`preview: true`) they
 * answer like the engine does for resources about to be created: inputs come back as outputs and
 * everything the provider computes (ids, ARNs, ...) stays unknown. In update mode they fabricate
 * deterministic, realistic values so that tests can read ARNs and URLs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import { typeSchema } from "./provider-schema";

export interface MockEnvironment {
    readonly accountId: string;
    readonly region: string;
    readonly preview: boolean;
}

export const DEFAULT_ACCOUNT_ID = "123456789012";
export const DEFAULT_VPC_ID = "vpc-0a1b2c3d4e5f60718";
export const DEFAULT_SUBNET_IDS = ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722", "subnet-0a1b2c3d4e5f60733"];

export class PlatformMocks implements pulumi.runtime.Mocks {
    constructor(private readonly env: MockEnvironment) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const state: Record<string, unknown> = { ...args.inputs };
        const schema = typeSchema(args.type);
        if (schema.autoNamed && state.name === undefined) {
            // The provider auto-names during its check, so the name is known even at preview.
            state.name = `${args.name}-${shortHash(args.name)}`;
        }
        if (!args.custom) {
            return { id: undefined, state: { ...state, ...this.remoteComponentOutputs(args.type, args.inputs) } };
        }
        if (this.env.preview) {
            return { id: undefined, state };
        }
        const id = physicalId(args.type, args.name, state);
        return { id, state: { ...state, ...this.computedOutputs(args.type, id, state) } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const { accountId, region } = this.env;
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    accountId,
                    arn: `arn:aws:iam::${accountId}:user/preview`,
                    id: accountId,
                    userId: "AIDAPREVIEW",
                };
            case "aws:index/getRegion:getRegion":
                return {
                    region,
                    name: region,
                    id: region,
                    description: region,
                    endpoint: `ec2.${region}.amazonaws.com`,
                };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
            case "aws:ec2/getVpc:getVpc":
                return { id: DEFAULT_VPC_ID, default: true, cidrBlock: "172.31.0.0/16", region };
            case "aws:ec2/getSubnets:getSubnets":
                return { id: region, ids: DEFAULT_SUBNET_IDS, region };
            default:
                throw new Error(`unexpected invoke ${args.token}: add it to tools/preview/mocks.ts`);
        }
    }

    /** awsx components are remote: only their outputs come back, never their children. */
    private remoteComponentOutputs(type: string, inputs: Record<string, any>): Record<string, unknown> {
        if (type === "awsx:ecr:Image" && !this.env.preview) {
            return {
                imageUri: `${inputs.repositoryUrl}@sha256:${crypto.createHash("sha256").update(String(inputs.imageTag)).digest("hex")}`,
            };
        }
        return {};
    }

    private computedOutputs(type: string, id: string, state: Record<string, any>): Record<string, unknown> {
        const { accountId, region } = this.env;
        const [, module] = /^aws:([a-zA-Z0-9]+)\//.exec(type) ?? [];
        const arnName = String(state.name ?? state.bucket ?? id);
        const values: Record<string, unknown> = {
            arn: `arn:aws:${module ?? "mock"}:${region}:${accountId}:${type.split(":").pop()!.toLowerCase()}/${arnName}`,
        };
        switch (type) {
            case "aws:s3/bucket:Bucket":
                values.arn = `arn:aws:s3:::${state.bucket}`;
                values.bucketRegionalDomainName = `${state.bucket}.s3.${region}.amazonaws.com`;
                break;
            case "aws:iam/role:Role":
            case "aws:iam/policy:Policy":
                values.arn = `arn:aws:iam::${accountId}:${type.endsWith("Role") ? "role" : "policy"}/${state.name}`;
                break;
            case "aws:cloudwatch/logGroup:LogGroup":
                values.arn = `arn:aws:logs:${region}:${accountId}:log-group:${state.name}`;
                break;
            case "aws:kms/key:Key":
                values.keyId = id;
                values.arn = `arn:aws:kms:${region}:${accountId}:key/${id}`;
                break;
            case "aws:ecr/repository:Repository":
                values.arn = `arn:aws:ecr:${region}:${accountId}:repository/${state.name}`;
                values.repositoryUrl = `${accountId}.dkr.ecr.${region}.amazonaws.com/${state.name}`;
                values.registryId = accountId;
                break;
            case "aws:apigateway/restApi:RestApi":
                values.executionArn = `arn:aws:execute-api:${region}:${accountId}:${id}`;
                values.rootResourceId = `${id}-root`;
                break;
            case "aws:lambda/function:Function":
                values.arn = `arn:aws:lambda:${region}:${accountId}:function:${state.name}`;
                values.invokeArn = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${values.arn}/invocations`;
                break;
            case "aws:batch/jobDefinition:JobDefinition":
                values.arn = `arn:aws:batch:${region}:${accountId}:job-definition/${state.name}:1`;
                values.revision = 1;
                break;
        }
        return values;
    }
}

function shortHash(text: string): string {
    return crypto.createHash("sha256").update(text).digest("hex").slice(0, 7);
}

function physicalId(type: string, name: string, state: Record<string, any>): string {
    if (type === "aws:kms/key:Key") {
        const h = crypto.createHash("sha256").update(name).digest("hex");
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    }
    if (type === "aws:ec2/securityGroup:SecurityGroup") return `sg-${shortHash(name)}0000000000`;
    return String(state.bucket ?? state.name ?? `${name}-id`);
}
