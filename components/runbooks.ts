/**
 * Every alarm and alert of the stack names its runbook in its description, so whoever is paged
 * finds the procedure from the notification itself. The runbooks live in docs/runbooks/<name>.md;
 * a test fails when an alarm or alert of the stack has no runbook or names one that does not exist.
 */
import { METRIC_ALARMS } from "./alarm-settings";

/** The runbooks, by name: the `alarms` config keys, and the alerts that are rules rather than metrics. */
export const RUNBOOKS = [...METRIC_ALARMS, "ecrScanFindings", "configNonCompliant", "accessAnalyzerFindings"] as const;
export type RunbookName = (typeof RUNBOOKS)[number];

/** Where a runbook lives, relative to the repository root. */
export function runbookPath(name: RunbookName): string {
    return `docs/runbooks/${name}.md`;
}

/** The sentence appended to an alarm's or rule's description. */
export function runbookLink(name: RunbookName): string {
    return `Runbook: ${runbookPath(name)}`;
}
