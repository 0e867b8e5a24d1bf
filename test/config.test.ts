import * as assert from "assert";
import * as fc from "fast-check";
import * as path from "path";
import { ALARM_DEFAULTS } from "../components/alarm-settings";
import {
    CONFIG_DEFAULTS,
    ConfigError,
    FARGATE_MEMORY_BY_VCPU,
    LOG_RETENTION_DAYS,
    parseAlarms,
    parseConfig,
} from "../config";
import { readProject } from "../tools/preview/stack-config";

const parse = (values: Record<string, string>, stack = "prod") => parseConfig((key) => values[key], stack);

function problemsOf(values: Record<string, string>): ConfigError["problems"] {
    try {
        parse(values);
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error.problems;
    }
    assert.fail(`expected ${JSON.stringify(values)} to be rejected`);
}

describe("stack config", () => {
    it("gives the documented secure defaults when nothing is set", () => {
        const config = parse({});
        assert.strictEqual(config.fargateVcpu, 2);
        assert.strictEqual(config.fargateMemoryMiB, 4096);
        assert.strictEqual(config.jobTimeoutSeconds, 43200);
        assert.strictEqual(config.retryAttempts, 3);
        assert.strictEqual(config.logRetentionDays, 30);
        assert.strictEqual(config.network, undefined);
        assert.strictEqual(config.imageUri, undefined);
        assert.deepStrictEqual(config.allowedGitHosts, ["github.com", "gitlab.com", "bitbucket.org"]);
    });

    it("keeps the AWS sample's names on prod and suffixes every other stack", () => {
        assert.strictEqual(parse({}, "prod").nameSuffix, "");
        assert.strictEqual(parse({}, "dev").nameSuffix, "-dev");
        assert.strictEqual(parse({}, "Feature_X").nameSuffix, "-feature-x");
        assert.strictEqual(parse({ nameSuffix: "-blue" }, "prod").nameSuffix, "-blue");
    });

    it("declares in Pulumi.yaml exactly the keys and defaults the parser uses", () => {
        const declared = readProject(path.join(__dirname, "..")).config ?? {};
        for (const [key, fallback] of Object.entries(CONFIG_DEFAULTS)) {
            assert.ok(key in declared, `Pulumi.yaml does not declare ${key}`);
            const value = declared[key].default;
            assert.deepStrictEqual(
                typeof fallback === "number" && typeof value === "string" ? Number(value) : value,
                fallback,
                key,
            );
        }
        // Every declared key is read by the parser: a typo in Pulumi.yaml would otherwise be silently ignored.
        for (const key of Object.keys(declared)) {
            const probe = parseConfigReads();
            assert.ok(probe.has(key), `Pulumi.yaml declares ${key}, which config.ts never reads`);
        }
    });

    it("declares no key without a default in Pulumi.yaml: the Pulumi CLI would require it on every stack", () => {
        const declared = readProject(path.join(__dirname, "..")).config ?? {};
        const required = Object.keys(declared).filter((key) => declared[key].default === undefined);
        assert.deepStrictEqual(required, []);
    });

    it("rejects a key of the project it does not read, naming the closest known key", () => {
        const values = { objectLok: "false", fargateVcpu: "1", fargateMemoryMiB: "2048" };
        assert.throws(
            () =>
                parseConfig(
                    (key) => values[key as keyof typeof values],
                    "prod",
                    "atx-platform",
                    undefined,
                    Object.keys(values),
                ),
            (e: Error) =>
                e instanceof ConfigError &&
                e.problems.length === 1 &&
                /atx-platform:objectLok = false: must be a key this program reads \(unknown key; did you mean objectLock\?\)/.test(
                    e.message,
                ),
        );
    });

    it("knows every key it reads, alarms included", () => {
        const given = [...parseConfigReads()];
        assert.ok(given.includes("alarms") && given.includes("cloudTrailLogsToCloudWatch"));
        assert.doesNotThrow(() => parseConfig(() => undefined, "prod", "atx-platform", undefined, given));
    });

    it("accepts every Fargate vCPU/memory combination and nothing else", () => {
        for (const [vcpu, memories] of Object.entries(FARGATE_MEMORY_BY_VCPU)) {
            for (const memory of memories) {
                const config = parse({ fargateVcpu: vcpu, fargateMemoryMiB: String(memory), maxVcpus: "16" });
                assert.strictEqual(config.fargateMemoryMiB, memory);
            }
        }
        fc.assert(
            fc.property(
                fc.constantFrom(...Object.keys(FARGATE_MEMORY_BY_VCPU)),
                fc.integer({ min: 1, max: 200000 }),
                (vcpu, memory) => {
                    const valid = FARGATE_MEMORY_BY_VCPU[vcpu].includes(memory);
                    let accepted = true;
                    try {
                        parse({ fargateVcpu: vcpu, fargateMemoryMiB: String(memory), maxVcpus: "16" });
                    } catch {
                        accepted = false;
                    }
                    return accepted === valid;
                },
            ),
        );
    });

    it("names the key, the value and the allowed memory sizes for a bad combination", () => {
        const [problem] = problemsOf({ fargateVcpu: "1", fargateMemoryMiB: "16384" });
        assert.strictEqual(problem.key, "fargateMemoryMiB");
        assert.strictEqual(problem.value, "16384");
        assert.match(problem.allowed, /2048, 3072, 4096, 5120, 6144, 7168, 8192 \(MiB\) for 1 vCPU/);
    });

    it("accepts only CloudWatch's retention periods", () => {
        for (const days of LOG_RETENTION_DAYS)
            assert.strictEqual(parse({ logRetentionDays: String(days) }).logRetentionDays, days);
        const [problem] = problemsOf({ logRetentionDays: "31" });
        assert.strictEqual(problem.key, "logRetentionDays");
        assert.match(problem.allowed, /1, 3, 5, 7, 14, 30, 60/);
    });

    const invalid: [string, string, RegExp][] = [
        ["fargateVcpu", "3", /one of 0.25, 0.5, 1, 2, 4, 8, 16/],
        ["fargateVcpu", "two", /one of/],
        ["jobTimeoutSeconds", "59", /from 60 to 1209600/],
        ["jobTimeoutSeconds", "1.5", /whole number/],
        ["retryAttempts", "0", /from 1 to 10/],
        ["retryAttempts", "11", /from 1 to 10/],
        ["maxVcpus", "1", /from 2 to 10000/],
        ["ephemeralStorageGiB", "20", /from 21 to 200/],
        ["ephemeralStorageGiB", "201", /from 21 to 200/],
        ["vpcId", "my-vpc", /VPC id/],
        ["image", "latest", /tag or digest/],
        ["image", "repo/image", /tag or digest/],
        ["permissionsBoundaryArn", "arn:aws:iam::123:policy/x", /IAM policy ARN/],
        ["transformPolicyNames", "AWSTransformCustomFullAccess", /JSON list/],
        ["allowedGitHosts", '["https://github.com"]', /host names/],
        ["allowedGitHosts", '["169.254.169.254"]', /host names/],
        ["nameSuffix", "Dev", /lowercase/],
        ["nameSuffix", "-this-suffix-is-far-too-long", /at most 20/],
        ["objectLock", "yes", /true or false/],
        ["sourceUploadExpirationDays", "0", /from 1 to 365/],
    ];
    for (const [key, value, allowed] of invalid) {
        it(`rejects ${key} = ${value} with a message naming the key, the value and what is allowed`, () => {
            const problems = problemsOf({ [key]: value });
            const problem = problems.find((p) => p.key === key);
            assert.ok(problem, `no problem reported for ${key}: ${JSON.stringify(problems)}`);
            assert.strictEqual(problem.value, value);
            assert.match(problem.allowed, allowed);
            assert.throws(
                () => parse({ [key]: value }),
                (error: Error) => error.message.includes(`atx-platform:${key} = ${value}: must be`),
            );
        });
    }

    it("requires subnets with a VPC and a VPC with subnets or a security group", () => {
        assert.deepStrictEqual(
            problemsOf({ vpcId: "vpc-0abc12345" }).map((p) => p.key),
            ["subnetIds"],
        );
        assert.deepStrictEqual(
            problemsOf({ subnetIds: '["subnet-0abc12345"]' }).map((p) => p.key),
            ["vpcId"],
        );
        assert.deepStrictEqual(
            problemsOf({ securityGroupId: "sg-0abc12345" }).map((p) => p.key),
            ["vpcId"],
        );
        const config = parse({
            vpcId: "vpc-0abc12345",
            subnetIds: '["subnet-0abc12345","subnet-0def67890"]',
            securityGroupId: "sg-0abc12345",
        });
        assert.deepStrictEqual(config.network, {
            vpcId: "vpc-0abc12345",
            subnetIds: ["subnet-0abc12345", "subnet-0def67890"],
            securityGroupId: "sg-0abc12345",
        });
    });

    it("reports every bad key at once", () => {
        const keys = problemsOf({ retryAttempts: "0", logRetentionDays: "2", image: "nope" }).map((p) => p.key);
        assert.deepStrictEqual(keys.sort(), ["image", "logRetentionDays", "retryAttempts"]);
    });
});

