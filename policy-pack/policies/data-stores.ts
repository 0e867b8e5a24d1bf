/**
 * The stack's other data-bearing resources: DynamoDB tables (job records), SQS queues and SNS
 * topics (job commands and notifications), Lambda functions (the API) and Secrets Manager secrets.
 * Each is encrypted with the platform's KMS key, queues and topics refuse requests without TLS,
 * tables can be restored and, in production, not deleted by accident, and no function is public.
 *
 * Props are typed by the provider's own argument types (`import type`), so a misspelt property
 * does not compile.
 */
import type * as aws from "@pulumi/aws";
import { type PolicyResource, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { LOG_GROUP } from "./logs";
import { documentDeniesInsecureTransport, documentIsPublic } from "./policy-document";
import { check, decide, PerTarget, related, refersTo } from "./relations";
import {
    anyOf,
    configWithDefaults,
    isSet,
    MANDATORY,
    ofTypes,
    peek,
    type ResourceProps,
    stackOfUrn,
    validateTypes,
    productionStacksSchema,
} from "./util";

export const DATA_STORE_TYPES = {
    table: "aws:dynamodb/table:Table",
    queue: "aws:sqs/queue:Queue",
    queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    function: "aws:lambda/function:Function",
    permission: "aws:lambda/permission:Permission",
    functionUrl: "aws:lambda/functionUrl:FunctionUrl",
    secret: "aws:secretsmanager/secret:Secret",
} as const;

type Props<Args> = ResourceProps<Args>;

/** A key is "the platform key" when one is named and it is not an AWS managed key (`alias/aws/...`). */
function usesCustomerKey(props: object, key: string): boolean {
    if (!isSet(props, key)) {
        return false;
    }
    const v = peek(() => (props as Record<string, unknown>)[key]);
    return !v.known || !String(v.value).startsWith("alias/aws/");
}

// ---- DynamoDB --------------------------------------------------------------------------------

export const dynamodbTableKmsEncryption: ResourceValidationPolicy = {
    name: "dynamodb-table-kms-encryption",
    description: "DynamoDB tables are encrypted with the platform's KMS key (serverSideEncryption with kmsKeyArn).",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<Props<aws.dynamodb.TableArgs>>(DATA_STORE_TYPES.table, (t, args, report) => {
        const sse = t.serverSideEncryption;
        if (sse?.enabled !== true || !usesCustomerKey(sse, "kmsKeyArn")) {
            report(
                `DynamoDB table '${args.name}' must be encrypted with the platform's KMS key (serverSideEncryption: { enabled: true, kmsKeyArn }).`,
            );
        }
    }),
};

export const dynamodbTablePointInTimeRecovery: ResourceValidationPolicy = {
    name: "dynamodb-table-point-in-time-recovery",
    description: "DynamoDB tables have point-in-time recovery enabled.",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<Props<aws.dynamodb.TableArgs>>(DATA_STORE_TYPES.table, (t, args, report) => {
        if (t.pointInTimeRecovery?.enabled !== true) {
            report(`DynamoDB table '${args.name}' must have point-in-time recovery enabled.`);
        }
    }),
};

export const dynamodbTableDeletionProtection: ResourceValidationPolicy = {
    name: "dynamodb-table-deletion-protection",
    description: "DynamoDB tables of production stacks have deletion protection enabled.",
    enforcementLevel: MANDATORY,
    configSchema: productionStacksSchema,
    validateResource: validateTypes<Props<aws.dynamodb.TableArgs>>(DATA_STORE_TYPES.table, (t, args, report) => {
        const { productionStacks } = configWithDefaults<{ productionStacks: string[] }>(productionStacksSchema, () =>
            args.getConfig(),
        );
        if (productionStacks.includes(stackOfUrn(args.urn)) && t.deletionProtectionEnabled !== true) {
            report(`Production DynamoDB table '${args.name}' must have deletion protection enabled.`);
        }
    }),
};

// ---- SQS and SNS -----------------------------------------------------------------------------

export const sqsQueueKmsEncryption: ResourceValidationPolicy = {
    name: "sqs-queue-kms-encryption",
    description: "SQS queues are encrypted with the platform's KMS key (kmsMasterKeyId, not an AWS managed key).",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<Props<aws.sqs.QueueArgs>>(DATA_STORE_TYPES.queue, (q, args, report) => {
        if (!usesCustomerKey(q, "kmsMasterKeyId")) {
            report(`SQS queue '${args.name}' must be encrypted with the platform's KMS key (kmsMasterKeyId).`);
        }
    }),
};

export const snsTopicKmsEncryption: ResourceValidationPolicy = {
    name: "sns-topic-kms-encryption",
    description: "SNS topics are encrypted with the platform's KMS key (kmsMasterKeyId, not an AWS managed key).",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<Props<aws.sns.TopicArgs>>(DATA_STORE_TYPES.topic, (t, args, report) => {
        if (!usesCustomerKey(t, "kmsMasterKeyId")) {
            report(`SNS topic '${args.name}' must be encrypted with the platform's KMS key (kmsMasterKeyId).`);
        }
    }),
};

interface TlsOnlySpec {
    readonly name: string;
    readonly description: string;
    readonly target: string;
    readonly policy: string;
    /** The policy resource's property naming its target, and the target's outputs it may hold. */
    readonly link: { readonly prop: string; readonly targetKeys: readonly string[] };
    readonly service: string;
    /** Actions that, denied alone, also make the policy TLS-only (besides `*` and `<service>:*`). */
    readonly acceptedActions?: readonly string[];
    readonly message: (target: PolicyResource) => string;
}

/** A stack policy: every target has a resource policy (inline or separate) denying requests without TLS. */
function tlsOnlyPolicy(spec: TlsOnlySpec): StackValidationPolicy {
    const denies = (get: () => unknown) => documentDeniesInsecureTransport(get, spec.service, spec.acceptedActions);
    return {
        name: spec.name,
        description: spec.description,
        enforcementLevel: MANDATORY,
        validateStack: (args, reportViolation) => {
            const policies = ofTypes(args.resources, [spec.policy]);
            const targets = new PerTarget();
            for (const target of ofTypes(args.resources, [spec.target])) {
                targets.run(() => {
                    const rel = related(policies, (p) => refersTo(p, spec.link.prop, target, spec.link.targetKeys));
                    const inline = "policy" in target.props ? check(() => denies(() => target.props.policy)) : false;
                    if (!decide(rel, (p) => denies(() => p.props.policy), inline)) {
                        reportViolation(spec.message(target), target.urn);
                    }
                });
            }
            targets.finish();
        },
    };
}

export const sqsQueueTlsOnly = tlsOnlyPolicy({
    name: "sqs-queue-tls-only",
    description:
        "Every SQS queue has a queue policy denying all requests that do not use TLS (aws:SecureTransport = false).",
    target: DATA_STORE_TYPES.queue,
    policy: DATA_STORE_TYPES.queuePolicy,
    link: { prop: "queueUrl", targetKeys: ["url", "id"] },
    service: "sqs",
    message: (q) =>
        `SQS queue '${q.name}' must have a queue policy with a Deny statement for "sqs:*" to every principal when "aws:SecureTransport" is "false".`,
});

export const snsTopicTlsOnly = tlsOnlyPolicy({
    name: "sns-topic-tls-only",
    description:
        "Every SNS topic has a topic policy denying publishing (or every action) without TLS (aws:SecureTransport = false).",
    target: DATA_STORE_TYPES.topic,
    policy: DATA_STORE_TYPES.topicPolicy,
    link: { prop: "arn", targetKeys: ["arn", "id"] },
    service: "sns",
    acceptedActions: ["sns:Publish"],
    message: (t) =>
        `SNS topic '${t.name}' must have a topic policy with a Deny statement for "sns:Publish" (or "sns:*") to every principal when "aws:SecureTransport" is "false".`,
});

export const sqsSnsNoPublicPolicy: ResourceValidationPolicy = {
    name: "sqs-sns-no-public-policy",
    description: 'No SQS queue or SNS topic policy allows everyone ("Principal": "*") without a restricting condition.',
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<{ policy?: unknown }>(
        [DATA_STORE_TYPES.queue, DATA_STORE_TYPES.queuePolicy, DATA_STORE_TYPES.topic, DATA_STORE_TYPES.topicPolicy],
        (p, args, report) => {
            if ("policy" in p && documentIsPublic(() => p.policy)) {
                report(
                    `The policy of '${args.name}' must not allow everyone ("Principal": "*") without a restricting condition (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, ...).`,
                );
            }
        },
    ),
};

// ---- Lambda ----------------------------------------------------------------------------------

/** Permission properties that pin a grant to a caller, as a condition would in a policy statement. */
const PERMISSION_SCOPES = ["sourceArn", "sourceAccount", "principalOrgId"] as const;

export const lambdaNoPublicAccess: ResourceValidationPolicy = {
    name: "lambda-no-public-access",
    description:
        "No Lambda function is public: no function URL, and no permission for every principal ('*') without a source ARN, account or organisation.",
    enforcementLevel: MANDATORY,
    validateResource: anyOf(
        validateTypes<Props<aws.lambda.PermissionArgs>>(DATA_STORE_TYPES.permission, (p, args, report) => {
            if (p.principal === "*" && !PERMISSION_SCOPES.some((k) => isSet(p, k))) {
                report(
                    `Lambda permission '${args.name}' must not grant '${p.action}' to every principal ('*') without a sourceArn, sourceAccount or principalOrgId.`,
                );
            }
        }),
        validateTypes<Props<aws.lambda.FunctionUrlArgs>>(DATA_STORE_TYPES.functionUrl, (_u, args, report) => {
            report(
                `Lambda function URL '${args.name}' must not exist: the platform's functions are reached through the IAM-authorised API only.`,
            );
        }),
    ),
};

/** The log group a function writes to: `loggingConfig.logGroup`, else Lambda's `/aws/lambda/<name>`. */
function logGroupsOf(fn: PolicyResource, groups: readonly PolicyResource[]): PolicyResource[] {
    const linked = (fn.propertyDependencies.loggingConfig ?? []).filter((d) => d.type === LOG_GROUP);
    if (linked.length > 0) {
        return linked;
    }
    const props = fn.props as Props<aws.lambda.FunctionArgs>;
    const wanted = props.loggingConfig?.logGroup ?? `/aws/lambda/${props.name}`;
    const names = groups.map((g) => ({ group: g, name: peek<unknown>(() => g.props.name) }));
    const matches = names.filter((n) => n.name.known && n.name.value === wanted).map((n) => n.group);
    const undecided = names.find((n) => !n.name.known);
    if (matches.length === 0 && undecided && !undecided.name.known) {
        throw undecided.name.error;
    }
    return matches;
}

export const lambdaLogGroupEncrypted: StackValidationPolicy = {
    name: "lambda-log-group-encrypted",
    description:
        "Every Lambda function logs to a log group of this stack that is encrypted with KMS (the group Lambda would create by itself is not).",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        const groups = ofTypes(args.resources, [LOG_GROUP]);
        const targets = new PerTarget();
        for (const fn of ofTypes(args.resources, [DATA_STORE_TYPES.function])) {
            targets.run(() => {
                const own = logGroupsOf(fn, groups);
                if (own.length === 0) {
                    reportViolation(
                        `Lambda function '${fn.name}' must log to a log group of this stack encrypted with KMS (loggingConfig.logGroup, or a LogGroup named /aws/lambda/<function>).`,
                        fn.urn,
                    );
                } else if (!own.some((g) => isSet(g.props, "kmsKeyId"))) {
                    reportViolation(
                        `Lambda function '${fn.name}' must log to a log group encrypted with KMS (its log group has no kmsKeyId).`,
                        fn.urn,
                    );
                }
            });
        }
        targets.finish();
    },
};

// ---- Secrets Manager -------------------------------------------------------------------------

export const secretsmanagerSecretKmsKey: ResourceValidationPolicy = {
    name: "secretsmanager-secret-kms-key",
    description:
        "Secrets Manager secrets are encrypted with the platform's KMS key (kmsKeyId, not aws/secretsmanager).",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<Props<aws.secretsmanager.SecretArgs>>(
        DATA_STORE_TYPES.secret,
        (s, args, report) => {
            if (!usesCustomerKey(s, "kmsKeyId")) {
                report(
                    `Secrets Manager secret '${args.name}' must be encrypted with the platform's KMS key (kmsKeyId).`,
                );
            }
        },
    ),
};
