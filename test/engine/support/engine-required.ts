import { findPulumi } from "../../../tools/engine/workspace";

/**
 * Skips the calling suite, loudly, when there is no `pulumi` on PATH; fails it instead when
 * ATX_REQUIRE_PULUMI_ENGINE=1 (CI), where a missing engine must not pass for a green run.
 */
export function skipWithoutEngine(context: Mocha.Context, suite: string): void {
    if (findPulumi() !== undefined) return;
    if (process.env.ATX_REQUIRE_PULUMI_ENGINE === "1") {
        throw new Error("ATX_REQUIRE_PULUMI_ENGINE=1 but there is no `pulumi` on PATH");
    }
    console.warn(`\n      !!! SKIPPED: no \`pulumi\` CLI on PATH, so the ${suite} did not run !!!\n`);
    context.skip();
}
