/**
 * Stack configuration as the engine assembles it: project defaults declared in Pulumi.yaml, then
 * Pulumi.<stack>.yaml, then `--config key=value` overrides (like `pulumi preview -c`). Values end up
 * as the strings the program's `pulumi.Config` reads, keyed `<namespace>:<key>`.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";

export interface ProjectFile {
    readonly name: string;
    readonly config?: Record<string, { type?: string; default?: unknown }>;
}

export class StackConfigError extends Error {}

export function readProject(projectDir: string): ProjectFile {
    return yaml.load(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

export function assembleStackConfig(
    projectDir: string,
    stack: string,
    overrides: readonly string[] = [],
): { project: string; config: Record<string, string> } {
    const project = readProject(projectDir);
    const config: Record<string, string> = {};
    for (const [key, declaration] of Object.entries(project.config ?? {})) {
        if (declaration.default !== undefined) config[`${project.name}:${key}`] = configString(declaration.default);
    }
    const stackValues = readStackFile(projectDir, stack);
    if (stackValues === undefined) {
        const known = fs
            .readdirSync(projectDir)
            .filter((f) => /^Pulumi\.[\w.-]+\.yaml$/.test(f))
            .map((f) => f.slice(7, -5));
        throw new StackConfigError(`no stack file Pulumi.${stack}.yaml; known stacks: ${known.join(", ")}`);
    }
    for (const [key, value] of Object.entries(withOverrides(project.name, stackValues, overrides))) {
        config[key] = configString(value);
    }
    return { project: project.name, config };
}

/**
 * The values of Pulumi.<stack>.yaml as written (undefined without a stack file), with `--config`
 * overrides applied: what a stack file for the real CLI holds (it adds the project defaults itself).
 */
export function stackFileConfig(
    projectDir: string,
    stack: string,
    overrides: readonly string[],
): Record<string, unknown> {
    return withOverrides(readProject(projectDir).name, readStackFile(projectDir, stack) ?? {}, overrides);
}

function readStackFile(projectDir: string, stack: string): Record<string, unknown> | undefined {
    const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) return undefined;
    const values =
        (yaml.load(fs.readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> })?.config ?? {};
    for (const [key, value] of Object.entries(values)) {
        if (typeof value === "object" && value !== null && "secure" in value) {
            throw new StackConfigError(
                `${key} is an encrypted secret: the offline preview cannot decrypt it; pass --config ${key}=<value>`,
            );
        }
    }
    return values;
}

function withOverrides(
    projectName: string,
    values: Record<string, unknown>,
    overrides: readonly string[],
): Record<string, unknown> {
    const result = { ...values };
    for (const override of overrides) {
        const separator = override.indexOf("=");
        if (separator <= 0) throw new StackConfigError(`--config expects key=value, got "${override}"`);
        const key = override.slice(0, separator);
        result[key.includes(":") ? key : `${projectName}:${key}`] = override.slice(separator + 1);
    }
    return result;
}

function configString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}
