/**
 * The fixed answers that stand in for AWS, shared by the mocks harness (tools/preview/mocks.ts) and
 * the stand-in provider plugins the real engine runs (tools/engine/provider.ts): provider auto-names,
 * the data sources the program invokes, and, when resources are "created" for real (tests, `pulumi up`
 * against a local backend), deterministic physical ids and computed outputs built from the names.
 */
import * as crypto from "crypto";
import { typeSchema } from "./provider-schema";

export interface StandInEnvironment {
    readonly accountId: string;
    readonly region: string;
}

export const DEFAULT_ACCOUNT_ID = "123456789012";
export const DEFAULT_VPC_ID = "vpc-0a1b2c3d4e5f60718";
export const DEFAULT_SUBNET_IDS = ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60722", "subnet-0a1b2c3d4e5f60733"];

/** Thrown for an invoke no stand-in answers: the program started using a data source the stand-ins do not know. */
export class UnexpectedInvokeError extends Error {
    constructor(token: string) {
        super(`unexpected invoke ${token}: add a stand-in answer to tools/preview/stand-ins.ts`);
    }
}

/**
 * The inputs a provider's check would return: the given ones plus the auto-name of an auto-named
 * resource (`<logical name>-<7 hex>`, as the AWS provider does; deterministic here, so previews are
 * stable and the harness and the engine agree).
 */
export function withAutoName(
    type: string,
    logicalName: string,
    inputs: Record<string, unknown>,
): Record<string, unknown> {
    if (!typeSchema(type).autoNamed || inputs.name !== undefined) return inputs;
    return { ...inputs, name: `${logicalName}-${shortHash(logicalName)}` };
}

/** The answer of a data source (invoke) the program uses. */
export function invokeStandIn(token: string, env: StandInEnvironment): Record<string, unknown> {
    const { accountId, region } = env;
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId, arn: `arn:aws:iam::${accountId}:user/preview`, id: accountId, userId: "AIDAPREVIEW" };
        case "aws:index/getRegion:getRegion":
            return { region, name: region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        case "aws:ec2/getVpc:getVpc":
            return { id: DEFAULT_VPC_ID, default: true, cidrBlock: "172.31.0.0/16", region };
        case "aws:ec2/getSubnets:getSubnets":
            return { id: region, ids: DEFAULT_SUBNET_IDS, region };
        default:
            throw new UnexpectedInvokeError(token);
    }
}

/** The image reference awsx's `ecr:Image` reports once built and pushed: the repository at a digest. */
export function builtImageUri(repositoryUrl: unknown, imageTag: unknown): string {
    const digest = crypto.createHash("sha256").update(text(imageTag)).digest("hex");
    return `${text(repositoryUrl)}@sha256:${digest}`;
}

/** A physical id for a resource being created, derived from its names. */
export function physicalId(type: string, logicalName: string, state: Record<string, unknown>): string {
    if (type === "aws:kms/key:Key") {
        const h = crypto.createHash("sha256").update(logicalName).digest("hex");
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    }
    if (type === "aws:ec2/securityGroup:SecurityGroup") return `sg-${shortHash(logicalName)}0000000000`;
    return text(state.bucket ?? state.name ?? `${logicalName}-id`);
}

/** Realistic values of the computed outputs the program reads (ARNs, URLs, key ids), built from the names. */
export function computedOutputs(
    type: string,
    id: string,
    state: Record<string, unknown>,
    env: StandInEnvironment,
): Record<string, unknown> {
    const { accountId, region } = env;
    const [, module] = /^aws:([a-zA-Z0-9]+)\//.exec(type) ?? [];
    const arnName = text(state.name ?? state.bucket ?? id);
    const name = text(state.name);
    const bucket = text(state.bucket);
    const values: Record<string, unknown> = {
        arn: `arn:aws:${module ?? "mock"}:${region}:${accountId}:${type.split(":").pop()!.toLowerCase()}/${arnName}`,
    };
    switch (type) {
        case "aws:s3/bucket:Bucket":
            values.arn = `arn:aws:s3:::${bucket}`;
            values.bucketRegionalDomainName = `${bucket}.s3.${region}.amazonaws.com`;
            break;
        case "aws:iam/role:Role":
        case "aws:iam/policy:Policy":
            values.arn = `arn:aws:iam::${accountId}:${type.endsWith("Role") ? "role" : "policy"}/${name}`;
            break;
        case "aws:cloudwatch/logGroup:LogGroup":
            values.arn = `arn:aws:logs:${region}:${accountId}:log-group:${name}`;
            break;
        case "aws:kms/key:Key":
            values.keyId = id;
            values.arn = `arn:aws:kms:${region}:${accountId}:key/${id}`;
            break;
        case "aws:ecr/repository:Repository":
            values.arn = `arn:aws:ecr:${region}:${accountId}:repository/${name}`;
            values.repositoryUrl = `${accountId}.dkr.ecr.${region}.amazonaws.com/${name}`;
            values.registryId = accountId;
            break;
        case "aws:apigateway/restApi:RestApi":
            values.executionArn = `arn:aws:execute-api:${region}:${accountId}:${id}`;
            values.rootResourceId = `${id}-root`;
            break;
        case "aws:sqs/queue:Queue":
            values.arn = `arn:aws:sqs:${region}:${accountId}:${name}`;
            values.url = `https://sqs.${region}.amazonaws.com/${accountId}/${name}`;
            break;
        case "aws:apigateway/stage:Stage":
            values.invokeUrl = `https://${text(state.restApi)}.execute-api.${region}.amazonaws.com/${text(state.stageName)}`;
            break;
        case "aws:lambda/function:Function":
            values.arn = `arn:aws:lambda:${region}:${accountId}:function:${name}`;
            values.invokeArn = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${text(values.arn)}/invocations`;
            break;
        case "aws:batch/jobDefinition:JobDefinition":
            values.arn = `arn:aws:batch:${region}:${accountId}:job-definition/${name}:1`;
            values.revision = 1;
            break;
    }
    return values;
}

function shortHash(value: string): string {
    return crypto.createHash("sha256").update(value).digest("hex").slice(0, 7);
}

/** A property value as text: strings as they are, anything else as JSON. */
function text(value: unknown): string {
    return typeof value === "string" ? value : String(JSON.stringify(value));
}
