/**
 * Pure decisions of `npm run verify`: what a compliant setting looks like, given what the AWS APIs
 * return. No AWS calls here, so each rule is unit-tested on its own.
 */
import { type EgressRule, isAllowedEgress } from "../../remediation/reconcile";

export interface PolicyStatement {
    readonly Sid?: string;
    readonly Effect?: string;
    readonly Principal?: unknown;
    readonly Action?: string | readonly string[];
    readonly NotAction?: string | readonly string[];
    readonly Resource?: string | readonly string[];
    readonly Condition?: Record<string, Record<string, unknown>>;
}

export const asList = <T>(value: T | readonly T[] | undefined): readonly T[] =>
    value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T];

function statementsOf(document: string | undefined): readonly PolicyStatement[] {
    if (document === undefined) return [];
    const parsed = JSON.parse(decodeURIComponent(document)) as { Statement?: PolicyStatement | PolicyStatement[] };
    return asList(parsed.Statement);
}

/** A bucket policy denying every request made without TLS (`aws:SecureTransport` false). */
export function deniesInsecureTransport(policy: string | undefined): boolean {
    return statementsOf(policy).some(
        (s) =>
            s.Effect === "Deny" &&
            asList(s.Action).some((a) => a === "s3:*") &&
            String(s.Condition?.Bool?.["aws:SecureTransport"]).toLowerCase() === "false",
    );
}

/** Allow statements granting every action, NotAction, or a whole service on every resource. */
export function adminStatements(document: string | undefined): string[] {
    return statementsOf(document)
        .filter((s) => s.Effect === "Allow")
        .filter(
            (s) =>
                s.NotAction !== undefined ||
                asList(s.Action).some(
                    (a) => a === "*" || (a.endsWith(":*") && asList(s.Resource).some((r) => r === "*")),
                ),
        )
        .map((s) => s.Sid ?? JSON.stringify(s.Action ?? s.NotAction));
}

/** Egress rules that are anything but TCP to the allowed ports (the remediation's own rule). */
export function egressBeyond(rules: readonly EgressRule[], allowedPorts: readonly number[]): string[] {
    return rules
        .filter((r) => !isAllowedEgress(r, allowedPorts))
        .map((r) => `${r.IpProtocol === "-1" ? "all" : r.IpProtocol} ${r.FromPort ?? "*"}-${r.ToPort ?? "*"}`);
}

/** Whether a container user runs as root (unset defaults to root). */
export function runsAsRoot(user: string | undefined): boolean {
    return user === undefined || user === "" || user === "root" || user === "0" || user.startsWith("0:");
}
