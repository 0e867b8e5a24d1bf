import { platformNames } from "../../components/naming";
import { PlatformStorage, type PlatformStorageArgs } from "../../components/storage";
import { componentResources, testContext } from "../support/mocks";

/** The platform key the storage tests encrypt with. */
export const STORAGE_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc";

/** The resources of a PlatformStorage named `storage<suffix>` (the suffix also ends its physical names). */
export function storageResources(suffix: string, extra: Partial<PlatformStorageArgs> = {}) {
    return componentResources(
        () =>
            new PlatformStorage(`storage${suffix}`, {
                context: testContext(),
                names: platformNames(suffix),
                kmsKeyArn: STORAGE_KEY_ARN,
                ...extra,
            }),
    );
}
