/**
 * Values that the TypeScript program owns and that bash repeats as its fallback: the container
 * must fall back to exactly what the job definition would have set.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { defaultAllowedSourceHosts, defaultMcpConfigKey } from "../api/lib/config";
import { CONFIG_DEFAULTS } from "../config";
import { gitCredentialSecrets } from "../components/identity";
import { PROJECT_DIR } from "./support/preview";

/** The `${NAME:-fallback}` (or `${NAME-fallback}`) of a container script. */
function bashFallback(script: string, variable: string): string {
    const text = fs.readFileSync(path.join(PROJECT_DIR, "container", "bin", script), "utf8");
    const match = new RegExp(`\\$\\{${variable}:?-([^}]*)\\}`).exec(text);
    if (match === null) throw new Error(`${script} has no fallback for ${variable}`);
    return match[1].replace(/^"|"$/g, "");
}

describe("values shared by the program, the API and the container", () => {
    it("default to the same allowed git hosts everywhere", () => {
        assert.deepStrictEqual(CONFIG_DEFAULTS.allowedGitHosts, defaultAllowedSourceHosts);
        assert.strictEqual(bashFallback("fetch-source.sh", "ALLOWED_GIT_HOSTS"), defaultAllowedSourceHosts.join(","));
    });

    it("default to the same MCP configuration key everywhere", () => {
        assert.strictEqual(bashFallback("load-mcp-config.sh", "MCP_CONFIG_KEY"), defaultMcpConfigKey);
    });

    it("name the default git token secret as the job role may read it", () => {
        const fallback = bashFallback("fetch-git-credentials.sh", "GIT_CREDENTIAL_SECRETS");
        assert.ok(gitCredentialSecrets(defaultAllowedSourceHosts).split(",").includes(fallback), fallback);
    });
});
