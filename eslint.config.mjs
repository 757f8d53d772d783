// ESLint with type information (typescript-eslint), run by `npm test` before the tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.stack/**', 'bench/out/**', 'bin/**', '*.config.js', '*.config.mjs', 'stack/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `typeof import('./x')` annotates the lazy `require` of a command group (start-up time).
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // Async functions without await implement promise-returning contracts (handlers, stores).
      '@typescript-eslint/require-await': 'off',
      // The terminal sanitiser matches control characters on purpose.
      'no-control-regex': 'off',
      // Values stringified with String() here are decoded primitives or Buffers; objects go through
      // stringifyLossless. The rule cannot see that through `unknown`.
      '@typescript-eslint/no-base-to-string': 'off',
      // kafkajs and commander hooks are passed on as plain functions, never called with another this.
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-import-type-side-effects': 'error',
    },
  },
  {
    // Command groups load synchronously and lazily while commander builds the program.
    files: ['commands/main.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Plain CommonJS that jest loads without a transform (the integration tests' sequencer).
    files: ['test/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable' },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      'preserve-caught-error': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
