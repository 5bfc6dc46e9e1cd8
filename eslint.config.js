// Lint rules. Two project-specific ones: imports follow the layers of src/ (scripts/layers.mjs,
// DESIGN §5), and the pure core (format, analysis, graph, engine state) must not import Node I/O, so
// that it stays testable without processes.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './scripts/layers.mjs';

const nodeIo = [
  'fs',
  'fs/promises',
  'child_process',
  'net',
  'http',
  'https',
  'dgram',
  'worker_threads',
  'cluster',
  'readline',
  'tls',
  'dns',
  'process',
].flatMap((name) => [name, `node:${name}`]);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tests/**/tmp/**', '**/*.changed', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { quire: layersPlugin },
    rules: { 'quire/layers': 'error' },
  },
  {
    // The editor UI runs in the browser (src/ui/tsconfig.json has the DOM types).
    files: ['src/ui/**/*.{ts,tsx}'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        location: 'readonly',
        history: 'readonly',
        navigator: 'readonly',
        localStorage: 'readonly',
        requestAnimationFrame: 'readonly',
        IntersectionObserver: 'readonly',
        HTMLElement: 'readonly',
        HTMLInputElement: 'readonly',
        HTMLSelectElement: 'readonly',
        HTMLDivElement: 'readonly',
        KeyboardEvent: 'readonly',
        URLSearchParams: 'readonly',
        Response: 'readonly',
        AbortSignal: 'readonly',
      },
    },
  },
  {
    files: [
      'src/format/**/*.ts',
      'src/analysis/**/*.ts',
      'src/graph/**/*.ts',
      'src/engine/state/**/*.ts',
      // the browser bundles the protocol: no Node modules there either
      'src/protocol/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: nodeIo.map((name) => ({ name, message: 'The pure core does no I/O (DESIGN §5).' })) },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The pure core does no I/O (DESIGN §5).' },
      ],
    },
  },
);
