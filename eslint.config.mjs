// ESLint (typescript-eslint, type-aware) for correctness; Prettier owns formatting, so the style rules
// that would fight it are switched off by eslint-config-prettier.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

const LOOSELY_TYPED_TESTS = ["test/support/mocks.ts", "test/support/preview.ts"];

export default tseslint.config(
    { ignores: ["node_modules/", ".venv/", ".build/", "dist/", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        linterOptions: { reportUnusedDisableDirectives: "error" },
        rules: {
            // Pulumi programs and the API lose errors silently when a promise is dropped.
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-explicit-any": "error",
            // `typeof import(...)` is allowed: it types the deliberate lazy requires below.
            "@typescript-eslint/consistent-type-imports": [
                "error",
                { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
            ],
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            eqeqeq: ["error", "always", { null: "ignore" }],
            // `require` is deliberate here: the program must load after the Pulumi mocks are installed,
            // and @pulumi/policy's runtime module is missing from its typings. Each such require is cast
            // to `typeof import(...)` or a local interface, and the no-unsafe-* rules catch any that is not.
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    {
        // Typing debt, listed so that it shrinks and never grows: these tests still read the mocks'
        // loosely typed records (`TestRecord.inputs`, `json()`), so the rules that follow from `any`
        // are off for them alone. New tests read inputs through `inputsOf<Args>()` and `statementsOf()`
        // (test/support/mocks.ts); a file leaves this list once it is typed.
        files: LOOSELY_TYPED_TESTS,
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-return": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
        },
    },
    prettier,
);
