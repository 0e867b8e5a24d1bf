/**
 * A stand-in provider plugin: serves the `pulumirpc.ResourceProvider` gRPC protocol on loopback for
 * one package (`aws`, `awsx`, `docker`, `docker-build`) and prints its port, as the engine expects
 * of `pulumi-resource-<package>`. Resource answers come from StandInProvider; awsx's remote
 * `ecr:Image` component is constructed here by registering it with the engine's monitor.
 *
 * Usage (by the engine, through the wrapper tools/engine/plugins.ts installs):
 *   provider-server.ts <package> [engine address] [engine flags...]
 */
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as resrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { UNKNOWN } from "../common/resource-record";
import { builtImageUri, DEFAULT_ACCOUNT_ID } from "../preview/stand-ins";
import { type PropertyChange, type PropertyMap, StandInProvider } from "./stand-in-provider";
import { ACCOUNT_ENV, packageVersion, STAND_IN_PACKAGES } from "./workspace";

type Handler<Req, Res> = (request: Req) => Res | Promise<Res>;

/** A unary gRPC method from a function; a thrown error becomes an UNKNOWN status with its message. */
function unary<Req, Res>(handler: Handler<Req, Res>): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
        Promise.resolve()
            .then(() => handler(call.request))
            .then(
                (response) => callback(null, response),
                (error: Error) => callback({ code: grpc.status.UNKNOWN, details: error.message }, null),
            );
    };
}

function fromStruct(struct: structproto.Struct | undefined): PropertyMap {
    return struct?.toJavaScript() ?? {};
}

function toStruct(values: PropertyMap): structproto.Struct {
    return structproto.Struct.fromJavaScript(values as Record<string, structproto.JavaScriptValue>);
}

function checkResponse(inputs: PropertyMap): provproto.CheckResponse {
    return new provproto.CheckResponse().setInputs(toStruct(inputs));
}

const { Kind } = provproto.PropertyDiff;
const KINDS: Record<
    PropertyChange["kind"],
    { inPlace: provproto.PropertyDiff.Kind; replace: provproto.PropertyDiff.Kind }
> = {
    add: { inPlace: Kind.ADD, replace: Kind.ADD_REPLACE },
    update: { inPlace: Kind.UPDATE, replace: Kind.UPDATE_REPLACE },
    delete: { inPlace: Kind.DELETE, replace: Kind.DELETE_REPLACE },
};

/** The changed keys, those that replace, and a detailed diff (the engine shows it and keys replacements on it). */
function diffResponse(changes: readonly PropertyChange[]): provproto.DiffResponse {
    const { DiffChanges } = provproto.DiffResponse;
    const response = new provproto.DiffResponse()
        .setChanges(changes.length > 0 ? DiffChanges.DIFF_SOME : DiffChanges.DIFF_NONE)
        .setDiffsList(changes.map((c) => c.key))
        .setReplacesList(changes.filter((c) => c.replace).map((c) => c.key))
        .setHasdetaileddiff(true);
    for (const change of changes) {
        const kinds = KINDS[change.kind];
        const kind = change.replace ? kinds.replace : kinds.inPlace;
        response.getDetaileddiffMap().set(change.key, new provproto.PropertyDiff().setKind(kind).setInputdiff(true));
    }
    return response;
}

