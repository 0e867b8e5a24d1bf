/**
 * The MCP configuration jobs load at start (the `mcpServers` format atx reads). Servers either run
 * a local command with arguments or are reached over https; values are screened like job inputs
 * because the container starts these commands.
 */
import { invalid } from "../errors";
import { limits } from "../limits";
import { validateEnvironment } from "./environment";
import { rejectUnknownProperties, requireObject } from "./fields";

const serverNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const programPattern = /^[A-Za-z0-9_.\-/@]{1,256}$/;
const argumentPattern = /^[A-Za-z0-9_\-.,:/=@+% ]{0,1024}$/;
const serverProperties = ["type", "command", "args", "env", "url", "headers", "timeout", "disabled", "autoApprove"];

/**
 * The document itself, or the AWS sample's request shape that wraps it: `{"mcpConfig": {...}}`.
 * Either way the same document is validated and stored; field paths name what the caller sent.
 */
export function validateMcpConfig(value: unknown): { mcpServers: Record<string, unknown> } {
    const request = requireObject(value, "");
    const wrapped = "mcpConfig" in request;
    if (wrapped) rejectUnknownProperties(request, ["mcpConfig"]);
    const prefix = wrapped ? "mcpConfig." : "";
    const body = wrapped ? requireObject(request.mcpConfig, "mcpConfig") : request;
    rejectUnknownProperties(body, ["mcpServers"], prefix);
    const servers = requireObject(body.mcpServers, `${prefix}mcpServers`);
    const names = Object.keys(servers);
    if (names.length > limits.mcpMaxServers)
        throw invalid(`${prefix}mcpServers`, `at most ${limits.mcpMaxServers} servers`);
    for (const name of names) {
        const at = `${prefix}mcpServers.${name}`;
        if (!serverNamePattern.test(name)) throw invalid(at, "server names are 1-64 letters, digits, . _ -");
        const server = requireObject(servers[name], at);
        rejectUnknownProperties(server, serverProperties, `${at}.`);
        const hasCommand = server.command !== undefined;
        if (hasCommand === (server.url !== undefined)) throw invalid(at, "a server has either command or url");
        if (hasCommand) {
            if (typeof server.command !== "string" || !programPattern.test(server.command)) {
                throw invalid(`${at}.command`, "command must be a program name or path without shell characters");
            }
            if (server.args !== undefined) {
                if (!Array.isArray(server.args) || server.args.length > limits.commandMaxArgs)
                    throw invalid(`${at}.args`, "args must be an array of strings");
                server.args.forEach((arg, i) => {
                    if (typeof arg !== "string" || !argumentPattern.test(arg))
                        throw invalid(`${at}.args[${i}]`, "arguments must not contain shell characters");
                });
            }
            validateEnvironment(server.env, `${at}.env`);
        } else {
            let url: URL | undefined;
            try {
                url = new URL(String(server.url));
            } catch {
                /* reported below */
            }
            if (!url || url.protocol !== "https:" || url.username || url.password) {
                throw invalid(`${at}.url`, "url must be an https URL without credentials");
            }
        }
    }
    return body as { mcpServers: Record<string, unknown> };
}
