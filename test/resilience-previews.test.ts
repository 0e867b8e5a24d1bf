/**
 * Whole-program previews of what resilience adds, under the policy pack (the preview exits 1 on a
 * mandatory violation): prod with its replica in either network mode, and the private network's
 * endpoints, routes and egress as the program wires them.
 */
import * as assert from "assert";
import { type ExportedResource, previewStack } from "./support/preview";

const JOB_DEFINITION = "aws:batch/jobDefinition:JobDefinition";
const ofType = (resources: ExportedResource[], type: string) => resources.filter((r) => r.type === type);
const named = (resources: ExportedResource[], suffix: string) => {
    const r = resources.find((x) => x.urn.endsWith(`::${suffix}`));
    assert.ok(r, `no resource ${suffix}`);
    return r;
};
/** A job definition's `containerProperties`, a JSON string input. */
const containerPropertiesOf = (definition: ExportedResource) =>
    JSON.parse(definition.inputs.containerProperties as string) as {
        networkConfiguration: { assignPublicIp: string };
    };
interface EndpointPolicy {
    Statement: { Sid?: string; Resource: string[]; Condition?: unknown }[];
}

describe("prod previews with replication, inventory and either network mode", function () {
    this.timeout(180_000);

    for (const mode of ["public", "private"]) {
        it(`${mode}: passes the pack with the replica and the inventories`, () => {
            const result = previewStack("prod", [`networkMode=${mode}`]);
            assert.strictEqual(result.exitCode, 0, result.stdout + result.stderr);
            assert.match(result.stdout, /0 mandatory/);
            const replication = ofType(result.resources, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
            assert.strictEqual(replication.length, 1);
            assert.strictEqual(
                (replication[0].inputs.rules as { destination: { bucket: string } }[])[0].destination.bucket,
                "arn:aws:s3:::atx-custom-output-replica-123456789012",
            );
            assert.strictEqual(ofType(result.resources, "aws:s3/inventory:Inventory").length, 2);
        });
    }

    it("dev has no replica unless asked, and takes one with replicaRegion", () => {
        assert.strictEqual(
            ofType(previewStack("dev").resources, "aws:s3/bucketReplicationConfig:BucketReplicationConfig").length,
            0,
        );
        const replicated = previewStack("dev", ["replicaRegion=eu-west-1"]);
        assert.strictEqual(replicated.exitCode, 0, replicated.stdout + replicated.stderr);
        assert.strictEqual(named(replicated.resources, "storage-replica-provider").inputs.region, "eu-west-1");
    });

    it("public: jobs keep the default VPC, a public IP and no endpoint", () => {
        const { resources } = previewStack("prod", ["networkMode=public"]);
        assert.strictEqual(ofType(resources, "aws:ec2/vpcEndpoint:VpcEndpoint").length, 0);
        const job = containerPropertiesOf(ofType(resources, JOB_DEFINITION)[0]);
        assert.strictEqual(job.networkConfiguration.assignPublicIp, "ENABLED");
    });

    describe("private", () => {
        const resources = () => previewStack("prod", ["networkMode=private"]).resources;

        it("runs jobs without public IPs in private subnets routed through a NAT per zone", () => {
            const job = containerPropertiesOf(ofType(resources(), JOB_DEFINITION)[0]);
            assert.strictEqual(job.networkConfiguration.assignPublicIp, "DISABLED");
            const subnets = ofType(resources(), "aws:ec2/subnet:Subnet").filter((s) =>
                /::network-private-private-[ab]$/.test(s.urn),
            );
            assert.deepStrictEqual(subnets.map((s) => s.inputs.availabilityZone as string).sort(), [
                "us-east-1a",
                "us-east-1b",
            ]);
            assert.ok(subnets.every((s) => s.inputs.mapPublicIpOnLaunch === false));
            assert.strictEqual(ofType(resources(), "aws:ec2/natGateway:NatGateway").length, 2);
            const privateRoutes = ofType(resources(), "aws:ec2/routeTable:RouteTable").filter((t) =>
                /::network-private-private-[ab]$/.test(t.urn),
            );
            assert.strictEqual(privateRoutes.length, 2);
            for (const table of privateRoutes) {
                assert.deepStrictEqual(Object.keys((table.inputs.routes as object[])[0]).sort(), [
                    "cidrBlock",
                    "natGatewayId",
                ]);
            }
            assert.strictEqual(ofType(resources(), "aws:ec2/flowLog:FlowLog").length, 1);
        });

        it("has the S3 gateway and the ECR, Logs, Secrets Manager, STS and KMS interface endpoints", () => {
            const services = ofType(resources(), "aws:ec2/vpcEndpoint:VpcEndpoint")
                .map((e) => `${e.inputs.serviceName as string} ${e.inputs.vpcEndpointType as string}`)
                .sort();
            assert.deepStrictEqual(services, [
                "com.amazonaws.us-east-1.ecr.api Interface",
                "com.amazonaws.us-east-1.ecr.dkr Interface",
                "com.amazonaws.us-east-1.kms Interface",
                "com.amazonaws.us-east-1.logs Interface",
                "com.amazonaws.us-east-1.s3 Gateway",
                "com.amazonaws.us-east-1.secretsmanager Interface",
                "com.amazonaws.us-east-1.sts Interface",
            ]);
        });

        it("scopes the endpoint policies to this stack's buckets, repository, log group and secrets", () => {
            const policy = (service: string) =>
                JSON.parse(
                    ofType(resources(), "aws:ec2/vpcEndpoint:VpcEndpoint").find((e) =>
                        (e.inputs.serviceName as string).endsWith(`.${service}`),
                    )!.inputs.policy as string,
                ) as EndpointPolicy;
            const resourcesOf = (doc: EndpointPolicy) => doc.Statement.flatMap((s) => s.Resource);
            assert.deepStrictEqual(resourcesOf(policy("s3")), [
                "arn:aws:s3:::atx-custom-output-123456789012",
                "arn:aws:s3:::atx-custom-source-123456789012",
                "arn:aws:s3:::atx-custom-output-123456789012/*",
                "arn:aws:s3:::atx-custom-source-123456789012/*",
                // The jobs' access points to them, and their objects.
                "arn:aws:s3:us-east-1:123456789012:accesspoint/atx-jobs-output",
                "arn:aws:s3:us-east-1:123456789012:accesspoint/atx-jobs-output/object/*",
                "arn:aws:s3:us-east-1:123456789012:accesspoint/atx-jobs-source",
                "arn:aws:s3:us-east-1:123456789012:accesspoint/atx-jobs-source/object/*",
                "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*",
            ]);
            assert.ok(
                resourcesOf(policy("ecr.dkr")).includes(
                    "arn:aws:ecr:us-east-1:123456789012:repository/aws-transform-cli",
                ),
            );
            assert.deepStrictEqual(resourcesOf(policy("logs")), [
                "arn:aws:logs:us-east-1:123456789012:log-group:/aws/batch/atx-transform",
                "arn:aws:logs:us-east-1:123456789012:log-group:/aws/batch/atx-transform:log-stream:*",
            ]);
            assert.deepStrictEqual(resourcesOf(policy("secretsmanager")), [
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:atx/*",
            ]);
            // (The KMS endpoint's policy names the key, whose ARN is unknown until it exists.)
            for (const service of ["s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts"]) {
                const own = policy(service).Statement.filter((s) => s.Sid !== "EcrImageLayers");
                for (const s of own) {
                    assert.deepStrictEqual(s.Condition, { StringEquals: { "aws:PrincipalAccount": "123456789012" } });
                }
            }
        });

        it("splits the jobs' HTTPS egress: S3 prefix list, the endpoints' group, and the NAT path", () => {
            const group = named(resources(), "network-jobs");
            const egress = group.inputs.egress as Record<string, unknown>[];
            assert.strictEqual(egress.length, 3);
            assert.ok(egress.every((r) => r.protocol === "tcp" && r.fromPort === 443 && r.toPort === 443));
            assert.ok(egress.some((r) => Array.isArray(r.prefixListIds)));
            assert.ok(egress.some((r) => Array.isArray(r.securityGroups)));
            assert.ok(egress.some((r) => JSON.stringify(r.cidrBlocks) === '["0.0.0.0/0"]' && !r.ipv6CidrBlocks));
            assert.deepStrictEqual(group.inputs.ingress, []);
        });
    });
});
