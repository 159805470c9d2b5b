// Lint for the shipped code (provider/, sdk/): the budgets of "How we write code" as rules, so the
// test command fails on a violation. Formatting itself is Prettier's (scripts/lint.sh checks both).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** One-letter names only as lambda parameters and loop indices (`for (let i …)`), and `_`. */
const noOneLetterNames = {
    meta: { type: "suggestion", schema: [], messages: { short: "'{{name}}' is one letter: name it for what it holds" } },
    create(context) {
        const report = node => {
            if (node.type === "Identifier" && node.name.length === 1 && node.name !== "_") {
                context.report({ node, messageId: "short", data: { name: node.name } });
            }
        };
        const isLoopHead = declaration => {
            const parent = declaration.parent;
            return (parent.type === "ForStatement" && parent.init === declaration) ||
                ((parent.type === "ForOfStatement" || parent.type === "ForInStatement") && parent.left === declaration);
        };
        return {
            VariableDeclarator(node) {
                if (!isLoopHead(node.parent)) report(node.id);
            },
            "FunctionDeclaration, FunctionExpression"(node) {
                node.params.forEach(report);
            },
            CatchClause(node) {
                if (node.param) report(node.param);
            },
            "ClassDeclaration, TSInterfaceDeclaration, TSTypeAliasDeclaration"(node) {
                if (node.id) report(node.id);
            },
        };
    },
};

export default tseslint.config(
    { ignores: ["node_modules/**", "dist/**", "**/*.js", "**/*.mjs"] },
    {
        files: ["provider/**/*.ts", "sdk/**/*.ts"],
        extends: [js.configs.recommended, ...tseslint.configs.recommended],
        plugins: { local: { rules: { "no-one-letter-names": noOneLetterNames } } },
        rules: {
            "max-len": ["error", { code: 120, tabWidth: 4, ignoreUrls: false }],
            "max-lines-per-function": ["error", { max: 60, skipBlankLines: true, skipComments: true }],
            complexity: ["error", 20],
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            "no-restricted-syntax": ["error", {
                selector: "TSAsExpression > TSAsExpression.expression[typeAnnotation.type='TSUnknownKeyword']",
                message: "no `as unknown as`: parse or narrow the value instead",
            }],
            "local/no-one-letter-names": "error",
            // Drivers load lazily and the serialized provider requires the installed module at run time.
            "@typescript-eslint/no-require-imports": "off",
        },
    },
);
