// The repository's ESLint configuration (the root eslint.config.js re-exports it). It lives in this workspace
// so that typescript-eslint resolves TypeScript 6 (which has the JavaScript API it needs) from here, while the
// project itself compiles with the native TypeScript 7.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Folders linted today. */
const LINTED = [
  'src/**/*.ts',
  'sw/**/*.ts',
  'server/**/*.ts',
  'tests/unit/**/*.ts',
  'tests/server/**/*.ts',
  'tests/browser/**/*.ts',
  'tests/*.ts',
  'bench/**/*.{ts,js}',
  'scripts/**/*.{ts,mjs}',
];
/** Configuration files at the root, linted too. */
const CONFIG_FILES = ['*.config.ts', '*.config.js', 'tools/lint/*.js'];
const TSCONFIGS = ['./tsconfig.json', './sw/tsconfig.json', './server/tsconfig.json', './tests/tsconfig.json'];

export default tseslint.config(
  { ignores: ['dist/**', 'dev-dist/**', 'coverage/**', 'node_modules/**', '.tmp/**'] },
  {
    files: [...LINTED, ...CONFIG_FILES],
    extends: [
      eslint.configs.recommended,
      ...tseslint.configs.strictTypeChecked,
      ...tseslint.configs.stylisticTypeChecked,
      // Formatting is Prettier's: eslint-config-prettier turns off the rules it would fight (max-len: set below).
      prettier,
    ],
    languageOptions: {
      // The project's own tsconfigs (not the project service): each file is checked by the program that
      // type-checks it in `npm run typecheck`, so the lint sees the same types (e.g. node's in the tests).
      parserOptions: { project: TSCONFIGS, tsconfigRootDir: process.cwd() },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // A variable assigned once, after a closure that reads it was made (tests set up devices this way).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Prettier wraps code at 120; text (strings, Lit templates) may run longer, comments may not.
      'max-len': [
        'error',
        { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSAsExpression > TSNeverKeyword.typeAnnotation',
          message: '`as never` hides a type error: give the value its real type.',
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Lit binds event listeners in templates to the host element, so `@click=${this.onClick}` is safe.
      '@typescript-eslint/unbound-method': 'off',
      // Replica records are `Record<string, unknown>` validated by zod; `String(field)` on their scalars is intended.
      '@typescript-eslint/no-base-to-string': 'off',
      // Defensive checks at the edges (platform APIs missing in happy-dom, values from storage) are intended,
      // and its optional-chain suggestions can change what a comparison means.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/prefer-optional-chain': 'off',
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { boolean: true, string: true } }],
      // Async methods that implement a Promise-returning interface need no await.
      '@typescript-eslint/require-await': 'off',
      // Would turn `as T` into `!`, which this configuration bans outside tests.
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
  {
    files: ['tests/**/*.ts'],
    rules: {
      'no-restricted-syntax': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Tests read records back as loosely typed JSON and pass fakes and spies around.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
);
