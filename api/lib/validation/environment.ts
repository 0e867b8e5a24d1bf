/**
 * Environment overrides a caller may pass to a job. Names follow the allow-list pattern below and
 * may not be, or start like, a variable the platform or the runtime relies on: overriding those
 * would let a caller redirect output, widen the allowed git hosts, or load code into a
 * process (LD_PRELOAD, NODE_OPTIONS, JAVA_TOOL_OPTIONS, GIT_SSH_COMMAND...).
 */
import { invalid } from "../errors";
import { byCodePoint } from "../order";
import { limits } from "../limits";
import { hasControlCharacter } from "./fields";
import { shellTimeoutVariable, validateShellTimeout } from "./shell-timeout";

export const environmentNamePattern = /^[A-Z][A-Z0-9_]*$/;

/** Exact names the job definition or the container sets, or that change how programs load code. */
export const reservedEnvironmentNames: ReadonlySet<string> = new Set([
    "PATH",
    "HOME",
    "SHELL",
    "USER",
    "PWD",
    "IFS",
    "ENV",
    "BASH_ENV",
    "PROMPT_COMMAND",
    "SHELLOPTS",
    "S3_BUCKET",
    "SOURCE_BUCKET",
    "S3_ACCESS_POINT",
    "SOURCE_ACCESS_POINT",
    "OUTPUT_PREFIX",
    "ALLOWED_GIT_HOSTS",
    "ALLOWED_GIT_SCHEMES",
    "GIT_CREDENTIAL_SECRETS",
    "MCP_CONFIG_KEY",
    "NODE_OPTIONS",
    "NODE_PATH",
    "JAVA_TOOL_OPTIONS",
    "JDK_JAVA_OPTIONS",
    "JAVA_OPTIONS",
    "CLASSPATH",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PYTHONHOME",
    "PERL5OPT",
    "PERL5LIB",
    "RUBYOPT",
    "RUBYLIB",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "CURL_CA_BUNDLE",
]);

/** Prefixes owned by AWS (credentials, endpoints, Batch/ECS metadata), the dynamic loader, git and atx. */
export const reservedEnvironmentPrefixes = ["AWS_", "LD_", "ATX_", "ECS_", "GIT_", "SSH_", "DYLD_", "_JAVA"];

export function reservedEnvironmentReason(name: string): string | undefined {
    if (reservedEnvironmentNames.has(name)) return `${name} is set by the platform and cannot be overridden`;
    const prefix = reservedEnvironmentPrefixes.find((p) => name.startsWith(p));
    return prefix ? `variables starting with ${prefix} cannot be overridden` : undefined;
}

export interface EnvironmentRules {
    /**
     * The job timeout in seconds: when given, ATX_SHELL_TIMEOUT may be set, up to this value. Left out
     * where no job runs the variables (an MCP server's environment), so there it stays reserved.
     */
    jobTimeoutSeconds?: number;
}

/** Validates `{NAME: value}` and returns it in Batch's `[{name, value}]` form, sorted by name. */
export function validateEnvironment(
    value: unknown,
    field = "environment",
    rules: EnvironmentRules = {},
): { name: string; value: string }[] {
    if (value === undefined) return [];
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw invalid(field, "environment must be an object of NAME: value strings");
    }
    const entries = Object.entries(value);
    if (entries.length > limits.environmentMaxVars) {
        throw invalid(field, `environment may set at most ${limits.environmentMaxVars} variables`);
    }
    return entries
        .map(([name, val]) => {
            const at = `${field}.${name}`;
            if (name.length > limits.environmentNameMaxChars || !environmentNamePattern.test(name)) {
                throw invalid(
                    at,
                    `variable names must match ${environmentNamePattern.source} and be at most ${limits.environmentNameMaxChars} characters`,
                );
            }
            const shellTimeout = name === shellTimeoutVariable && rules.jobTimeoutSeconds !== undefined;
            const reason = shellTimeout ? undefined : reservedEnvironmentReason(name);
            if (reason) throw invalid(at, reason);
            if (typeof val !== "string") throw invalid(at, "variable values must be strings");
            if (shellTimeout) return { name, value: validateShellTimeout(val, rules.jobTimeoutSeconds!, at) };
            if (val.length > limits.environmentValueMaxChars) {
                throw invalid(at, `variable values must be at most ${limits.environmentValueMaxChars} characters`);
            }
            if (hasControlCharacter(val)) throw invalid(at, "variable values must not contain control characters");
            return { name, value: val };
        })
        .sort((a, b) => byCodePoint(a.name, b.name));
}
