/**
 * The job definition and the job container are written separately; these tests keep the two
 * halves of their contract (exit codes, environment) in step.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { JOB_EXIT_CODES } from "../components/batch";
import { type ExportedResource, PROJECT_DIR, previewStack } from "./support/preview";

const CONTAINER = path.join(PROJECT_DIR, "container");

interface EnvironmentVariable {
    readonly name: string;
    readonly value: string;
}

function prodJobDefinition(): ExportedResource {
    return previewStack("prod").resources.find((r) => r.type === "aws:batch/jobDefinition:JobDefinition")!;
}

/** The container environment of a job definition (its `containerProperties` input is a JSON string). */
function environmentOf(definition: ExportedResource): EnvironmentVariable[] {
    const properties = JSON.parse(definition.inputs.containerProperties as string) as {
        environment: EnvironmentVariable[];
    };
    return properties.environment;
}

function containerScripts(): string {
    const texts: string[] = [];
    for (const dir of ["bin", "lib"]) {
        for (const file of fs.readdirSync(path.join(CONTAINER, dir))) {
            const full = path.join(CONTAINER, dir, file);
            if (fs.lstatSync(full).isFile()) texts.push(fs.readFileSync(full, "utf8"));
        }
    }
    return texts.join("\n");
}

describe("the job definition and the job container", () => {
    it("agree on every exit code the retry strategy relies on", () => {
        const script = fs.readFileSync(path.join(CONTAINER, "lib", "exit-codes.sh"), "utf8");
        const codes = Object.fromEntries(
            [...script.matchAll(/^readonly (EX_\w+)=(\d+)/gm)].map(([, name, value]) => [name, Number(value)]),
        );
        assert.deepStrictEqual(
            {
                success: codes.EX_OK,
                transformationFailed: codes.EX_ATX_FAILED,
                invalidUsage: codes.EX_USAGE,
                invalidInput: codes.EX_DATAERR,
                internalError: codes.EX_SOFTWARE,
                transientFailure: codes.EX_TEMPFAIL,
            },
            JOB_EXIT_CODES,
        );
    });

    it("sets only environment variables the container reads", () => {
        const names = environmentOf(prodJobDefinition()).map((e) => e.name);
        const scripts = containerScripts();
        for (const name of names.filter((n) => n !== "AWS_REGION")) {
            assert.match(scripts, new RegExp(`\\$\\{?${name}\\b`), `no container script reads ${name}`);
        }
    });

    it("points at the bucket prefix the job role may write to", () => {
        const definition = prodJobDefinition();
        const env = Object.fromEntries(environmentOf(definition).map((e) => [e.name, e.value]));
        const timeout = definition.inputs.timeout as { attemptDurationSeconds: number };
        assert.strictEqual(env.OUTPUT_PREFIX, "transformations");
        // The container derives ATX_SHELL_TIMEOUT's default from the definition's own timeout.
        assert.strictEqual(env.ATX_JOB_TIMEOUT_SECONDS, String(timeout.attemptDurationSeconds));
        assert.strictEqual(env.S3_BUCKET, "atx-custom-output-123456789012");
    });
});
