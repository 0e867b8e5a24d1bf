/**
 * API Gateway (REST): every method requires AWS_IAM authorization; stages have access logging and
 * throttling (a `MethodSettings` for the stage, a stack relation); no data-trace logging of full
 * requests in production.
 */
import type * as aws from "@pulumi/aws";
import { type PolicyResource, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { decide, type Link, PerTarget, refersTo, related, sameReference } from "./relations";
import {
    anyOf,
    configWithDefaults,
    isSet,
    MANDATORY,
    ofTypes,
    type ResourceProps,
    stackOfUrn,
    validateTypes,
    productionStacksSchema,
} from "./util";

export const APIGATEWAY_TYPES = {
    method: "aws:apigateway/method:Method",
    stage: "aws:apigateway/stage:Stage",
    methodSettings: "aws:apigateway/methodSettings:MethodSettings",
    apiKey: "aws:apigateway/apiKey:ApiKey",
} as const;

type MethodProps = ResourceProps<aws.apigateway.MethodArgs>;
type StageProps = ResourceProps<aws.apigateway.StageArgs>;
type MethodSettingsProps = ResourceProps<aws.apigateway.MethodSettingsArgs>;
type ApiKeyProps = ResourceProps<aws.apigateway.ApiKeyArgs>;

export const apigatewayMethodIamAuth: ResourceValidationPolicy = {
    name: "apigateway-method-iam-auth",
    description: "Every API Gateway method requires AWS_IAM (SigV4) authorization.",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<MethodProps>(APIGATEWAY_TYPES.method, (m, args, report) => {
        if (m.authorization !== "AWS_IAM") {
            report(
                `API Gateway method '${args.name}' must require AWS_IAM authorization (authorization is '${m.authorization ?? "unset"}').`,
            );
        }
    }),
};

export const apigatewayStageAccessLogging: ResourceValidationPolicy = {
    name: "apigateway-stage-access-logging",
    description: "API Gateway stages write access logs (accessLogSettings with a destination and a format).",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<StageProps>(APIGATEWAY_TYPES.stage, (stage, args, report) => {
        if (!isSet(stage.accessLogSettings, "destinationArn") || !isSet(stage.accessLogSettings, "format")) {
            report(
                `API Gateway stage '${args.name}' must have access logging (accessLogSettings.destinationArn and format).`,
            );
        }
    }),
};

function both(a: Link, b: Link): Link {
    if (a === false || b === false) {
        return false;
    }
    return a === true ? b : a;
}

/** Does this MethodSettings resource apply to `stage` (same REST API and stage name)? */
const appliesToStage =
    (stage: PolicyResource) =>
    (ms: PolicyResource): Link =>
        both(sameReference(ms, "restApi", stage, "restApi"), refersTo(ms, "stageName", stage, ["stageName"]));

/** Throttling set on every method of the stage. */
function throttlesAllMethods(settings: Partial<MethodSettingsProps>): boolean {
    const s: Partial<MethodSettingsProps["settings"]> = settings.settings ?? {};
    return (
        settings.methodPath === "*/*" &&
        typeof s.throttlingBurstLimit === "number" &&
        s.throttlingBurstLimit > 0 &&
        typeof s.throttlingRateLimit === "number" &&
        s.throttlingRateLimit > 0
    );
}

export const apigatewayStageThrottling: StackValidationPolicy = {
    name: "apigateway-stage-throttling",
    description:
        "Every API Gateway stage throttles all its methods (a MethodSettings for '*/*' with positive burst and rate limits).",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        const settings = ofTypes(args.resources, [APIGATEWAY_TYPES.methodSettings]);
        const targets = new PerTarget();
        for (const stage of ofTypes(args.resources, [APIGATEWAY_TYPES.stage])) {
            targets.run(() => {
                if (!decide(related(settings, appliesToStage(stage)), (ms) => throttlesAllMethods(ms.props))) {
                    reportViolation(
                        `API Gateway stage '${stage.name}' must throttle all methods (a MethodSettings with methodPath '*/*' and positive throttlingBurstLimit and throttlingRateLimit).`,
                        stage.urn,
                    );
                }
            });
        }
        targets.finish();
    },
};

export const apigatewayNoDataTraceInProduction: ResourceValidationPolicy = {
    name: "apigateway-no-data-trace-in-production",
    description: "Production API Gateway stages do not log full requests and responses (dataTraceEnabled).",
    enforcementLevel: MANDATORY,
    configSchema: productionStacksSchema,
    validateResource: validateTypes<MethodSettingsProps>(APIGATEWAY_TYPES.methodSettings, (ms, args, report) => {
        const { productionStacks } = configWithDefaults<{ productionStacks: string[] }>(productionStacksSchema, () =>
            args.getConfig(),
        );
        if (productionStacks.includes(stackOfUrn(args.urn)) && ms.settings?.dataTraceEnabled === true) {
            report(
                `API Gateway method settings '${args.name}' must not enable data-trace logging (settings.dataTraceEnabled) in production.`,
            );
        }
    }),
};

export const apigatewayNoApiKeys: ResourceValidationPolicy = {
    name: "apigateway-no-api-keys",
    description: "The API uses no API keys (shared secrets): no ApiKey resources and no method requiring one.",
    enforcementLevel: MANDATORY,
    validateResource: anyOf(
        validateTypes<ApiKeyProps>(APIGATEWAY_TYPES.apiKey, (_k, args, report) => {
            report(
                `API key '${args.name}' must not exist: callers authenticate with IAM (SigV4), not shared API keys.`,
            );
        }),
        validateTypes<MethodProps>(APIGATEWAY_TYPES.method, (m, args, report) => {
            if (m.apiKeyRequired === true) {
                report(
                    `API Gateway method '${args.name}' must not require an API key (apiKeyRequired); callers authenticate with IAM.`,
                );
            }
        }),
    ),
};
