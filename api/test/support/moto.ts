/**
 * Per-suite emulator: `useMoto(prefix)` inside a describe starts moto's server on a free loopback
 * port before the suite, creates the stack's resources (named with `prefix`) and stops it after.
 */
import { inspect } from "node:util";
import { bootstrapLocalResources, type LocalResources } from "../../local/bootstrap";
import { startMoto, type MotoServer } from "../../local/moto";

export interface MotoFixture {
    url: string;
    resources: LocalResources;
    /** The variables a handler or api:local needs to use this emulator. */
    environment: Record<string, string>;
}

export function useMoto(prefix: string): MotoFixture {
    const fixture = {} as MotoFixture;
    let moto: MotoServer | undefined;
    before(async function () {
        this.timeout(90_000);
        process.env.AWS_ACCESS_KEY_ID ??= "test";
        process.env.AWS_SECRET_ACCESS_KEY ??= "test";
        moto = await startMoto();
        fixture.url = moto.url;
        fixture.resources = await bootstrapLocalResources(moto.url, prefix, "us-east-1");
        fixture.environment = { ...fixture.resources, AWS_ENDPOINT_URL: moto.url };
    });
    after(async () => {
        await moto?.stop();
    });
    return fixture;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
    check: () => Promise<T | undefined>,
    timeoutMs = 30_000,
    intervalMs = 200,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) return value;
        } catch (error) {
            last = error;
        }
        if (Date.now() > deadline)
            throw new Error(
                `condition not met within ${timeoutMs} ms${last ? `: ${last instanceof Error ? String(last) : inspect(last)}` : ""}`,
            );
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}