describe("observability and audit config", () => {
    it("defaults: no subscriptions, 6 h long-running limit, every alarm on with its default, trail to CloudWatch Logs on prod only", () => {
        const { observability, audit } = parse({});
        assert.deepStrictEqual(observability.alarmEmails, []);
        assert.deepStrictEqual(observability.alarmHttpsEndpoints, []);
        assert.strictEqual(observability.longRunningJobHours, 6);
        assert.deepStrictEqual(observability.alarms, ALARM_DEFAULTS);
        assert.ok(Object.values(observability.alarms).every((a) => a.enabled));
        assert.strictEqual(audit.cloudTrailLogsToCloudWatch, true);
        assert.strictEqual(parse({}, "dev").audit.cloudTrailLogsToCloudWatch, false);
        assert.strictEqual(parse({ cloudTrailLogsToCloudWatch: "false" }).audit.cloudTrailLogsToCloudWatch, false);
        assert.strictEqual(parse({ cloudTrailLogsToCloudWatch: "true" }, "dev").audit.cloudTrailLogsToCloudWatch, true);
    });

    it("compliance, remediation, the Config recorder and the access analyzers are on by default and can be switched off", () => {
        const { compliance, audit } = parse({});
        assert.deepStrictEqual(compliance, { enabled: true, createRecorder: true, remediate: true });
        assert.strictEqual(audit.accessAnalyzers, true);
        const off = parse({
            complianceMonitoring: "false",
            configRecorder: "false",
            complianceRemediation: "false",
            accessAnalyzers: "false",
        });
        assert.deepStrictEqual(off.compliance, { enabled: false, createRecorder: false, remediate: false });
        assert.strictEqual(off.audit.accessAnalyzers, false);
    });

    it("reads subscriptions and the long-running limit", () => {
        const { observability } = parse({
            alarmEmails: '["ops@example.com","sec.team@corp.example.org"]',
            alarmHttpsEndpoints: '["https://hooks.example.com/services/atx?x=1"]',
            longRunningJobHours: "10",
        });
        assert.deepStrictEqual(observability.alarmEmails, ["ops@example.com", "sec.team@corp.example.org"]);
        assert.deepStrictEqual(observability.alarmHttpsEndpoints, ["https://hooks.example.com/services/atx?x=1"]);
        assert.strictEqual(observability.longRunningJobHours, 10);
    });

    it("overlays the alarms object on the defaults, setting by setting", () => {
        const { alarms } = parse({
            alarms: JSON.stringify({
                jobFailures: { threshold: 3 },
                api4xxCount: { enabled: false, periodSeconds: 900 },
                ecrScanFindings: { enabled: false },
            }),
        }).observability;
        assert.deepStrictEqual(alarms.jobFailures, { ...ALARM_DEFAULTS.jobFailures, threshold: 3 });
        assert.deepStrictEqual(alarms.api4xxCount, {
            ...ALARM_DEFAULTS.api4xxCount,
            enabled: false,
            periodSeconds: 900,
        });
        assert.deepStrictEqual(alarms.ecrScanFindings, { enabled: false });
        assert.deepStrictEqual(alarms.lambdaErrors, ALARM_DEFAULTS.lambdaErrors);
    });

    const invalid: [string, string, string, RegExp][] = [
        ["alarmEmails", '["not-an-address"]', "alarmEmails", /e-mail addresses/],
        ["alarmEmails", "ops@example.com", "alarmEmails", /JSON list/],
        ["alarmHttpsEndpoints", '["http://hooks.example.com/x"]', "alarmHttpsEndpoints", /https:\/\/ URLs/],
        ["longRunningJobHours", "0", "longRunningJobHours", /from 1 to 336/],
        ["longRunningJobHours", "-6", "longRunningJobHours", /from 1 to 336/],
        ["cloudTrailLogsToCloudWatch", "on", "cloudTrailLogsToCloudWatch", /true or false/],
        ["complianceMonitoring", "yes", "complianceMonitoring", /true or false/],
        ["configRecorder", "1", "configRecorder", /true or false/],
        ["complianceRemediation", "off", "complianceRemediation", /true or false/],
        ["accessAnalyzers", "no", "accessAnalyzers", /true or false/],
        ["alarms", "{not json", "alarms", /valid JSON/],
        ["alarms", "[1]", "alarms", /object keyed by alarm/],
        ["alarms", '{"jobFailure":{"threshold":2}}', "alarms.jobFailure", /one of jobFailures, longRunningJobs/],
        [
            "alarms",
            '{"jobFailures":3}',
            "alarms.jobFailures",
            /object with enabled, threshold, periodSeconds, evaluationPeriods/,
        ],
        ["alarms", '{"jobFailures":{"threshold":-1}}', "alarms.jobFailures.threshold", /a number above 0/],
        ["alarms", '{"jobFailures":{"threshold":0}}', "alarms.jobFailures.threshold", /a number above 0/],
        ["alarms", '{"jobFailures":{"threshold":"5"}}', "alarms.jobFailures.threshold", /a number above 0/],
        [
            "alarms",
            '{"api5xxRate":{"threshold":150}}',
            "alarms.api5xxRate.threshold",
            /percentage above 0, at most 100/,
        ],
        ["alarms", '{"jobFailures":{"enabled":"no"}}', "alarms.jobFailures.enabled", /true or false/],
        [
            "alarms",
            '{"jobFailures":{"periodSeconds":90}}',
            "alarms.jobFailures.periodSeconds",
            /multiple of 60 from 60 to 86400/,
        ],
        [
            "alarms",
            '{"jobFailures":{"evaluationPeriods":0}}',
            "alarms.jobFailures.evaluationPeriods",
            /whole number from 1/,
        ],
        [
            "alarms",
            '{"jobFailures":{"periodSeconds":3600,"evaluationPeriods":25}}',
            "alarms.jobFailures.evaluationPeriods",
            /at most 24 with a period of 3600 s/,
        ],
        ["alarms", '{"jobFailures":{"treshold":2}}', "alarms.jobFailures.treshold", /one of the settings/],
        [
            "alarms",
            '{"ecrScanFindings":{"threshold":2}}',
            "alarms.ecrScanFindings.threshold",
            /one of the settings enabled$/,
        ],
    ];
    for (const [key, value, problemKey, allowed] of invalid) {
        it(`rejects ${key} = ${value}, naming ${problemKey}`, () => {
            const problem = problemsOf({ [key]: value }).find((p) => p.key === problemKey);
            assert.ok(problem, `no problem reported for ${problemKey}`);
            assert.match(problem.allowed, allowed);
            assert.throws(
                () => parse({ [key]: value }),
                (error: Error) => error.message.includes(`atx-platform:${problemKey} = `),
            );
        });
    }

    it("reports every bad alarm setting at once", () => {
        const keys = problemsOf({
            alarms: '{"jobFailures":{"threshold":-1,"periodSeconds":5},"iamPolicyChanges":{"enabled":1}}',
        }).map((p) => p.key);
        assert.deepStrictEqual(keys.sort(), [
            "alarms.iamPolicyChanges.enabled",
            "alarms.jobFailures.periodSeconds",
            "alarms.jobFailures.threshold",
        ]);
    });

    it("parseAlarms accepts exactly the documented alarm keys", () => {
        const problems: string[] = [];
        const all = Object.fromEntries(Object.keys(ALARM_DEFAULTS).map((k) => [k, { enabled: false }]));
        const parsed = parseAlarms(all, (key) => problems.push(key));
        assert.deepStrictEqual(problems, []);
        assert.ok(Object.values(parsed).every((a) => a.enabled === false));
    });
});

