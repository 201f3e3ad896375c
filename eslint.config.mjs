// `npm run lint` (with Prettier) and `npm run format`. Type-aware: the rules that need the type checker are the point.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import boxagnts from './scripts/eslint-rules.mjs';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'dist-bin/**',
      'test-results/**',
      'extensions/**',
      '.boxagnts/**',
      'test/fixtures/lint/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs'],
    extends: [tseslint.configs.base],
    plugins: { boxagnts },
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      'boxagnts/no-cast-from-unknown': 'error',
      'boxagnts/no-silent-catch': 'error',
    },
  },
  {
    // Tests build hostile and partial values on purpose.
    files: ['test/**'],
    ignores: ['test/fixtures/lint/**'],
    rules: { 'boxagnts/no-cast-from-unknown': 'off' },
  },
);
