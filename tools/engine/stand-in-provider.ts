/**
 * What the stand-in provider plugins answer, as plain functions of plain values (the gRPC wiring is
 * in provider-server.ts). They behave like the real providers do at the points the engine observes:
 * check adds auto-names, create at preview returns the inputs with every provider-computed property
 * unknown, create for real fabricates ids and computed values from the names, invokes get the fixed
 * stand-in answers, diff reports replacements where the provider would (see replacedOnChange).
 * Nothing leaves the machine.
 */
import { UNKNOWN } from "../common/resource-record";
import { typeSchema, withComputedUnknown } from "../preview/provider-schema";
import {
    computedOutputs,
    invokeStandIn,
    physicalId,
    type StandInEnvironment,
    withAutoName,
} from "../preview/stand-ins";

export type PropertyMap = Record<string, unknown>;

/** A top-level property whose value differs between the old inputs and the new ones. */
export interface PropertyChange {
    readonly key: string;
    readonly kind: "add" | "update" | "delete";
    /** The provider cannot change it in place: the resource is replaced. */
    readonly replace: boolean;
}

/**
 * Properties the AWS provider cannot change in place (ForceNew in its schema), for the types of this
 * program whose values a refactor could change: what ties a resource to another one (the role of
 * a policy, the API of a route, the topic of a subscription, the log group of a filter) and names
 * that are not the auto-named `name`. Auto-named names are in replacedOnChange. Not the provider's
 * whole list: properties a refactor has no reason to touch are left out.
 */
const CREATE_ONLY: Readonly<Record<string, readonly string[]>> = {
    "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
    "aws:iam/role:Role": ["path"],
    "aws:iam/policy:Policy": ["path", "description"],
    "aws:iam/rolePolicy:RolePolicy": ["role"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
    "aws:lambda/permission:Permission": ["action", "function", "principal", "sourceArn", "statementId", "qualifier"],
    "aws:lambda/eventSourceMapping:EventSourceMapping": ["eventSourceArn"],
    "aws:sns/topicSubscription:TopicSubscription": ["topic", "endpoint", "protocol"],
    "aws:sns/topicPolicy:TopicPolicy": ["arn"],
    "aws:sqs/queuePolicy:QueuePolicy": ["queueUrl"],
    "aws:cloudwatch/eventRule:EventRule": ["eventBusName"],
    "aws:cloudwatch/eventTarget:EventTarget": ["rule", "targetId", "eventBusName"],
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": ["logGroupName"],
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": ["logGroup"],
    "aws:cloudwatch/logStream:LogStream": ["logGroupName"],
    "aws:cloudwatch/dashboard:Dashboard": ["dashboardName"],
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": ["policyName"],
    "aws:ec2/securityGroup:SecurityGroup": ["vpcId", "description"],
    "aws:ec2/flowLog:FlowLog": ["vpcId", "logDestination", "trafficType"],
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": ["repository"],
    "aws:apigateway/resource:Resource": ["restApi"],
    "aws:apigateway/method:Method": ["restApi", "resourceId", "httpMethod"],
    "aws:apigateway/integration:Integration": ["restApi", "resourceId", "httpMethod"],
    // A deployment is a snapshot of the API: new triggers (rest-api.ts hashes the routes) make a new one.
    "aws:apigateway/deployment:Deployment": ["restApi", "triggers"],
    "aws:apigateway/stage:Stage": ["restApi", "stageName"],
    "aws:apigateway/methodSettings:MethodSettings": ["restApi", "stageName", "methodPath"],
    "aws:apigateway/model:Model": ["restApi", "contentType"],
    "aws:apigateway/response:Response": ["restApi", "responseType"],
    "aws:apigateway/requestValidator:RequestValidator": ["restApi"],
};

/** Auto-named types whose `name` the provider renames in place rather than replacing the resource. */
const RENAMED_IN_PLACE = new Set([
    "aws:apigateway/restApi:RestApi",
    "aws:apigateway/requestValidator:RequestValidator",
]);

/** An S3 bucket's configuration resources (aws:s3/bucketPolicy, ...) belong to one bucket for life. */
const BUCKET_CONFIGURATION = /^aws:s3\/bucket[A-Z]\w*:/;

/** Whether a change of `key` replaces a resource of `type`, as it would with the AWS provider. */
export function replacedOnChange(type: string, key: string): boolean {
    if (CREATE_ONLY[type]?.includes(key)) return true;
    if (BUCKET_CONFIGURATION.test(type) && (key === "bucket" || key === "expectedBucketOwner")) return true;
    // The physical name: what the provider's auto-naming fills (withAutoName), or the prefix it starts from.
    return typeSchema(type).autoNamed && !RENAMED_IN_PLACE.has(type) && (key === "name" || key === "namePrefix");
}

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

    /**
     * Top-level properties whose values differ between the old inputs and the new ones, each marked
     * as replacing the resource where the provider would. A value unknown at preview differs from
     * any known one: a create-only property waiting on another resource replaces, as it would.
     */
    diff(urn: string, oldInputs: PropertyMap, news: PropertyMap): PropertyChange[] {
        const { type } = parseUrn(urn);
        const keys = [...new Set([...Object.keys(oldInputs), ...Object.keys(news)])].sort();
        return keys
            .filter((key) => JSON.stringify(oldInputs[key]) !== JSON.stringify(news[key]))
            .map((key) => ({ key, kind: changeKind(oldInputs[key], news[key]), replace: replacedOnChange(type, key) }));
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

function changeKind(old: unknown, current: unknown): PropertyChange["kind"] {
    if (old === undefined) return "add";
    return current === undefined ? "delete" : "update";
}
