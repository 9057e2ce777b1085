// Lint: typescript-eslint's recommended rules, plus the dependency direction of the design:
// native/ (the engine) imports nothing from electron/ or renderer/; renderer/ only the contract.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.scratch/**', '.stryker-tmp*/**', 'reports/**', 'dist/**', 'dist-electron/**', 'release/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', performance: 'readonly', TextDecoder: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['native/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/electron/**', '**/renderer/**', 'electron', 'react', 'react-dom'], message: 'native/ is the engine: it must not depend on electron/ or renderer/ (see docs/architecture.md).' },
          ],
        },
      ],
    },
  },
  {
    // SQL lives in the store: features call its typed operations, never the database handle.
    files: ['native/**/*.ts'],
    ignores: ['native/store/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'better-sqlite3', message: 'Only native/store/ talks to SQLite (see docs/architecture.md: the store owns its SQL).' }],
          patterns: [
            { group: ['**/electron/**', '**/renderer/**', 'electron', 'react', 'react-dom'], message: 'native/ is the engine: it must not depend on electron/ or renderer/ (see docs/architecture.md).' },
            { group: ['**/store/sqlite/*', '!**/store/sqlite/sqlite-store.js', '!**/store/sqlite/database.js'], message: 'Use the store interface (native/store/store.ts), not the SQLite implementation.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name=/^(prepare|pragma)$/]", message: 'SQL only in native/store/: add a typed store operation instead.' },
      ],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', location: 'readonly', history: 'readonly', sessionStorage: 'readonly', EventSource: 'readonly', DataTransfer: 'readonly', File: 'readonly', HTMLElement: 'readonly', HTMLInputElement: 'readonly', KeyboardEvent: 'readonly', MessageEvent: 'readonly', atob: 'readonly' } },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+native/(?!contract(\\.js)?$)', message: 'The renderer may only import native/contract (types and schemas).' }, { group: ['electron', 'node:*'], message: 'The renderer runs in a sandboxed page: no Node or Electron.' }] },
      ],
    },
  },
  {
    files: ['native/contract-values.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['*'], message: 'Plain values of the contract: no imports at all.' }] }],
    },
  },
  {
    files: ['native/contract.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', './*', '!./contract-values.js', '../*'], message: 'The contract is shared with the renderer: zod, types and ./contract-values only.' }] },
      ],
    },
  },
);