export function providerService(
    pkg: string,
    version: string,
    provider: StandInProvider,
): grpc.UntypedServiceImplementation {
    const { DiffChanges } = provproto.DiffResponse;
    return {
        getPluginInfo: unary(() => new plugproto.PluginInfo().setVersion(version)),
        getSchema: unary(() => new provproto.GetSchemaResponse().setSchema("{}")),
        attach: unary(() => new emptyproto.Empty()),
        cancel: unary(() => new emptyproto.Empty()),
        checkConfig: unary((req: provproto.CheckRequest) => checkResponse(fromStruct(req.getNews()))),
        diffConfig: unary(() => new provproto.DiffResponse().setChanges(DiffChanges.DIFF_NONE)),
        configure: unary((req: provproto.ConfigureRequest) => {
            provider.configure(fromStruct(req.getArgs()));
            return new provproto.ConfigureResponse()
                .setSupportspreview(true)
                .setAcceptsecrets(true)
                .setAcceptresources(true)
                .setAcceptoutputs(false);
        }),
        check: unary((req: provproto.CheckRequest) =>
            checkResponse(provider.check(req.getUrn(), fromStruct(req.getOlds()), fromStruct(req.getNews()))),
        ),
        diff: unary((req: provproto.DiffRequest) =>
            diffResponse(
                provider.diff(req.getUrn(), fromStruct(req.getOldInputs() ?? req.getOlds()), fromStruct(req.getNews())),
            ),
        ),
        create: unary((req: provproto.CreateRequest) => {
            const { id, outputs } = provider.create(req.getUrn(), fromStruct(req.getProperties()), req.getPreview());
            return new provproto.CreateResponse().setId(id).setProperties(toStruct(outputs));
        }),
        update: unary((req: provproto.UpdateRequest) =>
            new provproto.UpdateResponse().setProperties(
                toStruct(provider.update(fromStruct(req.getOlds()), fromStruct(req.getNews()))),
            ),
        ),
        delete: unary(() => new emptyproto.Empty()),
        invoke: unary((req: provproto.InvokeRequest) =>
            new provproto.InvokeResponse().setReturn(toStruct(provider.invoke(req.getTok()))),
        ),
        construct: unary((req: provproto.ConstructRequest) => construct(pkg, req)),
    };
}

/**
 * awsx's remote components: registered with the engine's monitor as a component of the requested
 * type (no children); `ecr:Image` reports the pushed image's reference, unknown at preview.
 */
async function construct(pkg: string, req: provproto.ConstructRequest): Promise<provproto.ConstructResponse> {
    const type = req.getType();
    if (pkg !== "awsx" || type !== "awsx:ecr:Image") throw new Error(`the ${pkg} stand-in cannot construct ${type}`);
    const inputs = fromStruct(req.getInputs());
    const state: PropertyMap = {
        imageUri: req.getDryrun() ? UNKNOWN : builtImageUri(inputs.repositoryUrl, inputs.imageTag),
    };
    const monitor = new resrpc.ResourceMonitorClient(req.getMonitorendpoint(), grpc.credentials.createInsecure());
    try {
        const registration = new resproto.RegisterResourceRequest()
            .setType(type)
            .setName(req.getName())
            .setParent(req.getParent())
            .setCustom(false)
            .setObject(toStruct(inputs))
            .setDependenciesList(req.getDependenciesList())
            .setAcceptsecrets(true)
            .setAcceptresources(true);
        const urn = await new Promise<string>((resolve, reject) =>
            monitor.registerResource(registration, (error, response) =>
                error ? reject(error) : resolve(response.getUrn()),
            ),
        );
        const outputs = new resproto.RegisterResourceOutputsRequest().setUrn(urn).setOutputs(toStruct(state));
        await new Promise<void>((resolve, reject) =>
            monitor.registerResourceOutputs(outputs, (error) => (error ? reject(error) : resolve())),
        );
        return new provproto.ConstructResponse().setUrn(urn).setState(toStruct(state));
    } finally {
        monitor.close();
    }
}

/** Serves the stand-in for `pkg` on a loopback port and prints the port, as plugins do. */
export async function serve(pkg: string): Promise<void> {
    if (!(STAND_IN_PACKAGES as readonly string[]).includes(pkg)) {
        throw new Error(`no stand-in for package ${pkg}; known: ${STAND_IN_PACKAGES.join(", ")}`);
    }
    const version = packageVersion(pkg);
    const provider = new StandInProvider(process.env[ACCOUNT_ENV] || DEFAULT_ACCOUNT_ID);
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(provrpc.ResourceProviderService, providerService(pkg, version, provider));
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
            error ? reject(error) : resolve(bound),
        ),
    );
    process.stdout.write(`${port}\n`);
}

if (require.main === module) {
    serve(process.argv[2] ?? "").catch((error: Error) => {
        process.stderr.write(`stand-in provider: ${error.message}\n`);
        process.exit(1);
    });
}
