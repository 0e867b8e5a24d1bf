import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "./support/preview";

interface ScpStatement {
    Sid: string;
    Effect: string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

const scp = JSON.parse(
    fs.readFileSync(path.join(PROJECT_DIR, "docs", "guardrails", "scp-atx-platform.json"), "utf8"),
) as { Version: string; Statement: ScpStatement[] };
const list = (value: string | string[] | undefined) => (value === undefined ? [] : ([] as string[]).concat(value));
const statement = (sid: string) => {
    const found = scp.Statement.find((s) => s.Sid === sid);
    assert.ok(found, `no statement ${sid}`);
    return found;
};
/** Whether a statement denies an action (exact or by `service:*` wildcard). */
const denies = (s: ScpStatement, action: string) =>
    list(s.Action).some((a) => a === action || (a.endsWith(":*") && action.startsWith(a.slice(0, -1))));

describe("the example guardrail SCP", () => {
    it("is a valid policy of Deny statements only, within the SCP size limit", () => {
        assert.strictEqual(scp.Version, "2012-10-17");
        assert.ok(scp.Statement.length > 0);
        for (const s of scp.Statement) {
            assert.strictEqual(s.Effect, "Deny", `${s.Sid} must deny: SCPs are guardrails`);
            assert.ok(/^[A-Za-z0-9]+$/.test(s.Sid), `Sid ${s.Sid}`);
            assert.ok((s.Action === undefined) !== (s.NotAction === undefined), `${s.Sid}: Action xor NotAction`);
            assert.ok(list(s.Resource).length > 0, `${s.Sid}: Resource`);
        }
        assert.strictEqual(new Set(scp.Statement.map((s) => s.Sid)).size, scp.Statement.length);
        // Organizations counts the policy without whitespace against 5,120 characters.
        assert.ok(JSON.stringify(scp).length <= 5120);
    });

    it("denies disabling the trail, except to the deploying role", () => {
        const s = statement("DenyStoppingOrDeletingTheAuditTrail");
        for (const action of ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]) assert.ok(denies(s, action), action);
        assert.match(list(s.Resource)[0], /:trail\/atx-audit-trail\*$/);
        assert.ok(s.Condition?.ArnNotLike?.["aws:PrincipalArn"]);
    });

    it("denies public buckets: the account block, public ACLs and removing the platform buckets' protections", () => {
        assert.ok(denies(statement("DenyPublicBuckets"), "s3:DeleteAccountPublicAccessBlock"));
        const acls = statement("DenyPublicAclsOnPlatformBuckets");
        assert.ok(denies(acls, "s3:PutBucketAcl"));
        assert.deepStrictEqual(list(acls.Condition?.StringEquals?.["s3:x-amz-acl"]).sort(), [
            "authenticated-read",
            "public-read",
            "public-read-write",
        ]);
        const protections = statement("DenyRemovingPlatformBucketProtections");
        for (const action of ["s3:DeleteBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:DeleteBucketEncryption"]) {
            assert.ok(denies(protections, action), action);
        }
    });

    it("denies leaving the region, exempting only global services", () => {
        const s = statement("DenyLeavingTheRegion");
        const exempt = list(s.NotAction);
        for (const global of ["iam:*", "sts:*", "organizations:*"]) assert.ok(exempt.includes(global), global);
        for (const regional of ["s3:*", "batch:*", "ec2:*", "lambda:*", "kms:*"]) {
            assert.ok(!exempt.includes(regional), `${regional} must not escape the region rule`);
        }
        assert.ok(list(s.Condition?.StringNotEquals?.["aws:RequestedRegion"]).length > 0);
    });

    it("denies leaving the organisation and stopping Config", () => {
        assert.ok(denies(statement("DenyLeavingTheOrganization"), "organizations:LeaveOrganization"));
        assert.ok(denies(statement("DenyDisablingConfigRecording"), "config:StopConfigurationRecorder"));
    });
});
