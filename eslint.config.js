// ESLint flat config (`npm run lint`, part of `npm test`). typescript-eslint's recommended rules plus a few
// type-aware ones that catch real bugs in async Node code (a promise nobody awaits or catches, a promise passed
// where a boolean or a void callback is expected, `await` on something that is not a promise).
// Type information comes from tsconfig.json through the project service, so only the TypeScript files it
// includes are linted with types; the few plain JavaScript entry files are linted without.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'dist/',
    'coverage/',
    '.docent/',
    '.docent-bench/',
    '.docent-eval/',
    'data/',
    'docs/',
    'docker/',
    'slack/',
    'space/',
    '**/*.min.js',
    '**/*.bundle.js',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts', '**/*.cts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        // Not import.meta.dirname: Node 20.10 (package.json's engines floor) does not have it.
        tsconfigRootDir: fileURLToPath(new URL('.', import.meta.url)),
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      // Node globals the JavaScript entry files use (the TypeScript files get theirs from @types/node).
      globals: { URL: 'readonly', process: 'readonly', console: 'readonly' },
    },
  },
  {
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // A leading underscore marks a binding left unused on purpose (`const { secret: _s, ...rest } = v`).
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
        caughtErrorsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_',
        ignoreRestSiblings: true,
      }],
      // `let x; const f = () => x?.y(); x = make(f);` stays `let`: a const would throw if f ran before the assignment.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Stacked case labels may carry a comment between them.
      'no-fallthrough': ['error', { allowEmptyCase: true }],
      // Docent strips control characters and terminal escapes from untrusted text on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    // Fake generators that fail or hang before their first part still have to be generators.
    files: ['test/**'],
    rules: {
      'require-yield': 'off',
    },
  },
  {
    // Docent logs with pino and writes user-facing output through process.stdout / process.stderr.
    files: ['src/**', 'commands/**', 'config/**'],
    rules: {
      'no-console': 'error',
    },
  },
);
