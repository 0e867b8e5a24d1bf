/** Validators for the small named fields: job and batch names, tags, upload file names. */
import { invalid } from "../errors";
import { limits, reservedTagPrefix } from "../limits";

/** AWS Batch's job name rule. */
export const jobNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const tagKeyPattern = /^[A-Za-z0-9 _.:/=+\-@]{1,128}$/;
const tagValuePattern = /^[A-Za-z0-9 _.:/=+\-@]{0,256}$/;
export const uploadFileNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

export function requireObject(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw invalid(field, `${field || "body"} must be a JSON object`);
    }
    return value as Record<string, unknown>;
}

/** Refuses properties the API does not define, so a typo is an error rather than silently ignored. */
export function rejectUnknownProperties(body: Record<string, unknown>, allowed: readonly string[], prefix = ""): void {
    const unknown = Object.keys(body).find((key) => !allowed.includes(key));
    if (unknown !== undefined) throw invalid(prefix + unknown, `unknown property ${unknown}`);
}

export function validateJobName(value: unknown, field = "jobName"): string {
    if (typeof value !== "string" || !jobNamePattern.test(value)) {
        throw invalid(
            field,
            "job names are 1-128 letters, digits, hyphens or underscores, starting with a letter or digit",
        );
    }
    return value;
}

/** Makes a valid job name out of arbitrary text (used when the caller gives none). */
export function toJobName(...parts: (string | undefined)[]): string {
    const joined = parts
        .filter((p): p is string => !!p)
        .join("-")
        .replace(/[^A-Za-z0-9_-]+/g, "-")
        .replace(/^[-_]+|[-_]+$/g, "")
        .slice(0, limits.jobNameMaxChars);
    return joined || "atx-job";
}

export function validateTags(value: unknown, field = "tags"): Record<string, string> {
    if (value === undefined) return {};
    const tags = requireObject(value, field);
    const entries = Object.entries(tags);
    if (entries.length > limits.tagsMaxCount) throw invalid(field, `at most ${limits.tagsMaxCount} tags`);
    for (const [key, val] of entries) {
        const at = `${field}.${key}`;
        if (!tagKeyPattern.test(key))
            throw invalid(at, "tag keys are 1-128 letters, digits, spaces or _ . : / = + - @");
        if (key.toLowerCase().startsWith("aws:") || key.startsWith(reservedTagPrefix)) {
            throw invalid(at, `tag keys starting with aws: or ${reservedTagPrefix} are reserved`);
        }
        if (typeof val !== "string" || !tagValuePattern.test(val)) {
            throw invalid(at, "tag values are strings of at most 256 letters, digits, spaces or _ . : / = + - @");
        }
    }
    return tags as Record<string, string>;
}

/** True when `value` holds an ASCII control character (U+0000-U+001F or U+007F). */
export function hasControlCharacter(value: string): boolean {
    for (let i = 0; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code < 0x20 || code === 0x7f) return true;
    }
    return false;
}

export function validateBatchName(value: unknown, field = "batchName"): string {
    if (
        typeof value !== "string" ||
        value.length === 0 ||
        value.length > limits.batchNameMaxChars ||
        hasControlCharacter(value)
    ) {
        throw invalid(field, `batchName must be 1-${limits.batchNameMaxChars} printable characters`);
    }
    return value;
}

/** A single file name: no directories, so the object key cannot leave its upload prefix. */
export function validateUploadFileName(value: unknown, field = "fileName"): string {
    if (typeof value !== "string" || !uploadFileNamePattern.test(value) || value.includes("..")) {
        throw invalid(field, `${field} must be a plain file name (letters, digits, . _ -; no path, no ..)`);
    }
    return value;
}
