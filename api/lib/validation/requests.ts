/**
 * Validation of whole request bodies, composed from the field validators. The handlers call these
 * even though API Gateway's request models already screened the body: the functions can be invoked
 * directly, and the models cannot express rules such as the allowed source hosts.
 */
import { invalid } from "../errors";
import { limits, uploadContentTypes } from "../limits";
import { jobStatuses, type JobStatus } from "../statuses";
import { parseCommand, transformationName } from "./command";
import { validateEnvironment } from "./environment";
import {
    rejectUnknownProperties,
    requireObject,
    toJobName,
    validateBatchName,
    validateJobName,
    validateTags,
    validateUploadFileName,
} from "./fields";
import { sourceStem, validateSource, type SourceRules } from "./source";

/** A job request after validation: everything needed to submit it, nothing unchecked. */
export interface JobSpec {
    jobName: string;
    /** Starts with "atx". */
    argv: string[];
    /** Normalised https git URL or s3:// location; absent when the command needs no source. */
    source?: string;
    environment: { name: string; value: string }[];
    tags: Record<string, string>;
}

const jobProperties = ["command", "source", "jobName", "environment", "tags"] as const;

/** What a job request is checked against besides its own content. */
export interface JobRules extends SourceRules {
    /** The job definition's timeout: the bound of ATX_SHELL_TIMEOUT. */
    jobTimeoutSeconds: number;
}

export function validateJobRequest(value: unknown, rules: JobRules, prefix = ""): JobSpec {
    const body = requireObject(value, prefix.replace(/\.$/, ""));
    rejectUnknownProperties(body, jobProperties, prefix);
    const argv = parseCommand(body.command, `${prefix}command`);
    const source = body.source === undefined ? undefined : validateSource(body.source, rules, `${prefix}source`);
    const jobName =
        body.jobName === undefined
            ? toJobName(source ? sourceStem(source) : undefined, transformationName(argv) ?? argv.slice(1, 4).join("-"))
            : validateJobName(body.jobName, `${prefix}jobName`);
    return {
        jobName,
        argv,
        source: source?.url,
        environment: validateEnvironment(body.environment, `${prefix}environment`, rules),
        tags: validateTags(body.tags, `${prefix}tags`),
    };
}

export interface BulkRequest {
    batchName: string;
    jobs: JobSpec[];
}

export function validateBulkRequest(value: unknown, rules: JobRules, maxJobs: number): BulkRequest {
    const body = requireObject(value, "");
    rejectUnknownProperties(body, ["batchName", "jobs"]);
    const batchName = validateBatchName(body.batchName);
    if (!Array.isArray(body.jobs) || body.jobs.length === 0) throw invalid("jobs", "jobs must be a non-empty array");
    if (body.jobs.length > maxJobs)
        throw invalid("jobs", `a batch may hold at most ${maxJobs} jobs, got ${body.jobs.length}`);
    return { batchName, jobs: body.jobs.map((job, i) => validateJobRequest(job, rules, `jobs[${i}].`)) };
}

export interface UploadRequest {
    fileName: string;
    contentType: string;
    /** Absent when the caller did not say: the URL then fixes no size (see the upload handler). */
    contentLength?: number;
}

/** `filename` is the AWS sample's spelling of `fileName`; a request uses one or the other. */
export function validateUploadRequest(value: unknown, maxBytes: number): UploadRequest {
    const body = requireObject(value, "");
    rejectUnknownProperties(body, ["fileName", "filename", "contentType", "contentLength"]);
    if (body.fileName !== undefined && body.filename !== undefined) {
        throw invalid("filename", "give fileName or filename, not both");
    }
    const fileName =
        body.filename !== undefined
            ? validateUploadFileName(body.filename, "filename")
            : validateUploadFileName(body.fileName);
    const contentType = body.contentType ?? "application/zip";
    if (typeof contentType !== "string" || !(uploadContentTypes as readonly string[]).includes(contentType)) {
        throw invalid("contentType", `contentType must be one of ${uploadContentTypes.join(", ")}`);
    }
    const contentLength = body.contentLength;
    if (
        contentLength !== undefined &&
        (typeof contentLength !== "number" ||
            !Number.isInteger(contentLength) ||
            contentLength < 1 ||
            contentLength > maxBytes)
    ) {
        throw invalid("contentLength", `contentLength must be an integer number of bytes from 1 to ${maxBytes}`);
    }
    return { fileName, contentType, contentLength };
}

export interface ListQuery {
    status?: JobStatus;
    limit: number;
    nextToken?: string;
}

export function validateListQuery(query: Record<string, string | undefined> | null): ListQuery {
    const { status, limit, nextToken } = query ?? {};
    if (status !== undefined && !(jobStatuses as readonly string[]).includes(status)) {
        throw invalid("status", `status must be one of ${jobStatuses.join(", ")}`);
    }
    const parsedLimit = limit === undefined ? 25 : Number(limit);
    if (!Number.isInteger(parsedLimit) || parsedLimit < 1 || parsedLimit > limits.listMaxLimit) {
        throw invalid("limit", `limit must be an integer from 1 to ${limits.listMaxLimit}`);
    }
    if (nextToken !== undefined && !/^[A-Za-z0-9_-]{1,2048}$/.test(nextToken))
        throw invalid("nextToken", "nextToken is malformed");
    return { status: status as JobStatus | undefined, limit: parsedLimit, nextToken };
}

/** Path parameters are ids the API handed out: a Batch job id (UUID) or a batch id (UUID). */
export function validateId(value: string | undefined, field: string): string {
    if (!value || !/^[A-Za-z0-9-]{1,64}$/.test(value)) throw invalid(field, `${field} is malformed`);
    return value;
}