/** The keys parseConfig asks for, observed by running it once. */
function parseConfigReads(): Set<string> {
    const keys = new Set<string>();
    parseConfig((key) => {
        keys.add(key);
        return undefined;
    }, "prod");
    return keys;
}

describe("replicaRegion", () => {
    it("is off by default (also when empty) and takes a region name", () => {
        assert.strictEqual(parse({}).replicaRegion, undefined);
        assert.strictEqual(parse({ replicaRegion: "" }).replicaRegion, undefined);
        assert.strictEqual(parse({ replicaRegion: "eu-west-1" }).replicaRegion, "eu-west-1");
        assert.strictEqual(parse({ replicaRegion: "us-gov-west-1" }).replicaRegion, "us-gov-west-1");
    });

    it("rejects what is not a region name", () => {
        for (const value of ["US-WEST-2", "us-west", "us_west_2", "s3://bucket"]) {
            assert.deepStrictEqual(
                problemsOf({ replicaRegion: value }).map((p) => p.key),
                ["replicaRegion"],
            );
        }
    });

    it("rejects a stack region that is not a region name, naming aws:region", () => {
        for (const region of ["mars-1", "US-EAST-1", "us-east", "useast1"]) {
            assert.throws(
                () => parseConfig(() => undefined, "prod", "atx-platform", region),
                new RegExp(`\\n  aws:region = ${region}: must be an AWS region name such as us-east-1`),
            );
        }
        for (const region of ["us-east-1", "eu-central-2", "us-gov-west-1", "us-isob-east-1", "ap-southeast-5"])
            assert.strictEqual(parseConfig(() => undefined, "prod", "atx-platform", region).replicaRegion, undefined);
    });

    it("rejects the stack's own region", () => {
        assert.throws(
            () => parseConfig((key) => ({ replicaRegion: "us-east-1" })[key], "prod", "atx-platform", "us-east-1"),
            /atx-platform:replicaRegion = us-east-1: must be a region other than the stack's \(aws:region = us-east-1\)/,
        );
    });
});

describe("networkMode", () => {
    it("is public by default and takes private", () => {
        assert.strictEqual(parse({}).networkMode, "public");
        assert.strictEqual(parse({ networkMode: "private" }).networkMode, "private");
    });

    it("rejects other values, and private together with an existing VPC", () => {
        assert.throws(
            () => parse({ networkMode: "isolated" }),
            /networkMode = isolated: must be one of public, private/,
        );
        const problems = problemsOf({
            networkMode: "private",
            vpcId: "vpc-0abc12345",
            subnetIds: '["subnet-0abc12345"]',
        });
        assert.deepStrictEqual(
            problems.map((p) => p.key),
            ["networkMode"],
        );
    });
});
