/** The pack's identity, shared by `index.ts` (which serves it) and the offline evaluator. */
import { type EnforcementLevel } from "@pulumi/policy";

export const PACK_NAME = "atx-security";
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

export const PACK_VERSION: string = (require("./package.json") as { version: string }).version;
