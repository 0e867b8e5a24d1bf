/**
 * ECR: repositories scan images on push and use immutable tags. `awsx.ecr.Repository` forwards the
 * same arguments to its child repository, so the component is checked by the same function (its
 * child is not visible to an offline preview).
 */
import type * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy } from "@pulumi/policy";
import { MANDATORY, type ResourceProps, validateTypes } from "./util";

type RepositoryProps = ResourceProps<aws.ecr.RepositoryArgs>;

export const ECR_REPOSITORY_TYPES = ["aws:ecr/repository:Repository", "awsx:ecr:Repository"];

export const ecrScanOnPush: ResourceValidationPolicy = {
    name: "ecr-scan-on-push",
    description: "ECR repositories scan images on push.",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<RepositoryProps>(ECR_REPOSITORY_TYPES, (repo, args, report) => {
        if (repo.imageScanningConfiguration?.scanOnPush !== true) {
            report(
                `ECR repository '${args.name}' must scan images on push (imageScanningConfiguration.scanOnPush: true).`,
            );
        }
    }),
};

export const ecrImmutableTags: ResourceValidationPolicy = {
    name: "ecr-immutable-tags",
    description: "ECR repositories use immutable image tags.",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<RepositoryProps>(ECR_REPOSITORY_TYPES, (repo, args, report) => {
        if (!String(repo.imageTagMutability ?? "MUTABLE").startsWith("IMMUTABLE")) {
            report(`ECR repository '${args.name}' must use immutable image tags (imageTagMutability: IMMUTABLE).`);
        }
    }),
};
