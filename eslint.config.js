// @ts-check
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import { existsSync, readdirSync } from 'node:fs'
import { createNodeResolver, importX } from 'eslint-plugin-import-x'
import tseslint from 'typescript-eslint'

// The folder table in DESIGN.md, as lint rules. Imports between folders are checked on the
// resolved file (import-x no-restricted-paths), so no spelling of a path slips through; which
// packages core/ may use is checked on the import's name.
const sources = '**/*.{ts,mts,cts,tsx}'
const testFiles = ['**/*.test.{ts,mts,cts,tsx}', 'test/**']
const adapters = (layer) =>
  existsSync(`src/${layer}`)
    ? readdirSync(`src/${layer}`, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${layer}/${entry.name}`)
    : []
const contracts = ['./connectors/connector.ts', './targets/target.ts', './storage/store.ts']

/** `folder` may import from src/ only what `allowed` lists (paths relative to src/). */
const zone = (folder, allowed, message) => ({
  target: `./src/${folder}`,
  from: './src',
  except: [`./${folder}`, ...allowed],
  message,
})
const outside = (folder) => ({
  target: `./src/${folder}`,
  from: ['./test', './sim', './bench'],
  message: 'product code does not import tests, simulators or benchmarks',
})

const zones = [
  zone('core', [], 'core/ is pure: it imports core/ only'),
  ...[...adapters('connectors'), ...adapters('targets')].map((folder) =>
    zone(
      folder,
      [
        './core',
        folder.startsWith('connectors') ? './connectors/connector.ts' : './targets/target.ts',
        './connectors/http.ts',
      ],
      'an adapter imports its own folder, its contract, connectors/http.ts and core/',
    ),
  ),
  zone(
    'engine',
    ['./core', ...contracts],
    'engine/ sees core/ and the contracts, never an adapter',
  ),
  zone('jobs', ['./core', ...contracts], 'jobs/ sees core/ and the contracts, never an adapter'),
  zone('storage', ['./core'], 'storage/ sees core/ and its drivers only'),
  zone(
    'http',
    ['./core', './engine', ...contracts],
    'http/ goes through engine/ and the contracts, never an adapter or storage/db.ts',
  ),
  zone(
    'cli',
    ['./core', './engine', ...contracts],
    'cli/ goes through engine/ and the contracts, never an adapter or storage/db.ts',
  ),
  ...[
    'core',
    'connectors',
    'targets',
    'engine',
    'jobs',
    'storage',
    'http',
    'cli',
    'config',
    'web',
  ].map(outside),
]

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
  { files: ['src/cli/**', 'bench/**'], rules: { 'no-console': 'off' } },
  {
    files: [`src/${sources}`],
    ignores: testFiles,
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver()] },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones }],
      // an import the resolver cannot follow must not be a way around the table
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.type!="Literal"]',
          message: 'import() takes a literal path here',
        },
      ],
    },
  },
  {
    files: [`src/core/${sources}`],
    ignores: testFiles,
    rules: restrict('core/ is pure: zod, node:crypto, libphonenumber-js and core/ only', [
      { regex: '^(?!\\.|zod(/|$)|libphonenumber-js(/|$)|node:crypto$)' },
    ]),
  },
  prettier,
)
