import * as aws from "@pulumi/aws";
// The ecr module alone: the package index loads all of awsx classic and an AWS SDK (about 0.8 s).
import { Image } from "@pulumi/awsx/ecr";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { arns, type AwsContext } from "./aws-context";
import { byCodePoint } from "../api/lib/order";
import { dockerignoreFilter } from "./dockerignore";

export interface ContainerRegistryArgs {
    readonly context: AwsContext;
    readonly repositoryName: string;
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Use this image as is; default: build `buildContext` and push it to the repository. */
    readonly imageUri?: string;
    /** Docker build context holding the Dockerfile. Default `<project>/container`. */
    readonly buildContext?: string;
    /** How many images the lifecycle policy keeps. Default 10. */
    readonly keepImages?: number;
}

/**
 * The ECR repository for the job image (scan on push, immutable tags, KMS, lifecycle) and the image
 * the jobs run: built from container/ during `pulumi up` and tagged with the hash of its build
 * context (immutable tags forbid re-pushing a moving tag, and the reference is known at preview),
 * or a configured image used as is.
 */
export class ContainerRegistry extends pulumi.ComponentResource {
    readonly repository: aws.ecr.Repository;
    readonly repositoryUrl: pulumi.Output<string>;
    /** What the job definition runs. Depend on this component so that the push happens first. */
    readonly imageUri: pulumi.Output<string>;
    /** Repositories the execution role must be allowed to pull from. */
    readonly pullRepositoryArns: pulumi.Output<string>[];

    constructor(name: string, args: ContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("atx:registry:ContainerRegistry", name, {}, opts);
        const child = { parent: this };
        const keepImages = args.keepImages ?? 10;

        this.repository = new aws.ecr.Repository(
            `${name}-repository`,
            {
                name: args.repositoryName,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                forceDelete: false,
            },
            child,
        );
        new aws.ecr.LifecyclePolicy(
            `${name}-lifecycle`,
            {
                repository: this.repository.name,
                policy: JSON.stringify({
                    rules: [
                        {
                            rulePriority: 1,
                            description: `Keep the last ${keepImages} images`,
                            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepImages },
                            action: { type: "expire" },
                        },
                    ],
                }),
            },
            child,
        );
        this.repositoryUrl = arns.repositoryUrl(args.context, this.repository.name);
        this.pullRepositoryArns = [arns.repository(args.context, this.repository.name)];

        if (args.imageUri !== undefined) {
            this.imageUri = pulumi.output(args.imageUri);
            const external = ecrRepositoryArn(args.imageUri);
            if (external !== undefined) this.pullRepositoryArns.push(pulumi.output(external));
        } else {
            const context = args.buildContext ?? path.join(__dirname, "..", "container");
            const imageTag = `ctx-${hashBuildContext(context).slice(0, 20)}`;
            new Image(
                `${name}-image`,
                { repositoryUrl: this.repository.repositoryUrl, context, platform: "linux/amd64", imageTag },
                child,
            );
            this.imageUri = pulumi.interpolate`${this.repositoryUrl}:${imageTag}`;
        }
        this.registerOutputs({ repositoryUrl: this.repositoryUrl, imageUri: this.imageUri });
    }
}

/** The ARN of the ECR repository an image URI points at, or undefined for other registries. */
export function ecrRepositoryArn(imageUri: string): string | undefined {
    const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([^:@]+)/.exec(imageUri);
    if (match === null) return undefined;
    const [, account, region, china, repository] = match;
    const partition = china ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    return `arn:${partition}:ecr:${region}:${account}:repository/${repository}`;
}

/**
 * SHA-256 over the relative path and bytes of every file Docker would send (the context's
 * `.dockerignore` applies; the Dockerfile always counts: the builder reads it even when ignored), in
 * code-point order, the same on every machine: a change the image cannot see changes no tag.
 */
export function hashBuildContext(dir: string): string {
    const ignoreFile = path.join(dir, ".dockerignore");
    const sent = dockerignoreFilter(fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, "utf8") : "");
    const counted = (file: string) => file === "Dockerfile" || sent(file);
    const hash = crypto.createHash("sha256");
    const walk = (relative: string): void => {
        const entries = fs.readdirSync(path.join(dir, relative), { withFileTypes: true });
        for (const entry of entries.sort((a, b) => byCodePoint(a.name, b.name))) {
            const entryPath = relative === "" ? entry.name : `${relative}/${entry.name}`;
            if (entry.isDirectory()) walk(entryPath);
            else if (entry.isFile() && counted(entryPath)) {
                hash.update(entryPath)
                    .update("\0")
                    .update(fs.readFileSync(path.join(dir, entryPath)))
                    .update("\0");
            }
        }
    };
    walk("");
    return hash.digest("hex");
}
