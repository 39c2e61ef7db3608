import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/** Issue 20: no text in a component outside the message catalog (messages/<locale>/*.json). */
const I18N_LITERALS = "error";
/** Punctuation and symbols that read the same in every language, allowed as JSX text. */
export const I18N_ALLOWED_STRINGS = ["·", "—", "–", "/", ":", "(", ")", "×", "…", "%", "+", "-", ",", ".", "|", "→", "←", "↑", "↓", "└", "├", "*", "#", "404", "N", "Nimbox"];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // Route handlers and callbacks often take arguments they do not read; mark them with "_".
      "@typescript-eslint/no-unused-vars": [
        "warn",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
    },
  },
  {
    files: ["components/**/*.tsx", "app/**/*.tsx"],
    rules: {
      // Props are left to the catalog test (lib/i18n/catalog.test.ts checks aria-label, title, placeholder, alt).
      "react/jsx-no-literals": [I18N_LITERALS, { noStrings: true, ignoreProps: true, allowedStrings: I18N_ALLOWED_STRINGS }],
    },
  },
  globalIgnores([
    ".next/**",
    "out/**",
    "build/**",
    "coverage/**",
    "data/**",
    "next-env.d.ts",
    "playwright-report/**",
    "test-results/**",
  ]),
]);
