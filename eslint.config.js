// @ts-check
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import { layers } from './eslint/layers.js'
import tseslint from 'typescript-eslint'

// The folder table in DESIGN.md: imports between folders are checked on the file they resolve
// to (eslint/layers.js); which packages core/ may use is checked on the import's name.
const sources = '**/*.{ts,mts,cts,tsx}'
const testFiles = ['**/*.test.{ts,mts,cts,tsx}', 'test/**']

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
  { files: ['src/cli/**', 'bench/**', 'sim/*/main.ts'], rules: { 'no-console': 'off' } },
  {
    files: [`src/${sources}`],
    ignores: testFiles,
    plugins: { hris: { rules: { layers } } },
    rules: {
      'hris/layers': 'error',
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
  {
    // the address checks of outgoing webhooks: node:net's BlockList and isIP are arithmetic on
    // addresses, never a socket
    files: [`src/core/net/${sources}`],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'node:net',
              allowImportNames: ['BlockList', 'isIP'],
              message: 'core/net/ uses node:net for BlockList and isIP only',
            },
          ],
          patterns: [
            {
              regex: '^(?!\\.|zod(/|$)|node:crypto$|node:net$)',
              message: 'core/ is pure: zod, node:crypto, core/ and (here) node:net only',
            },
          ],
        },
      ],
    },
  },
  prettier,
)
