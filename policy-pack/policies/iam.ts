/**
 * IAM: no statement grants `*` or `service:*` on every resource (inline role policies, role
 * policies, managed policies, and the policies attachments point at), no access keys, and Batch
 * jobs use a job role distinct from their execution role.
 */
import type * as aws from "@pulumi/aws";
import {
    type PolicyResource,
    type ReportViolation,
    type ResourceValidationPolicy,
    type StackValidationPolicy,
} from "@pulumi/policy";
import { containerPropertiesOf, BATCH_TYPES } from "./batch";
import { adminWildcard, firstUnknown, isUnknown, readPolicyDocument } from "./policy-document";
import { PerTarget } from "./relations";
import {
    anyOf,
    asArray,
    configWithDefaults,
    globMatch,
    MANDATORY,
    ofTypes,
    peek,
    type ResourceProps,
    schema,
    validateTypes,
} from "./util";

export const IAM_TYPES = {
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    userPolicy: "aws:iam/userPolicy:UserPolicy",
    groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
    policy: "aws:iam/policy:Policy",
    accessKey: "aws:iam/accessKey:AccessKey",
    attachments: [
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
    ],
} as const;

type RoleProps = ResourceProps<aws.iam.RoleArgs>;
/** RolePolicy, UserPolicy, GroupPolicy and Policy: the document is what the rules read. */
type DocumentProps = { readonly policy?: unknown };

/**
 * The problems of one policy document (admin wildcards, or a document that can't be read), read
 * through `get`. Throws the engine's unknown-value error only when no problem is found and some
 * statement can't be decided.
 */
export function documentProblems(get: () => unknown): string[] {
    const statements = readPolicyDocument(get);
    if (statements === "invalid") {
        return ["is not a valid policy document"];
    }
    if (isUnknown(statements)) {
        throw statements.error;
    }
    const verdicts = statements.map(adminWildcard);
    const problems = verdicts.filter((p): p is string => typeof p === "string");
    const unknown = firstUnknown(verdicts);
    if (problems.length === 0 && unknown) {
        throw unknown.error;
    }
    return problems;
}

function reportDocument(get: () => unknown, where: string, report: ReportViolation) {
    for (const problem of documentProblems(get)) {
        report(`${where} must not grant administrator-style wildcards: a statement ${problem}.`);
    }
}

export const iamNoAdminWildcards: ResourceValidationPolicy = {
    name: "iam-no-admin-wildcards",
    description:
        "No IAM policy statement allows '*' actions, NotAction, or 'service:*' wildcards on '*' resources (inline role policies, role/user/group policies, managed policies).",
    enforcementLevel: MANDATORY,
    validateResource: anyOf(
        validateTypes<RoleProps>(IAM_TYPES.role, (role, args, report) => {
            for (const inline of asArray(role.inlinePolicies)) {
                if (inline && "policy" in inline) {
                    reportDocument(
                        () => inline.policy,
                        `Inline policy '${inline.name ?? "?"}' of role '${args.name}'`,
                        report,
                    );
                }
            }
        }),
        validateTypes<DocumentProps>(
            [IAM_TYPES.rolePolicy, IAM_TYPES.userPolicy, IAM_TYPES.groupPolicy, IAM_TYPES.policy],
            (p, args, report) => {
                reportDocument(() => p.policy, `IAM policy '${args.name}'`, report);
            },
        ),
    ),
};

const attachmentSchema = schema({
    deniedManagedPolicies: {
        type: "array",
        items: { type: "string" },
        default: [
            "arn:aws*:iam::aws:policy/AdministratorAccess",
            "arn:aws*:iam::aws:policy/PowerUserAccess",
            "arn:aws*:iam::aws:policy/*FullAccess",
        ],
        description:
            "Glob patterns of AWS managed policy ARNs that grant administrator-style access and must not be attached.",
    },
});

/**
 * The policies a role, user or group gets from one attachment property: its known ARNs are
 * checked against the denied AWS managed policies and matched to this stack's policies by ARN;
 * the stack policies it depends on (`propertyDependencies`, all there is at preview) are checked
 * for admin wildcards. An unknown ARN with no policy of this stack behind it can't be judged.
 */
