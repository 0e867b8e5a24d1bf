/**
 * The API's Lambda functions, built from api/contract.ts: each with its own role holding exactly the
 * contract's permissions (symbolic resources replaced by this stack's ARNs), its own encrypted log
 * group, and its environment.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import {
    type Binding,
    type FunctionContract,
    type FunctionName,
    functions,
    type Permission,
    lambdaHandler,
    lambdaRuntime,
    type SymbolicResource,
} from "../../api/contract";
import { arns, type AwsContext } from "../aws-context";
import { type Statement } from "../iam-documents";
import { adoptedChildOptions } from "../adopted";
import { createEncryptedLogGroup } from "../log-group";
import { ServiceRole } from "../service-role";
import { RESULTS_PREFIX } from "../storage";

/** What the bound environment values and symbolic resources of the contract are in this stack. */
export interface ContractBindings {
    readonly refs: Record<Binding, pulumi.Input<string>>;
    readonly resources: Record<Exclude<SymbolicResource, "*">, pulumi.Input<string>>;
}

export interface ApiFunctionsArgs {
    readonly context: AwsContext;
    readonly namePrefix: string;
    /** Directory holding `<function>/index.js` bundles, once they are built (api/build.ts). */
    readonly codeDirectory: string | Promise<string>;
    readonly bindings: ContractBindings;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** Queue receiving events the function could not process when invoked asynchronously. */
    readonly deadLetterQueueArn: pulumi.Input<string>;
    /**
     * The access point (ARN) each bucket variable's bucket is reached through, passed to the functions
     * having that variable as `<VARIABLE>_ACCESS_POINT`. Default none: the functions address the buckets.
     */
    readonly bucketAccessPoints?: Partial<Record<BucketVariable, pulumi.Input<string>>>;
    /** Literal settings from stack config that override the contract's recommended values. */
    readonly environmentOverrides?: Partial<Record<FunctionName, Record<string, string>>>;
    readonly permissionsBoundaryArn?: string;
}

export type ApiFunctions = Record<FunctionName, aws.lambda.Function>;

export type BucketVariable = "SOURCE_BUCKET" | "OUTPUT_BUCKET";

/** The symbolic resources of the contract that lie in each bucket. */
const BUCKET_RESOURCES: Record<"source" | "output", readonly SymbolicResource[]> = {
    source: ["sourceBucket", "sourceUploads", "bulkManifests", "mcpConfigObject"],
    output: ["outputBucket", "outputResults"],
};

/** Every function of the contract, each an {@link ApiFunction} under `parent`. */
export function createApiFunctions(args: ApiFunctionsArgs, parent: pulumi.Resource): ApiFunctions {
    const created: Partial<ApiFunctions> = {};
    for (const [name, contract] of Object.entries(functions) as [FunctionName, FunctionContract][]) {
        created[name] = new ApiFunction(name, contract, args, { parent }).function;
    }
    return created as ApiFunctions;
}

/**
 * One function of the contract with its log group and role. The component carries the function's
 * name; its resources sat directly under TransformApi before and keep their URNs through aliases.
 */
export class ApiFunction extends pulumi.ComponentResource {
    readonly function: aws.lambda.Function;

    constructor(
        name: FunctionName,
        contract: FunctionContract,
        args: ApiFunctionsArgs,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const functionName = `${args.namePrefix}-${name}`;
        super("atx:api:ApiFunction", functionName, {}, opts);
        this.function = createFunction(name, functionName, contract, args, this, opts?.parent);
        this.registerOutputs({ functionName: this.function.name });
    }
}

