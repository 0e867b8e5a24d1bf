/**
 * The API's error vocabulary. Every non-2xx answer from a handler has the body
 * `{"error": {"code", "message", "field"?}}`; `field` is a JSON path into the request
 * (`jobs[3].command`) when one input is to blame.
 */
export type ErrorCode =
    | "InvalidJson"
    | "ValidationError"
    | "PayloadTooLarge"
    | "NotFound"
    | "Conflict"
    | "ServiceUnavailable"
    | "UpstreamError"
    | "InternalError";

const statusByCode: Record<ErrorCode, number> = {
    InvalidJson: 400,
    ValidationError: 400,
    PayloadTooLarge: 413,
    NotFound: 404,
    Conflict: 409,
    ServiceUnavailable: 503,
    UpstreamError: 502,
    InternalError: 500,
};

export class ApiError extends Error {
    readonly statusCode: number;
    constructor(
        readonly code: ErrorCode,
        message: string,
        readonly field?: string,
    ) {
        super(message);
        this.name = "ApiError";
        this.statusCode = statusByCode[code];
    }

    toBody(): { error: { code: ErrorCode; message: string; field?: string } } {
        return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
    }
}

/** A bad input: 400 with the offending field. */
export function invalid(field: string, message: string): ApiError {
    return new ApiError("ValidationError", message, field);
}
