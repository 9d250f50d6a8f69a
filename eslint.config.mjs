// Lint rules that keep runtimes apart (VS Code's layering): shared/ is pure, only electron/main and
// electron/preload import `electron`, the renderer never imports Node or electron.
import js from '@eslint/js';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const builtins = [
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'https',
  'net',
  'url',
  'util',
  'stream',
  'events',
  'worker_threads',
  'zlib',
  'tls',
  'dns',
  'module',
];
// Bare module names are matched exactly by regex (a gitignore-style "electron/*" would also match our own
// electron/ folder); relative paths into another runtime's folder by glob.
const ELECTRON = { regex: '^electron(/.*)?$' };
const NODE = { regex: `^(node:.*|(${builtins.join('|')})(/.*)?)$` };
const pattern = (group, message) => (group.regex ? { regex: group.regex, message } : { group, message });

export default tseslint.config(
  { ignores: ['node_modules', 'dist', '.native', 'release', 'test/artifacts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(ELECTRON, 'shared/ is pure: no electron'),
            pattern(NODE, 'shared/ is pure: no Node built-ins'),
            pattern(
              ['react', 'react-dom', 'react-dom/*', 'zustand', '**/renderer/**', '**/electron/**'],
              'shared/ imports only shared/ and pure libraries',
            ),
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['electron/**', 'test/**', 'scripts/**', 'build/**'],
    ignores: ['electron/main/**', 'electron/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(ELECTRON, 'only electron/main and electron/preload import electron'),
            pattern(
              ['react', 'react-dom', 'react-dom/*', 'zustand', '**/renderer/src/**'],
              'the core does not import the renderer',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['electron/main/**', 'electron/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(
              ['react', 'react-dom', 'react-dom/*', 'zustand', '**/renderer/src/**'],
              'the main process does not import the renderer',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            pattern(ELECTRON, 'the renderer reaches the core only through the API'),
            pattern(NODE, 'the renderer never imports Node built-ins'),
            pattern(
              ['**/electron/**', 'better-sqlite3', 'ws'],
              'the renderer reaches the core only through the API',
            ),
          ],
        },
      ],
    },
  },
);
