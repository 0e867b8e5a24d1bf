/**
 * Reads what `pulumi preview --json` streams (one engine event per line, with
 * PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true): the resources by URN and their steps, the policy
 * violations and the errors, and decides the exit code the offline preview would give for the same outcome.
 */

export interface EngineViolation {
    readonly level: string;
    readonly policy: string;
    readonly urn: string;
    readonly message: string;
}

/** One step of the plan for one resource (a replacement takes several: create-replacement, replace, delete-replaced). */
export interface EngineStep {
    readonly op: string;
    readonly urn: string;
    /** URN of the state the step starts from: the old URN an alias matched, or the same one; absent for a create. */
    readonly oldUrn?: string;
    /** Properties the provider reported as changed, and those of them that force a replacement. */
    readonly diffs: readonly string[];
    readonly replaceKeys: readonly string[];
}

export interface EngineOutcome {
    /** URNs of every resource the step would touch, in event order. */
    readonly urns: string[];
    /** The steps, in event order. */
    readonly steps: EngineStep[];
    /** Resource count per operation (create, same, update, ...). */
    readonly operations: Record<string, number>;
    readonly violations: EngineViolation[];
    /** Error diagnostics, with the CLI's own error lines. */
    readonly errors: string[];
}

/** `invalid stack configuration` (config.ts) and the CLI's own config validation: bad input. */
const CONFIG_ERROR = /invalid stack configuration|validating stack config|missing configuration value/;

interface StepMetadata {
    urn: string;
    op: string;
    old?: { urn: string } | null;
    diffs?: string[] | null;
    keys?: string[] | null;
}

interface EventLine {
    resourcePreEvent?: { metadata: StepMetadata };
    policyEvent?: { resourceUrn?: string; policyName: string; enforcementLevel: string; message: string };
    diagnosticEvent?: { severity: string; message: string };
}

export function readEvents(stdout: string, stderr = ""): EngineOutcome {
    const outcome: EngineOutcome = { urns: [], steps: [], operations: {}, violations: [], errors: [] };
    for (const line of stdout.split("\n")) {
        if (!line.startsWith("{")) continue;
        const event = JSON.parse(line) as EventLine;
        if (event.resourcePreEvent) {
            const { urn, op, old, diffs, keys } = event.resourcePreEvent.metadata;
            outcome.urns.push(urn);
            outcome.steps.push({
                op,
                urn,
                ...(old ? { oldUrn: old.urn } : {}),
                diffs: diffs ?? [],
                replaceKeys: keys ?? [],
            });
            outcome.operations[op] = (outcome.operations[op] ?? 0) + 1;
        } else if (event.policyEvent) {
            const p = event.policyEvent;
            outcome.violations.push({
                level: p.enforcementLevel,
                policy: p.policyName,
                urn: p.resourceUrn ?? "",
                message: p.message.trim(),
            });
        } else if (event.diagnosticEvent?.severity === "error") {
            outcome.errors.push(event.diagnosticEvent.message.trim());
        }
    }
    outcome.errors.push(
        ...stderr
            .split("\n")
            .filter((line) => line.startsWith("error:"))
            .map((line) => line.trim()),
    );
    return outcome;
}

/** The offline preview's exit codes: 0 clean, 1 mandatory violations, 2 invalid configuration, 3 failure. */
export function exitCodeOf(outcome: EngineOutcome, cliStatus: number): number {
    if (outcome.errors.some((e) => CONFIG_ERROR.test(e))) return 2;
    if (outcome.violations.some((v) => v.level === "mandatory")) return 1;
    return cliStatus === 0 ? 0 : 3;
}
