/**
 * Secrets: no secret value in plaintext.
 *
 * What the engine shows a policy: @pulumi/policy deserializes the properties it is sent with
 * secrets unwrapped to their plain values (`deserializeProperties(props, false)` in server.js), so
 * a validation policy can't see whether a value was a Pulumi secret. What it does see are the
 * resource options, whose `additionalSecretOutputs` lists the properties the engine keeps
 * encrypted. @pulumi/aws's SecretVersion sets it for secretString/secretBinary/secretStringWo; a
 * resource registered without it (a raw CustomResource, a dynamic provider) stores the value in
 * plaintext state. Values in Batch environments and SSM String parameters are plaintext wherever
 * they come from, so credentials there are reported by name.
 */
import type * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy } from "@pulumi/policy";
import { MANDATORY, type ResourceProps, validateTypes } from "./util";

export const SECRETS_TYPES = {
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    ssmParameter: "aws:ssm/parameter:Parameter",
} as const;

const SECRET_VALUE_PROPERTIES = ["secretString", "secretBinary", "secretStringWo"];

export const secretVersionValueIsSecret: ResourceValidationPolicy = {
    name: "secretsmanager-secret-value-is-secret",
    description:
        "A Secrets Manager SecretVersion's value is a Pulumi secret (kept encrypted in state and config), never plaintext.",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<ResourceProps<aws.secretsmanager.SecretVersionArgs>>(
        SECRETS_TYPES.secretVersion,
        (sv, args, report) => {
            const secret = args.opts.additionalSecretOutputs ?? [];
            for (const prop of SECRET_VALUE_PROPERTIES) {
                if (prop in sv && !secret.includes(prop)) {
                    report(
                        `Secret version '${args.name}' must hold ${prop} as a Pulumi secret (pulumi.secret or a secret config value), not plaintext.`,
                    );
                }
            }
        },
    ),
};

const CREDENTIAL_NAME = /(token|secret|password|passwd|private[-_]?key|api[-_]?key|access[-_]?key|credential)/i;

export const ssmCredentialsSecureString: ResourceValidationPolicy = {
    name: "ssm-credentials-secure-string",
    description: "SSM parameters whose names denote credentials are SecureString parameters.",
    enforcementLevel: MANDATORY,
    validateResource: validateTypes<ResourceProps<aws.ssm.ParameterArgs>>(
        SECRETS_TYPES.ssmParameter,
        (p, args, report) => {
            const name = typeof p.name === "string" ? p.name : args.name;
            if (CREDENTIAL_NAME.test(name) && p.type !== "SecureString") {
                report(`SSM parameter '${name}' holds a credential and must be a SecureString (type is '${p.type}').`);
            }
        },
    ),
};
