/** The shapes of the API's JSON answers, as far as the tests read them. */

/** A 4xx/5xx answer from a handler. */
export interface ErrorAnswer {
    error: { code: string; message: string; field?: string };
}

/** A 403 from API Gateway itself (no handler ran). */
export interface GatewayAnswer {
    message: string;
    error?: unknown;
}

export interface JobAnswer {
    jobId: string;
    batchJobId: string;
    jobName: string;
    status: string;
    submittedAt?: string;
    startedAt?: string;
    stoppedAt?: string;
    logStreamName?: string;
    source?: string;
    results: { bucket: string; prefix: string; s3Uri: string };
}

export interface JobsPage {
    jobs: JobAnswer[];
    nextToken: string | null;
}

export interface ResultsAnswer {
    objects: { key: string; url: string }[];
}

export interface BatchAnswer {
    batchId: string;
    status: string;
    totalJobs: number;
    progressPercent: number;
    progress: number;
    counts: Record<string, number>;
    statusCounts: Record<string, number>;
    failedJobs: unknown[];
    failedJobsTruncated: boolean;
}

export interface UploadAnswer {
    s3Uri: string;
    uploadUrl: string;
    headers: Record<string, string>;
}

export interface StoredAnswer {
    s3Uri: string;
    servers: string[];
}
