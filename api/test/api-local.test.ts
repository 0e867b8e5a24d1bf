/** `npm run api:local` on its own: starts and stops its emulator, serves signed requests. */
import { strict as assert } from "node:assert";
import { startApiLocal } from "./support/local-api";
import { callApi } from "./support/signed-client";

describe("api:local without AWS_ENDPOINT_URL", function () {
    this.timeout(120_000);

    it("starts moto, creates the resources, serves the API and stops moto on SIGTERM", async () => {
        const unset = Object.fromEntries(
            ["AWS_ENDPOINT_URL", "JOBS_TABLE", "JOB_QUEUE_ARN", "BULK_QUEUE_URL"].map((name) => [name, ""]),
        );
        const api = await startApiLocal(unset);
        let motoUrl: string | undefined;
        try {
            motoUrl = /moto on (http:\/\/127\.0\.0\.1:\d+)/.exec(api.output())?.[1];
            assert.ok(motoUrl, api.output());
            const submitted = await callApi<{ batchJobId: string }>(api.url, "POST", "/prod/jobs", {
                command: "atx custom def exec -n AWS/x",
                source: "https://bitbucket.org/acme/app",
            });
            assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
            const described = await callApi(api.url, "GET", `/prod/jobs/${submitted.body.batchJobId}`);
            assert.equal(described.status, 200);
        } finally {
            await api.stop();
        }
        await assert.rejects(fetch(`${motoUrl}/moto-api/config`), "moto still answers after api:local stopped");
    });
});
