/**
 * The offline policy check, for the preview and the CLI:
 *
 *     const result = await evaluateSnapshot(snapshot, { packConfig });
 *     console.log(formatText(result));
 *     process.exitCode = result.summary.mandatory > 0 ? 1 : 0;
 *
 * `evaluateSnapshot` returns a Promise because the engine awaits policies, which may be async.
 */
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, PACK_VERSION } from "../../policy-pack/pack";
import { policies } from "../../policy-pack/policies";
import { type StackSnapshot } from "../common/resource-record";
import { evaluate, type EvaluationResult, type PackConfig, type PackInfo, summarize } from "./evaluate";

export { EvaluationError, Violation, PackConfig, EvaluationResult, Summary } from "./evaluate";
export { formatText, formatJson, formatSarif, formatMarkdown } from "./reporters";
export { readSnapshotDocument } from "./readers";

export const PACK: PackInfo = { name: PACK_NAME, version: PACK_VERSION, enforcementLevel: PACK_ENFORCEMENT_LEVEL };

/** Evaluates the atx-security pack (every policy) over a snapshot. */
export async function evaluateSnapshot(
    snapshot: StackSnapshot,
    options: { packConfig?: PackConfig } = {},
): Promise<EvaluationResult> {
    const violations = await evaluate(snapshot, policies, { pack: PACK, packConfig: options.packConfig });
    return {
        violations,
        summary: summarize(violations, snapshot.resources),
        pack: PACK,
        policies: policies.map((p) => ({
            name: p.name,
            description: p.description,
            enforcementLevel: p.enforcementLevel,
        })),
    };
}