function checkAttachedPolicies(
    holder: PolicyResource,
    prop: string,
    stackPolicies: readonly PolicyResource[],
    denied: readonly string[],
    where: string,
    report: (m: string) => void,
) {
    const attached = new Set((holder.propertyDependencies[prop] ?? []).filter((s) => s.type === IAM_TYPES.policy));
    const value = peek<unknown>(() => holder.props[prop]);
    // Index by index: one unknown ARN must not hide the known ones.
    const elements =
        value.known && Array.isArray(value.value)
            ? Array.from({ length: value.value.length }, (_, i) => peek<unknown>(() => (value.value as unknown[])[i]))
            : [value];
    for (const arn of elements) {
        if (!arn.known) {
            if (attached.size === 0) {
                throw arn.error;
            }
            continue;
        }
        if (typeof arn.value !== "string") {
            continue;
        }
        const arnValue = arn.value;
        if (denied.some((p) => globMatch(p, arnValue))) {
            report(`${where} must not attach the administrator-style managed policy '${arnValue}'.`);
        }
        for (const p of stackPolicies) {
            const a = peek<unknown>(() => p.props.arn);
            if (a.known && a.value === arnValue) {
                attached.add(p);
            }
        }
    }
    for (const p of attached) {
        for (const problem of documentProblems(() => p.props.policy)) {
            report(
                `${where} must not attach policy '${p.name}', which grants administrator-style wildcards: a statement ${problem}.`,
            );
        }
    }
}

export const iamNoAdminPolicyAttachments: StackValidationPolicy = {
    name: "iam-no-admin-policy-attachments",
    description:
        "No role, user or group is attached to an administrator-style AWS managed policy, or to a policy of this stack whose document has admin wildcards.",
    enforcementLevel: MANDATORY,
    configSchema: attachmentSchema,
    validateStack: (args, reportViolation) => {
        const { deniedManagedPolicies } = configWithDefaults<{ deniedManagedPolicies: string[] }>(
            attachmentSchema,
            () => args.getConfig(),
        );
        const stackPolicies = ofTypes(args.resources, [IAM_TYPES.policy]);
        const targets = new PerTarget();
        for (const a of ofTypes(args.resources, IAM_TYPES.attachments)) {
            targets.run(() =>
                checkAttachedPolicies(
                    a,
                    "policyArn",
                    stackPolicies,
                    deniedManagedPolicies,
                    `Policy attachment '${a.name}'`,
                    (m) => reportViolation(m, a.urn),
                ),
            );
        }
        for (const role of ofTypes(args.resources, [IAM_TYPES.role])) {
            if ("managedPolicyArns" in role.props) {
                targets.run(() =>
                    checkAttachedPolicies(
                        role,
                        "managedPolicyArns",
                        stackPolicies,
                        deniedManagedPolicies,
                        `Role '${role.name}'`,
                        (m) => reportViolation(m, role.urn),
                    ),
                );
            }
        }
        targets.finish();
    },
};

export const iamNoAccessKeys: ResourceValidationPolicy = {
    name: "iam-no-access-keys",
    description: "No IAM user access keys (long-lived credentials); use roles and temporary credentials.",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<unknown>(IAM_TYPES.accessKey, (_key, args, report) => {
        report(
            `IAM access key '${args.name}' must not exist: use IAM roles and temporary credentials (STS, SSO) instead of long-lived access keys.`,
        );
    }),
};

export const iamDistinctJobRoles: StackValidationPolicy = {
    name: "iam-distinct-job-and-execution-roles",
    description: "Every Batch job definition has a job role and an execution role, and they are different roles.",
    enforcementLevel: MANDATORY,
    validateStack: (args, reportViolation) => {
        const targets = new PerTarget();
        for (const jd of ofTypes(args.resources, [BATCH_TYPES.jobDefinition])) {
            targets.run(() => {
                const container = containerPropertiesOf(jd.props);
                if (container === undefined || container === "invalid") {
                    return; // reported by the batch rules
                }
                const job = container.jobRoleArn,
                    execution = container.executionRoleArn;
                if (!job || !execution) {
                    reportViolation(
                        `Batch job definition '${jd.name}' must set both a job role (jobRoleArn) and an execution role (executionRoleArn).`,
                        jd.urn,
                    );
                } else if (job === execution) {
                    reportViolation(
                        `Batch job definition '${jd.name}' must use a job role distinct from its execution role (both are '${job}').`,
                        jd.urn,
                    );
                }
            });
        }
        targets.finish();
    },
};

export const iamRolePermissionsBoundary: ResourceValidationPolicy = {
    name: "iam-role-permissions-boundary",
    description: "IAM roles have a permissions boundary (a checklist recommendation, advisory by default).",
    enforcementLevel: "advisory",
    validateResource: validateTypes<RoleProps>(IAM_TYPES.role, (role, args, report) => {
        if (!role.permissionsBoundary) {
            report(`IAM role '${args.name}' should have a permissions boundary.`);
        }
    }),
};
