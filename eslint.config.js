import tseslint from 'typescript-eslint';

const runtimeSpecificGlobals = [
  { name: 'Bun', message: 'core/ is runtime-agnostic: inject platform I/O instead of using Bun.' },
  { name: 'Deno', message: 'core/ is runtime-agnostic: inject platform I/O instead of using Deno.' },
  { name: 'process', message: 'core/ is runtime-agnostic: pass configuration in instead of reading process.' },
  { name: 'Buffer', message: 'core/ is runtime-agnostic: use Uint8Array, TextEncoder and TextDecoder.' },
  { name: 'require', message: 'core/ is ESM only.' },
  { name: '__dirname', message: 'core/ is runtime-agnostic.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.cache/**', 'coverage/**', '**/out/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'core/ uses Web-standard APIs only (no node: imports).' },
            { regex: '^bun(:|$)', message: 'core/ uses Web-standard APIs only.' },
            { regex: '^(npm|jsr):', message: 'core/ has no runtime dependencies.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...runtimeSpecificGlobals],
    },
  },
);
