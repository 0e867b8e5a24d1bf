/**
 * ATX_SHELL_TIMEOUT: how long the ATX CLI lets a transformation's shell commands run, in seconds.
 * It is the one ATX_ variable a request may set. A whole number of seconds from one minute up to
 * the job definition's timeout: a longer value could never take effect, Batch would stop the job
 * first. Without it the container derives a default from that same timeout.
 */
import { invalid } from "../errors";

export const shellTimeoutVariable = "ATX_SHELL_TIMEOUT";
export const shellTimeoutMinSeconds = 60;

export function validateShellTimeout(value: string, maxSeconds: number, field: string): string {
    if (!/^[1-9][0-9]{0,8}$/.test(value) || Number(value) < shellTimeoutMinSeconds || Number(value) > maxSeconds) {
        throw invalid(
            field,
            `${shellTimeoutVariable} must be a whole number of seconds from ${shellTimeoutMinSeconds} to ${maxSeconds} (the job timeout)`,
        );
    }
    return value;
}
