/**
 * The offline evaluator against the real thing: the pack's own entry point (policy-pack/index.ts)
 * is started as the Pulumi CLI starts it (a process serving @pulumi/policy's analyzer over gRPC on
 * loopback), and this test plays the engine: it sends every resource to `Analyze` (inputs) and the
 * whole stack to `AnalyzeStack` (outputs with parent, dependencies and propertyDependencies), then
 * checks that the evaluator reports exactly the same violations.
 */
import { strict as assert } from "assert";
import { type ChildProcess, spawn } from "child_process";
import * as path from "path";
import { credentials, type ServiceError } from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { ResourceRecord, StackSnapshot } from "../../tools/common/resource-record";
import { evaluateSnapshot, type Violation } from "../../tools/policy/index";
import { programSnapshot } from "../../tools/policy/program";
import { resource, snapshot, UNKNOWN } from "../../tools/policy/snapshot-builder";

const ROOT = path.resolve(__dirname, "..", "..");

/** The level a diagnostic is shown at; only these two ever produce one. */
function violationLevel(level: analyzerproto.EnforcementLevel): Violation["enforcementLevel"] {
    switch (level) {
        case analyzerproto.EnforcementLevel.ADVISORY:
            return "advisory";
        case analyzerproto.EnforcementLevel.MANDATORY:
            return "mandatory";
        default:
            throw new Error(`the analyzer reported a diagnostic at enforcement level ${level}`);
    }
}

function options(r: ResourceRecord): analyzerproto.AnalyzerResourceOptions {
    const o = new analyzerproto.AnalyzerResourceOptions();
    o.setAdditionalsecretoutputsList([...(r.secretProperties ?? [])]);
    if (r.parent) {
        o.setParent(r.parent);
    }
    return o;
}

const struct = (v: Record<string, unknown>): Struct =>
    Struct.fromJavaScript(JSON.parse(JSON.stringify(v)) as Parameters<typeof Struct.fromJavaScript>[0]);

type Callback<T> = (err: ServiceError | null, resp: T) => void;

/** One unary call as a promise: `invoke` starts it with the callback it is given. */
function call<T>(invoke: (callback: Callback<T>) => unknown): Promise<T> {
    return new Promise((resolve, reject) => {
        invoke((err, resp) => (err ? reject(err) : resolve(resp)));
    });
}

/** What the engine would show for the pack's diagnostics on this snapshot. */
async function analyze(client: AnalyzerClient, s: StackSnapshot): Promise<Violation[]> {
    const out: Violation[] = [];
    const push = (d: analyzerproto.AnalyzeDiagnostic, urn: string) =>
        out.push({
            policyPack: d.getPolicypackname(),
            policy: d.getPolicyname(),
            enforcementLevel: violationLevel(d.getEnforcementlevel()),
            urn: d.getUrn() || urn,
            message: d.getMessage(),
        });
    for (const r of s.resources) {
        const req = new analyzerproto.AnalyzeRequest();
        req.setType(r.type);
        req.setUrn(r.urn);
        req.setName(r.name);
        req.setProperties(struct(r.inputs));
        req.setOptions(options(r));
        const resp = await call<analyzerproto.AnalyzeResponse>((cb) => client.analyze(req, cb));
        resp.getDiagnosticsList().forEach((d) => push(d, r.urn));
    }
    const req = new analyzerproto.AnalyzeStackRequest();
    req.setResourcesList(
        s.resources.map((r) => {
            const a = new analyzerproto.AnalyzerResource();
            a.setType(r.type);
            a.setUrn(r.urn);
            a.setName(r.name);
            a.setProperties(struct(r.outputs));
            a.setOptions(options(r));
            if (r.parent) {
                a.setParent(r.parent);
            }
            a.setDependenciesList([...r.dependencies]);
            const deps = a.getPropertydependenciesMap();
            for (const [k, urns] of Object.entries(r.propertyDependencies)) {
                const pd = new analyzerproto.AnalyzerPropertyDependencies();
                pd.setUrnsList([...urns]);
                deps.set(k, pd);
            }
            return a;
        }),
    );
    const resp = await call<analyzerproto.AnalyzeResponse>((cb) => client.analyzeStack(req, cb));
    // The engine attributes a stack diagnostic without a URN to the root stack.
    const stackUrn = s.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    resp.getDiagnosticsList().forEach((d) => push(d, stackUrn));
    return out;
}

const canonical = (vs: readonly Violation[]) =>
    vs.map((v) => JSON.stringify([v.policy, v.enforcementLevel, v.urn, v.message])).sort();

