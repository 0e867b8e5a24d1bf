/** The deployment contract matches the code: functions, routes, environment and the built bundles. */
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { buildFunctions } from "../build";
import { functions, jobsTable, optionalEnvironment, routes, type FunctionName } from "../contract";

const repoRoot = resolve(__dirname, "../..");

/** What a function's module exports to Lambda, as far as these checks need it. */
interface HandlerModule {
    handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
}
const loadModule = (path: string) => require(path) as Partial<HandlerModule>;

describe("deployment contract", () => {
    it("names an existing handler module exporting `handler` for every function", () => {
        for (const [name, fn] of Object.entries(functions)) {
            assert.ok(existsSync(resolve(repoRoot, fn.source)), `${name}: ${fn.source}`);
            assert.equal(typeof loadModule(resolve(repoRoot, fn.source)).handler, "function", name);
        }
    });

    it("routes every API method to a function that serves it", async () => {
        // What the stack gives every function that the handlers require; nothing here is ever called.
        const placeholders: Record<string, string> = {
            JOBS_TABLE: "atx-jobs",
            JOB_QUEUE_ARN: "arn:aws:batch:us-east-1:123456789012:job-queue/atx",
            JOB_DEFINITION_ARN: "arn:aws:batch:us-east-1:123456789012:job-definition/atx:1",
            SOURCE_BUCKET: "atx-custom-source-123456789012",
            OUTPUT_BUCKET: "atx-custom-output-123456789012",
            BULK_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/atx-bulk",
            KMS_KEY_ID: "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000",
            JOB_LOG_GROUP: "/aws/batch/atx-transform-jobs",
        };
        const saved = { ...process.env };
        Object.assign(process.env, placeholders);
        try {
            for (const route of routes) {
                const { handler } = loadModule(resolve(repoRoot, functions[route.function].source)) as HandlerModule;
                const event = {
                    httpMethod: route.method,
                    resource: route.path,
                    pathParameters: {},
                    queryStringParameters: { limit: "bad" },
                    body: "{}",
                    requestContext: {},
                } as unknown as APIGatewayProxyEvent;
                const response = await handler(event);
                const where = `${route.method} ${route.path}: ${response.statusCode} ${response.body}`;
                // Every route validates before it touches AWS, and this request is invalid for each of
                // them: a served route answers 400 with the API's error shape (not "no route", not 500).
                assert.equal(response.statusCode, 400, where);
                assert.doesNotMatch(response.body, /no route for/, where);
                assert.equal(
                    typeof (JSON.parse(response.body) as { error: { code: unknown } }).error.code,
                    "string",
                    where,
                );
            }
        } finally {
            process.env = saved;
        }
    });

    it("lists every environment variable the handlers read", () => {
        const config = readFileSync(resolve(__dirname, "../lib/config.ts"), "utf8");
        const read = new Set(
            [...config.matchAll(/(?:required|optionalNumber)\("([A-Z0-9_]+)"|process\.env\.([A-Z0-9_]+)/g)].map(
                (m) => m[1] ?? m[2],
            ),
        );
        const documented = new Set([
            ...Object.values(functions).flatMap((fn) => Object.keys(fn.environment)),
            ...Object.keys(optionalEnvironment),
        ]);
        const undocumented = [...read].filter((name) => !documented.has(name));
        assert.deepEqual(undocumented, []);
    });

    it("declares every attribute a key or index uses", () => {
        const declared = new Set<string>(jobsTable.attributes.map((a) => a.name));
        const used = [
            jobsTable.hashKey,
            jobsTable.rangeKey,
            ...jobsTable.globalSecondaryIndexes.flatMap((i) => [i.hashKey, i.rangeKey]),
        ];
        assert.deepEqual(
            used.filter((name) => !declared.has(name)),
            [],
        );
        assert.equal(declared.size, new Set(used).size, "attributes declared but used by no key");
    });

    it("bundles each function into a self-contained asset", async function () {
        this.timeout(120_000);
        const out = mkdtempSync(join(tmpdir(), "atx-api-build-"));
        try {
            const outputs = await buildFunctions(out);
            for (const name of Object.keys(functions) as FunctionName[]) {
                assert.equal(outputs[name], join(out, name, "index.js"));
                assert.equal(typeof loadModule(outputs[name]).handler, "function", name);
            }
        } finally {
            rmSync(out, { recursive: true, force: true });
        }
    });
});
