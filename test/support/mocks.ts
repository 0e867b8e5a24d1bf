/**
 * In-process Pulumi mocks for component tests, in update mode (ARNs and ids are fabricated, so
 * documents can be read). Installed once per test process; program-level tests run the real
 * program in a child process instead (see preview.ts), since a program can only load once.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type ResourceRecord } from "../../tools/common/resource-record";
import { type Capture, installCapturingMocks, settle } from "../../tools/preview/capture";
import { type AwsContext, lookupAwsContext } from "../../components/aws-context";

export const ACCOUNT_ID = "123456789012";
export const REGION = "us-east-1";

let capture: Capture | undefined;

function ensureMocks(): Capture {
    capture ??= installCapturingMocks({
        project: "atx-platform",
        stack: "test",
        preview: false,
        accountId: ACCOUNT_ID,
        region: REGION,
    });
    return capture;
}

export function testContext(): AwsContext {
    ensureMocks();
    return lookupAwsContext();
}

/**
 * Builds a component and returns everything registered beneath it once the mocks have answered.
 * Each test should give its component a unique name.
 */
export async function componentResources(build: () => pulumi.ComponentResource): Promise<ResourceTree> {
    const records = ensureMocks();
    const component = build();
    const urn = await promiseOf(component.urn);
    await settle();
    const all = records.records();
    const descendants = new Set([urn]);
    for (const r of all) {
        if (r.parent !== undefined && descendants.has(r.parent)) descendants.add(r.urn);
    }
    return new ResourceTree(all.filter((r) => r.urn !== urn && descendants.has(r.urn)));
}

export class ResourceTree {
    constructor(readonly resources: readonly ResourceRecord[]) {}

    ofType(type: string): ResourceRecord[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The one resource of a type (fails when there are none or several). */
    one(type: string, nameFilter?: (name: string) => boolean): ResourceRecord {
        const matches = this.ofType(type).filter((r) => nameFilter === undefined || nameFilter(r.name));
        if (matches.length !== 1) {
            throw new Error(`expected one ${type}, found ${matches.length}: ${matches.map((r) => r.name).join(", ")}`);
        }
        return matches[0];
    }

    /** The resource of that name; the provider resource when a component shares its name (a ServiceRole's role). */
    named(name: string): ResourceRecord {
        const sameName = this.resources.filter((r) => r.name === name);
        const match = sameName.find((r) => r.custom) ?? sameName[0];
        if (match === undefined)
            throw new Error(`no resource named ${name}; have ${this.resources.map((r) => r.name).join(", ")}`);
        return match;
    }
}

/** Awaits an output's value (update mode: every value is known). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** A JSON document input given as text (container properties, a KMS key policy) parsed; callers narrow it. */
export function json(record: ResourceRecord, property: string): unknown {
    const value = record.inputs[property];
    if (typeof value !== "string")
        throw new Error(`${record.name}.${property} is not a JSON string: ${JSON.stringify(value)}`);
    return JSON.parse(value);
}

/** A resource's inputs read as its resolved Args (`import type` of the provider's `...Args`; update mode). */
export function inputsOf<Args extends object>(record: ResourceRecord): pulumi.Unwrap<Args> {
    return record.inputs as pulumi.Unwrap<Args>;
}

/** A principal as the documents under test resolve it. */
export interface TestPrincipal {
    readonly AWS?: string | string[];
    readonly Service?: string | string[];
}

/** A policy statement as the documents under test resolve it (every value known). */
export interface TestStatement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action: string | string[];
    readonly Resource?: string | string[];
    readonly Principal?: "*" | TestPrincipal;
    readonly Condition?: Record<string, Record<string, unknown>>;
}

export interface TestPolicyDocument {
    readonly Version?: string;
    readonly Statement: TestStatement[];
}

/**
 * A policy document as the stack resolves it. Only its shape is checked (an object with a statement
 * list): the statements' contents are what the tests assert.
 */
function asPolicyDocument(value: unknown, where: string): TestPolicyDocument {
    if (value === null || typeof value !== "object" || !Array.isArray((value as { Statement?: unknown }).Statement))
        throw new Error(`${where} is not a policy document: ${JSON.stringify(value)}`);
    return value as TestPolicyDocument;
}

/** A policy document input, which the stack passes as a structured object, never as JSON text. */
export function policyOf(record: ResourceRecord, property: string): TestPolicyDocument {
    const value = record.inputs[property];
    if (typeof value === "string")
        throw new Error(`${record.name}.${property} is JSON text, not a structured policy document: ${value}`);
    return asPolicyDocument(value, `${record.name}.${property}`);
}

/** The statements of a structured policy document input. */
export function statementsOf(record: ResourceRecord, property: string): TestStatement[] {
    return policyOf(record, property).Statement;
}

/** The statements of a policy document input given as JSON text (the KMS key policy, endpoint policies). */
export function jsonStatementsOf(record: ResourceRecord, property: string): TestStatement[] {
    return asPolicyDocument(json(record, property), `${record.name}.${property}`).Statement;
}

/** The principal of a statement that names one (fails on `*` or none). */
export function principalOf(statement: TestStatement): TestPrincipal {
    const principal = statement.Principal;
    if (principal === undefined || principal === "*")
        throw new Error(`statement ${statement.Sid} names no principal: ${JSON.stringify(principal)}`);
    return principal;
}
