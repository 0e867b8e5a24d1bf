/**
 * Where a job's code comes from: an https git URL on an allow-listed host, or an object in this
 * stack's source bucket. The container clones or downloads whatever it is given, so anything
 * that could reach internal addresses (IP literals, localhost, metadata endpoints), carry
 * credentials or switch protocol is refused here.
 */
import { isIP } from "node:net";
import { invalid } from "../errors";
import { limits } from "../limits";

export type Source = { kind: "git"; url: string } | { kind: "s3"; url: string; bucket: string; key: string };

export interface SourceRules {
    allowedHosts: readonly string[];
    sourceBucket: string;
}

/** Host names that resolve to the machine itself or to cloud metadata services. */
const internalHosts = /^(localhost|.*\.localhost|metadata|metadata\.google\.internal|instance-data|.*\.internal)$/;
const gitPath = /^\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+\/?$/;
const s3Key = /^[A-Za-z0-9_.\-/]+$/;

export function validateSource(value: unknown, rules: SourceRules, field = "source"): Source {
    if (typeof value !== "string" || value.length === 0) throw invalid(field, "source must be a non-empty string");
    if (value.length > limits.sourceMaxChars)
        throw invalid(field, `source must be at most ${limits.sourceMaxChars} characters`);
    // Checked before URL parsing, which would silently strip or percent-encode these. The range
    // [\x21-\x7e] leaves out spaces, control characters and anything outside ASCII.
    if (value.includes("\\") || !/^[\x21-\x7e]+$/.test(value)) {
        throw invalid(field, "source must be printable ASCII without spaces or backslashes");
    }
    if (value.startsWith("s3://")) return validateS3Source(value, rules.sourceBucket, field);
    if (!/^https:\/\//i.test(value)) throw invalid(field, "source must be an https:// git URL or an s3:// location");

    let url: URL;
    try {
        url = new URL(value);
    } catch {
        throw invalid(field, "source is not a valid URL");
    }
    if (url.username || url.password || value.slice(8).split("/")[0].includes("@")) {
        throw invalid(field, "source must not contain credentials");
    }
    const host = url.hostname.toLowerCase();
    if (isIP(host.replace(/^\[|\]$/g, "")) || /^[0-9.]+$/.test(host) || /^0x/i.test(host)) {
        throw invalid(field, "source must not use an IP address");
    }
    if (internalHosts.test(host)) throw invalid(field, "source must not point at a local or metadata host");
    if (url.port && url.port !== "443") throw invalid(field, "source must use the default https port");
    if (!rules.allowedHosts.includes(host)) {
        throw invalid(field, `source host ${host} is not allowed (allowed: ${rules.allowedHosts.join(", ")})`);
    }
    if (url.search || url.hash || value.includes("?") || value.includes("#")) {
        throw invalid(field, "source must not have a query or fragment");
    }
    if (!gitPath.test(url.pathname) || url.pathname.split("/").some((segment) => segment === "." || segment === "..")) {
        throw invalid(field, "source must be a repository path such as https://github.com/owner/repo.git");
    }
    return { kind: "git", url: `https://${host}${url.pathname}` };
}

function validateS3Source(value: string, sourceBucket: string, field: string): Source {
    const rest = value.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const key = slash < 0 ? "" : rest.slice(slash + 1);
    if (bucket !== sourceBucket) throw invalid(field, `s3 sources must be in the bucket ${sourceBucket}`);
    if (!key || !s3Key.test(key) || key.startsWith("/") || key.includes("//")) {
        throw invalid(field, "s3 source key must be a plain object key or prefix");
    }
    if (key.split("/").some((segment) => segment === "." || segment === "..")) {
        throw invalid(field, "s3 source key must not contain . or .. segments");
    }
    return { kind: "s3", url: value, bucket, key };
}

/** The last path segment of a source, without `.git` or an archive extension: a job-name stem. */
export function sourceStem(source: Source): string {
    const path = source.kind === "git" ? new URL(source.url).pathname : source.key;
    const last = path.split("/").filter(Boolean).pop() ?? "";
    return last.replace(/\.(git|zip|tar\.gz|tgz|tar)$/i, "");
}
