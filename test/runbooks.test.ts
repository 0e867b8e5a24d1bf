import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { RUNBOOKS, runbookPath } from "../components/runbooks";
import { type ExportedResource, nameOf, PROJECT_DIR, previewStack } from "./support/preview";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const TOPIC = "aws:sns/topic:Topic";
const LINK = /Runbook: (docs\/runbooks\/[A-Za-z0-9]+\.md)/;

/** Every alarm of the stack and every rule that sends to the alarm topic (the alerts), with its description. */
function alertsOf(resources: ExportedResource[]): { name: string; description: unknown }[] {
    const topicNames = new Set(resources.filter((r) => r.type === TOPIC).map((r) => r.inputs.name as string));
    const notifiesTopic = (arn: unknown) =>
        typeof arn === "string" && [...topicNames].some((topic) => arn.endsWith(`:${topic}`));
    const alertRules = new Set(
        resources.filter((r) => r.type === TARGET && notifiesTopic(r.inputs.arn)).map((r) => r.inputs.rule),
    );
    return [
        ...resources
            .filter((r) => r.type === ALARM)
            .map((r) => ({ name: nameOf(r), description: r.inputs.alarmDescription })),
        ...resources
            .filter((r) => r.type === RULE && alertRules.has(r.inputs.name))
            .map((r) => ({ name: nameOf(r), description: r.inputs.description })),
    ];
}

describe("runbooks", () => {
    for (const stack of ["prod", "dev"]) {
        it(`every alarm and alert of ${stack} links a runbook that exists`, () => {
            const result = previewStack(stack);
            assert.strictEqual(result.exitCode, 0, result.stderr);
            const alerts = alertsOf(result.resources);
            assert.ok(alerts.length > 10, `only ${alerts.length} alarms and alerts found`);
            for (const { name, description } of alerts) {
                const link = typeof description === "string" ? LINK.exec(description) : null;
                assert.ok(link, `${name} has no runbook link in its description: ${JSON.stringify(description)}`);
                assert.ok(
                    fs.existsSync(path.join(PROJECT_DIR, link[1])),
                    `${name} links ${link[1]}, which does not exist`,
                );
            }
        });
    }

    it("each runbook says what the alarm means, what to check, how to contain and how to recover", () => {
        for (const name of RUNBOOKS) {
            const text = fs.readFileSync(path.join(PROJECT_DIR, runbookPath(name)), "utf8");
            for (const section of ["**What it means.**", "**First checks**", "**Containment**", "**Recovery**"]) {
                assert.ok(text.includes(section), `${runbookPath(name)} lacks ${section}`);
            }
        }
    });

    it("has exactly one runbook file per runbook name", () => {
        const files = fs.readdirSync(path.join(PROJECT_DIR, "docs", "runbooks")).map((f) => f.replace(/\.md$/, ""));
        assert.deepStrictEqual(files.sort(), [...RUNBOOKS].sort());
    });
});
