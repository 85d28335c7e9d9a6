import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'prisma/generated/', '.data/', 'dist/', 'coverage/', '*.tmp.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins,
    // no I/O, no direct database access; only domain/ rules and activity types.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'child_process'], message: 'Workflows must stay deterministic: no Node built-ins.' },
          { group: ['**/prisma/**', '**/app/**', '@prisma/*', 'pg', 'pino'], message: 'Workflows reach the database through activities only.' },
          { group: ['**/activities/*', '!**/activities/*.js'], message: 'Import activity types only.' },
        ],
      }],
    },
  },
);