function createFunction(
    name: FunctionName,
    functionName: string,
    contract: FunctionContract,
    args: ApiFunctionsArgs,
    component: ApiFunction,
    formerParent: pulumi.Resource | undefined,
): aws.lambda.Function {
    const opts = adoptedChildOptions(component, { parent: formerParent });
    const logGroup = createEncryptedLogGroup(
        `${functionName}-logs`,
        {
            logGroupName: `/aws/lambda/${functionName}`,
            retentionDays: args.logRetentionDays,
            kmsKeyArn: args.kmsKeyArn,
        },
        opts,
    );
    const logGroupArn = arns.logGroup(args.context, logGroup.name);
    const statements: Statement[] = [
        {
            Sid: "WriteOwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: pulumi.interpolate`${logGroupArn}:log-stream:*`,
        },
        {
            // Async invocations (EventBridge) that keep failing end in the dead-letter queue.
            Sid: "SendToDeadLetterQueue",
            Effect: "Allow",
            Action: "sqs:SendMessage",
            Resource: args.deadLetterQueueArn,
        },
        {
            // X-Ray segment upload has no resource-level permissions.
            Sid: "WriteTraces",
            Effect: "Allow",
            Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            Resource: "*",
        },
        ...contract.permissions.map((permission, index) =>
            contractStatement(`Contract${index}`, permission, args.bindings.resources),
        ),
    ];
    const role = new ServiceRole(
        `${functionName}-role`,
        {
            context: args.context,
            roleName: functionName,
            description: `ATX API function ${name}: ${contract.description}`,
            service: "lambda.amazonaws.com",
            permissionsBoundaryArn: args.permissionsBoundaryArn,
            inlinePolicies: { [`${functionName}-access`]: statements },
            formerParent,
        },
        { parent: component },
    );

    const environment: Record<string, pulumi.Input<string>> = {};
    for (const [key, value] of Object.entries(contract.environment)) {
        environment[key] = typeof value === "string" ? value : args.bindings.refs[value.bind];
    }
    for (const [variable, accessPoint] of Object.entries(args.bucketAccessPoints ?? {})) {
        if (accessPoint !== undefined && variable in environment) environment[`${variable}_ACCESS_POINT`] = accessPoint;
    }
    Object.assign(environment, args.environmentOverrides?.[name] ?? {});

    return new aws.lambda.Function(
        functionName,
        {
            name: functionName,
            description: contract.description,
            runtime: lambdaRuntime,
            architectures: ["arm64"],
            handler: lambdaHandler,
            code: new pulumi.asset.FileArchive(Promise.resolve(args.codeDirectory).then((dir) => path.join(dir, name))),
            role: role.arn,
            timeout: contract.timeoutSeconds,
            memorySize: contract.memoryMb,
            environment: { variables: environment },
            kmsKeyArn: args.kmsKeyArn,
            tracingConfig: { mode: "Active" },
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            deadLetterConfig: { targetArn: args.deadLetterQueueArn },
        },
        // The function starts with its role's policy and its log group in place.
        { ...opts, dependsOn: [role, logGroup] },
    );
}

type ResourceArns = Partial<ContractBindings["resources"]>;

function boundArn(resources: ResourceArns, resource: keyof ResourceArns): pulumi.Input<string> {
    const arn = resources[resource];
    if (arn === undefined) throw new Error(`no ARN bound for the contract's resource ${resource}`);
    return arn;
}

function contractStatement(sid: string, permission: Permission, resources: ResourceArns): Statement {
    return {
        Sid: sid,
        Effect: "Allow",
        Action: permission.actions,
        Resource: permission.resources.map((resource) => (resource === "*" ? "*" : boundArn(resources, resource))),
        ...conditionFor(permission.actions),
    };
}

/**
 * The policy of the API's access point to one bucket: each function's role gets that function's
 * contract permissions in the bucket, as its own policy states them, and nothing else.
 */
export function accessPointStatements(
    bucket: "source" | "output",
    args: Pick<ApiFunctionsArgs, "context" | "namePrefix"> & { readonly resources: ResourceArns },
): Statement[] {
    const statements: Statement[] = [];
    for (const [name, contract] of Object.entries(functions) as [FunctionName, FunctionContract][]) {
        const roleArn = arns.role(args.context, `${args.namePrefix}-${name}`);
        contract.permissions.forEach((permission, index) => {
            if (!permission.resources.some((resource) => BUCKET_RESOURCES[bucket].includes(resource))) return;
            const sid = `${name.replace(/[^A-Za-z0-9]/g, "")}Contract${index}`;
            statements.push({ ...contractStatement(sid, permission, args.resources), Principal: { AWS: roleArn } });
        });
    }
    return statements;
}

/** Listing the output bucket is limited to the results prefix, as the contract asks. */
function conditionFor(actions: readonly string[]): Pick<Statement, "Condition"> | Record<string, never> {
    return actions.includes("s3:ListBucket")
        ? { Condition: { StringLike: { "s3:prefix": [`${RESULTS_PREFIX}*`] } } }
        : {};
}
