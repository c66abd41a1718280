// ESLint flat config. Besides the usual TypeScript and Svelte rules it enforces the layering of
// ../shared/DESIGN.md (docs/ARCHITECTURE.md): app/ is platform neutral, renderer/ reaches the
// core only through app/contract, main/ never imports the renderer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const NODE_BUILTINS = [
  'assert',
  'buffer',
  'child_process',
  'cluster',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'readline',
  'stream',
  'tls',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];

// Only engine workers load TensorFlow.js. Outside app/engine, code may import from it just the
// modules that are plain data (no tfjs import, directly or through their own imports); the
// bundle test in tests/unit/main/main-bundle.test.ts checks the same list against esbuild's graph.
const PURE_ENGINE_MODULES = [
  'backend-names',
  'run-layout',
  'model/config',
  'worker/protocol',
  'replay-files',
];
const engineOnlyPure = {
  regex: `(^|/)engine(/(?!(${PURE_ENGINE_MODULES.join('|')})$).*)?$`,
  message: `Only engine workers load tfjs: from app/engine import only ${PURE_ENGINE_MODULES.join(', ')} (move other pure code there).`,
};

const appRules = (extraPatterns = []) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: [
        { name: 'electron', message: 'app/ is platform neutral: Electron belongs in main/.' },
      ],
      patterns: [
        { group: ['svelte', 'svelte/*'], message: 'app/ must not import the UI framework.' },
        {
          group: ['**/main/**', '../../main/*', '**/renderer/**'],
          message: 'app/ must not import main/ or renderer/.',
        },
        ...extraPatterns,
      ],
    },
  ],
  // DOM globals are not available in the core (it runs in plain Node and in a utility process).
  'no-restricted-globals': [
    'error',
    'window',
    'document',
    'navigator',
    'localStorage',
    'HTMLElement',
  ],
});

const contractRules = {
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'electron', message: 'The contract is shared with the renderer.' }],
      patterns: [
        {
          group: ['node:*', ...NODE_BUILTINS],
          message: 'The contract is imported by the renderer: no Node modules.',
        },
        {
          group: ['../*', '!../contract/*'],
          message: 'The contract depends on nothing else in app/.',
        },
        {
          group: ['@tensorflow/*', 'sharp', 'better-sqlite3'],
          message: 'The contract carries plain data, never tensors or native handles.',
        },
      ],
    },
  ],
};

const rendererRules = {
  'no-restricted-imports': [
    'error',
    {
      paths: [
        {
          name: 'electron',
          message: 'The renderer talks to the core only through renderer/src/api.ts.',
        },
      ],
      patterns: [
        {
          group: ['node:*', ...NODE_BUILTINS],
          message: 'The renderer runs in a sandboxed page: no Node modules.',
        },
        {
          group: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'sharp', 'better-sqlite3'],
          message: 'Native modules belong to the core.',
        },
        {
          group: ['**/app/*', '!**/app/contract', '!**/app/contract/*'],
          message: 'The renderer may import only app/contract from app/.',
        },
        { group: ['**/main/*'], message: 'The renderer must not import main/.' },
      ],
    },
  ],
};

const mainRules = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          group: ['**/renderer/*', '**/renderer/**'],
          message: 'main/ must not import the renderer.',
        },
        {
          group: ['@tensorflow/*', 'sharp', 'better-sqlite3'],
          message: 'main/ holds wiring only: heavy work lives in app/.',
        },
        engineOnlyPure,
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'build/', 'dist/', 'release/', 'test-results/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  { files: ['app/**/*.ts'], rules: appRules([engineOnlyPure]) },
  { files: ['app/engine/**/*.ts'], rules: appRules() },
  { files: ['app/contract/**/*.ts'], rules: contractRules },
  { files: ['main/**/*.ts'], rules: mainRules },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte', 'renderer/**/*.svelte.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
    rules: rendererRules,
  },
  {
    files: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-restricted-imports': 'off' },
  },
);
