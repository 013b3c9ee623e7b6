// @ts-check
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

// The folder table in DESIGN.md, as lint rules: what each layer may import.
const layers = [
  'config',
  'connectors',
  'targets',
  'engine',
  'jobs',
  'storage',
  'http',
  'web',
  'cli',
]
const intoLayer = (names) => `(^|/)(${names.join('|')})(/|$)|(^|/)main(\\.ts)?$`
const except = (kept) => layers.filter((layer) => !kept.includes(layer))
const testFiles = ['**/*.test.ts', 'test/**']

/** @param {string} message @param {{ regex: string, message?: string }[]} patterns */
const restrict = (message, patterns) => ({
  'no-restricted-imports': [
    'error',
    { patterns: patterns.map((p) => ({ regex: p.regex, message: p.message ?? message })) },
  ],
})

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'coverage', '.hris-sync', '.test-report'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-console': 'error',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  { files: ['src/cli/**', 'bench/**', '.ci/**'], rules: { 'no-console': 'off' } },
  {
    files: ['src/core/**/*.ts'],
    ignores: testFiles,
    rules: restrict('core/ is pure: zod, node:crypto, libphonenumber-js and core/ only', [
      { regex: intoLayer(layers) },
      { regex: '^(?!\\.|zod(/|$)|libphonenumber-js(/|$)|node:crypto$)' },
    ]),
  },
  {
    files: ['src/connectors/*/**/*.ts', 'src/targets/*/**/*.ts'],
    ignores: testFiles,
    rules: restrict(
      'an adapter imports its own folder, its contract, connectors/http.ts and core/',
      [
        { regex: intoLayer(except(['connectors', 'targets'])) },
        { regex: '^\\.\\./(?!(connector|http|target)\\.ts$)[^./]' },
      ],
    ),
  },
  {
    files: ['src/engine/**/*.ts', 'src/jobs/**/*.ts'],
    ignores: testFiles,
    rules: restrict('engine/ and jobs/ see core/ and the contracts, never an adapter', [
      { regex: intoLayer(except(['connectors', 'targets', 'storage', 'engine', 'jobs'])) },
      { regex: '(^|/)connectors/(?!connector\\.ts$)' },
      { regex: '(^|/)targets/(?!target\\.ts$)' },
      { regex: '(^|/)storage/(?!store\\.ts$)' },
    ]),
  },
  {
    files: ['src/storage/**/*.ts'],
    ignores: testFiles,
    rules: restrict('storage/ sees core/ and its drivers only', [
      { regex: intoLayer(except(['storage'])) },
    ]),
  },
  {
    files: ['src/http/**/*.ts', 'src/cli/**/*.ts'],
    ignores: testFiles,
    rules: restrict('http/ and cli/ go through engine/ and the contracts, never an adapter', [
      { regex: intoLayer(except(['engine', 'connectors', 'targets', 'storage', 'http', 'cli'])) },
      { regex: '(^|/)connectors/(?!connector\\.ts$)' },
      { regex: '(^|/)targets/(?!target\\.ts$)' },
      { regex: '(^|/)storage/(?!store\\.ts$)' },
    ]),
  },
  prettier,
)
