/**
 * A loopback HTTP proxy in front of the emulator that injects faults into AWS Batch SubmitJob
 * calls: throttling (429) and server errors (500) without forwarding, and failures after
 * forwarding (the job exists in Batch but the caller gets a 500 or a reset connection), the case
 * that makes blind retries submit twice. Decisions come from a seeded generator, so a failing
 * run can be replayed.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { freePort } from "../../local/moto";

export interface FaultRates {
    throttle: number;
    serverError: number;
    failAfterForward: number;
}

export interface FaultCounts {
    submitCalls: number;
    forwardedSubmits: number;
    throttled: number;
    serverErrors: number;
    failedAfterForward: number;
}

export interface FaultProxy {
    url: string;
    counts: FaultCounts;
    /** Calls and upstream time per operation (X-Amz-Target, else the path), to see where time goes. */
    operations: Map<string, { calls: number; totalMs: number }>;
    stop(): Promise<void>;
}

/** mulberry32: small, seedable, good enough to spread faults. */
function seededRandom(seed: number) {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const readAll = (stream: IncomingMessage) =>
    new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => resolve(Buffer.concat(chunks)));
        stream.on("error", reject);
    });

export async function startFaultProxy(target: string, rates: FaultRates, seed = 42): Promise<FaultProxy> {
    const random = seededRandom(seed);
    const counts: FaultCounts = {
        submitCalls: 0,
        forwardedSubmits: 0,
        throttled: 0,
        serverErrors: 0,
        failedAfterForward: 0,
    };
    const operations = new Map<string, { calls: number; totalMs: number }>();
    const targetUrl = new URL(target);

    const forward = (req: IncomingMessage, body: Buffer) =>
        new Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }>((resolve, reject) => {
            const operation = String(req.headers["x-amz-target"] ?? req.url?.split("?")[0]);
            const started = performance.now();
            const upstream = request(
                {
                    host: targetUrl.hostname,
                    port: targetUrl.port,
                    method: req.method,
                    path: req.url,
                    headers: { ...req.headers, host: targetUrl.host },
                },
                (res) => {
                    readAll(res).then((body) => {
                        const stats = operations.get(operation) ?? { calls: 0, totalMs: 0 };
                        operations.set(operation, {
                            calls: stats.calls + 1,
                            totalMs: stats.totalMs + performance.now() - started,
                        });
                        resolve({ status: res.statusCode ?? 502, headers: res.headers, body });
                    }, reject);
                },
            );
            upstream.on("error", reject);
            upstream.end(body);
        });

    const answer = async (req: IncomingMessage, res: ServerResponse) => {
        const body = await readAll(req);
        const isSubmit = req.method === "POST" && req.url?.split("?")[0].toLowerCase() === "/v1/submitjob";
        const fail = (status: number, type: string) => {
            res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type });
            res.end(JSON.stringify({ __type: type, message: `injected ${type}` }));
        };
        try {
            if (isSubmit) {
                counts.submitCalls++;
                const roll = random();
                if (roll < rates.throttle) {
                    counts.throttled++;
                    return fail(429, "TooManyRequestsException");
                }
                if (roll < rates.throttle + rates.serverError) {
                    counts.serverErrors++;
                    return fail(500, "ServerException");
                }
                const upstream = await forward(req, body);
                counts.forwardedSubmits++;
                if (roll < rates.throttle + rates.serverError + rates.failAfterForward) {
                    counts.failedAfterForward++;
                    // Half answer an error, half drop the connection: both lose Batch's answer.
                    if (random() < 0.5) return fail(500, "ServerException");
                    return req.socket.destroy();
                }
                res.writeHead(upstream.status, upstream.headers);
                return res.end(upstream.body);
            }
            const upstream = await forward(req, body);
            res.writeHead(upstream.status, upstream.headers);
            res.end(upstream.body);
        } catch {
            if (!res.headersSent) fail(502, "ProxyError");
        }
    };
    const server: Server = createServer((req, res) => void answer(req, res));
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${port}`,
        counts,
        operations,
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