describe("the offline evaluator reports what the analyzer server reports", function () {
    this.timeout(120000);
    let server: ChildProcess | undefined;
    let client: AnalyzerClient | undefined;
    const connected = (): AnalyzerClient => {
        assert.ok(client, "not connected to the policy pack");
        return client;
    };

    before(async () => {
        const node = path.join(ROOT, "node_modules", ".bin", "node");
        server = spawn(node, ["-r", "ts-node/register", "index.ts"], {
            cwd: path.join(ROOT, "policy-pack"),
            env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        server.stderr!.on("data", (d) => {
            stderr += d;
        });
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            server!.stdout!.on("data", (d) => {
                out += d;
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) {
                    resolve(Number(m[1]));
                }
            });
            server!.on("exit", (code) =>
                reject(new Error(`the policy pack exited (${code}) before serving: ${stderr}`)),
            );
        });
        client = new AnalyzerClient(`127.0.0.1:${port}`, credentials.createInsecure());
    });

    after(() => {
        client?.close();
        if (server?.pid && server.exitCode === null) {
            server.kill();
        }
    });

    it("serves the pack under its name and version, with every policy", async () => {
        const analyzer = connected();
        const info = await call<analyzerproto.AnalyzerInfo>((cb) => analyzer.getAnalyzerInfo(new Empty(), cb));
        assert.equal(info.getName(), "atx-security");
        assert.equal(info.getVersion(), "0.1.0");
        const { policies } = await import("../../policy-pack/policies");
        assert.deepEqual(
            info.getPoliciesList().map((p) => p.getName()),
            policies.map((p) => p.name),
        );
    });

    it("on a snapshot with violations, unknown values and cross-resource relations", async () => {
        const bucket = resource(
            "aws:s3/bucket:Bucket",
            "data",
            {},
            { outputs: { bucket: UNKNOWN, id: UNKNOWN, arn: UNKNOWN } },
        );
        const s = JSON.parse(
            JSON.stringify(
                snapshot(
                    [
                        bucket,
                        resource(
                            "aws:s3/bucketVersioning:BucketVersioning",
                            "data-versioning",
                            { bucket: UNKNOWN, versioningConfiguration: { status: "Suspended" } },
                            { propertyDependencies: { bucket: [bucket] } },
                        ),
                        resource(
                            "aws:s3/bucketPolicy:BucketPolicy",
                            "data-policy",
                            { bucket: UNKNOWN, policy: UNKNOWN },
                            { propertyDependencies: { bucket: [bucket], policy: [bucket] } },
                        ),
                        resource("aws:ec2/securityGroup:SecurityGroup", "sg", {
                            vpcId: "vpc-1",
                            ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
                            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
                        }),
                        resource("aws:kms/key:Key", "key", { enableKeyRotation: false }),
                        resource("aws:iam/accessKey:AccessKey", "ci", { user: "ci" }),
                        resource("aws:iam/rolePolicy:RolePolicy", "rp", {
                            role: "r",
                            policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
                        }),
                        // Documents as objects: only the ARNs are unknown, the rules still decide.
                        resource("aws:iam/rolePolicy:RolePolicy", "rp-object", {
                            role: "r",
                            policy: { Statement: [{ Effect: "Allow", Action: "*", Resource: [UNKNOWN] }] },
                        }),
                        resource("aws:iam/rolePolicy:RolePolicy", "rp-object-least-privilege", {
                            role: "r",
                            policy: { Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: UNKNOWN }] },
                        }),
                        resource("aws:iam/rolePolicy:RolePolicy", "rp-object-undecidable", {
                            role: "r",
                            policy: { Statement: [{ Effect: "Allow", Action: "kms:*", Resource: UNKNOWN }] },
                        }),
                        resource("aws:batch/jobDefinition:JobDefinition", "job", {
                            type: "container",
                            containerProperties: UNKNOWN,
                            platformCapabilities: ["EC2"],
                        }),
                        resource("aws:secretsmanager/secretVersion:SecretVersion", "sv", {
                            secretId: "s",
                            secretString: "plain",
                        }),
                    ],
                    { stack: "prod", preview: true },
                ),
            ),
        ) as StackSnapshot;
        const engine = await analyze(connected(), s);
        const offline = (await evaluateSnapshot(s)).violations;
        assert.ok(engine.length > 10);
        assert.ok(engine.some((v) => v.message.startsWith("can't run policy")));
        const onRolePolicy = (name: string) =>
            engine.filter((v) => v.urn.endsWith(`::${name}`)).map((v) => `${v.enforcementLevel} ${v.message}`);
        assert.match(onRolePolicy("rp-object").join(), /^mandatory [^]*allows action '\*'/);
        assert.deepEqual(onRolePolicy("rp-object-least-privilege"), []);
        assert.match(onRolePolicy("rp-object-undecidable").join(), /^advisory [^]*can't run policy/);
        assert.deepEqual(canonical(offline), canonical(engine));
    });

    it("on the program's prod stack", async () => {
        const s = programSnapshot("prod");
        const engine = await analyze(connected(), s);
        const offline = (await evaluateSnapshot(s)).violations;
        assert.deepEqual(canonical(offline), canonical(engine));
    });
});
