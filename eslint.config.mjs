// ESLint (typescript-eslint, type-aware) for correctness; Prettier owns formatting, so the style rules
// that would fight it are switched off by eslint-config-prettier.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

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
            "no-restricted-syntax": [
                "error",
                {
                    selector: "CallExpression[callee.property.name='localeCompare']",
                    message: "Sort with byCodePoint (api/lib/order.ts): localeCompare depends on the machine's locale.",
                },
            ],
        },
    },
    {
        // Tests may sort for display however they like: their order reaches no resource or request.
        files: ["test/**/*.ts", "api/test/**/*.ts", "policy-pack/tests/**/*.ts"],
        rules: { "no-restricted-syntax": "off" },
    },
    prettier,
);
