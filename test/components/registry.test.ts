import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ContainerRegistry, ecrRepositoryArn, hashBuildContext } from "../../components/registry";
import { componentResources, json, promiseOf, testContext } from "../support/mocks";
import { PROJECT_DIR } from "../support/preview";

const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc";

/** An ECR lifecycle policy, as far as the tests read it. */
interface LifecyclePolicy {
    readonly rules: { readonly selection: unknown; readonly action: { readonly type: string } }[];
}

describe("ContainerRegistry", () => {
    it("creates a KMS-encrypted, scan-on-push repository with immutable tags that keeps 10 images", async () => {
        const tree = await componentResources(
            () =>
                new ContainerRegistry("reg-repo", {
                    context: testContext(),
                    repositoryName: "atx-test",
                    kmsKeyArn: KEY_ARN,
                    imageUri: "public.ecr.aws/x/y:1",
                }),
        );
        const repo = tree.one("aws:ecr/repository:Repository").inputs;
        assert.strictEqual(repo.imageTagMutability, "IMMUTABLE");
        assert.deepStrictEqual(repo.imageScanningConfiguration, { scanOnPush: true });
        assert.deepStrictEqual(repo.encryptionConfigurations, [{ encryptionType: "KMS", kmsKey: KEY_ARN }]);
        const lifecycle = json(tree.one("aws:ecr/lifecyclePolicy:LifecyclePolicy"), "policy") as LifecyclePolicy;
        assert.deepStrictEqual(lifecycle.rules[0].selection, {
            tagStatus: "any",
            countType: "imageCountMoreThan",
            countNumber: 10,
        });
        assert.strictEqual(lifecycle.rules[0].action.type, "expire");
    });

    it("builds container/ and tags the image with its content hash when no image is configured", async () => {
        let registry: ContainerRegistry | undefined;
        const context = fs.mkdtempSync(path.join(os.tmpdir(), "ctx-"));
        fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\n");
        const tree = await componentResources(
            () =>
                (registry = new ContainerRegistry("reg-build", {
                    context: testContext(),
                    repositoryName: "atx-build",
                    kmsKeyArn: KEY_ARN,
                    buildContext: context,
                })),
        );
        const image = tree.one("awsx:ecr:Image").inputs;
        const tag = `ctx-${hashBuildContext(context).slice(0, 20)}`;
        assert.deepStrictEqual([image.context, image.platform, image.imageTag], [context, "linux/amd64", tag]);
        assert.strictEqual(
            await promiseOf(registry!.imageUri),
            `123456789012.dkr.ecr.us-east-1.amazonaws.com/atx-build:${tag}`,
        );
        assert.deepStrictEqual(await Promise.all(registry!.pullRepositoryArns.map(promiseOf)), [
            "arn:aws:ecr:us-east-1:123456789012:repository/atx-build",
        ]);
    });

    it("uses a configured image as is and may pull from its ECR repository", async () => {
        let registry: ContainerRegistry | undefined;
        const uri = "210987654321.dkr.ecr.eu-west-1.amazonaws.com/shared/atx@sha256:" + "a".repeat(64);
        const tree = await componentResources(
            () =>
                (registry = new ContainerRegistry("reg-given", {
                    context: testContext(),
                    repositoryName: "atx-given",
                    kmsKeyArn: KEY_ARN,
                    imageUri: uri,
                })),
        );
        assert.strictEqual(tree.ofType("awsx:ecr:Image").length, 0);
        assert.strictEqual(await promiseOf(registry!.imageUri), uri);
        assert.deepStrictEqual(await Promise.all(registry!.pullRepositoryArns.map(promiseOf)), [
            "arn:aws:ecr:us-east-1:123456789012:repository/atx-given",
            "arn:aws:ecr:eu-west-1:210987654321:repository/shared/atx",
        ]);
    });

    it("recognises ECR image URIs in every partition and nothing else", () => {
        assert.strictEqual(
            ecrRepositoryArn("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/a:1"),
            "arn:aws-cn:ecr:cn-north-1:123456789012:repository/a",
        );
        assert.strictEqual(
            ecrRepositoryArn("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/a/b:1"),
            "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/a/b",
        );
        assert.strictEqual(ecrRepositoryArn("public.ecr.aws/amazonlinux/amazonlinux:2023"), undefined);
        assert.strictEqual(ecrRepositoryArn("ghcr.io/org/image:1"), undefined);
    });

    it("changes the build hash when a file the image gets changes, and only then", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hash-"));
        fs.cpSync(path.join(PROJECT_DIR, "container"), dir, { recursive: true });
        const first = hashBuildContext(dir);
        fs.appendFileSync(path.join(dir, "README.md"), "\n");
        fs.writeFileSync(path.join(dir, "test", "extra.bats"), "x");
        fs.writeFileSync(path.join(dir, "bin", "notes.swp"), "x");
        assert.strictEqual(hashBuildContext(dir), first, "README, tests and ignored files are not in the context");
        fs.appendFileSync(path.join(dir, "bin", "entrypoint.sh"), "\n");
        assert.notStrictEqual(hashBuildContext(dir), first);
    });

    it("counts the Dockerfile, which the builder reads although .dockerignore leaves it out", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hash-"));
        fs.cpSync(path.join(PROJECT_DIR, "container"), dir, { recursive: true });
        const first = hashBuildContext(dir);
        fs.appendFileSync(path.join(dir, "Dockerfile"), "LABEL extra=1\n");
        assert.notStrictEqual(hashBuildContext(dir), first);
    });

    it("gives the same hash whatever the machine's locale", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hash-"));
        // Names that Swedish, Danish and English collation order three different ways.
        for (const name of ["zeta", "äpple", "Alpha", "beta", "aa"]) fs.writeFileSync(path.join(dir, name), name);
        const hashIn = (locale: string) =>
            execFileSync(
                process.execPath,
                [
                    "-r",
                    path.join(PROJECT_DIR, "scripts", "register-ts.js"),
                    "-e",
                    `process.stdout.write(require(${JSON.stringify(path.join(PROJECT_DIR, "components", "registry.ts"))}).hashBuildContext(${JSON.stringify(dir)}))`,
                ],
                { env: { ...process.env, LC_ALL: locale, LANG: locale }, encoding: "utf8" },
            );
        const hashes = ["en_US.UTF-8", "sv_SE.UTF-8", "da_DK.UTF-8"].map(hashIn);
        assert.deepStrictEqual(hashes, [hashes[0], hashes[0], hashes[0]]);
        assert.strictEqual(hashes[0], hashBuildContext(dir));
    });
});
