// @ts-check
// The folder table of DESIGN.md as an ESLint rule. Each relative import is resolved to the file
// it names, so no spelling of a path (./../x, a/../b) gets around it.
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const src = path.join(root, 'src')
const contracts = ['connectors/connector.ts', 'targets/target.ts', 'storage/store.ts']

/**
 * The unit of the layout a file belongs to: a layer (`core`, `engine`…), one adapter
 * (`connectors/personio`), a contract file, `main.ts`, or a folder outside src/ (`test`…).
 * @param {string} file an absolute path
 */
export function unitOf(file) {
  const rel = path.relative(src, file).split(path.sep)
  if (rel[0] === '..') return path.relative(root, file).split(path.sep)[0] ?? ''
  const [layer = '', second] = rel
  // connectors/connector.ts, connectors/http.ts and targets/target.ts are units of their own, so
  // is each adapter folder; in storage/ only the contract store.ts is
  if ((layer === 'connectors' || layer === 'targets') && second) return `${layer}/${second}`
  if (layer === 'storage' && second === 'store.ts' && rel.length === 2) return 'storage/store.ts'
  return layer
}

/**
 * What a unit may import, and what to say when it does not.
 * @param {string} from
 * @returns {{ allows: (to: string) => boolean, message: string } | null}
 */
function policy(from) {
  const is =
    (/** @type {string[]} */ ...units) =>
    (/** @type {string} */ to) =>
      units.includes(to)
  if (from === 'core')
    return { allows: is('core'), message: 'core/ is pure: it imports core/ only' }
  if (contracts.includes(from))
    return { allows: is(from, 'core'), message: 'a contract imports core/ only' }
  if (from.startsWith('connectors/') || from.startsWith('targets/')) {
    const contract = from.startsWith('connectors/')
      ? 'connectors/connector.ts'
      : 'targets/target.ts'
    return {
      allows: is(from, 'core', contract, 'connectors/http.ts'),
      message: 'an adapter imports its own folder, its contract, connectors/http.ts and core/',
    }
  }
  if (from === 'engine' || from === 'jobs') {
    return {
      allows: is(from, 'core', ...contracts),
      message: `${from}/ sees core/ and the contracts, never an adapter`,
    }
  }
  if (from === 'storage') {
    return {
      allows: is('storage', 'storage/store.ts', 'core'),
      message: 'storage/ sees core/ and its drivers only',
    }
  }
  if (from === 'http' || from === 'cli') {
    // config/ is parsed input (schemas), as pure as core/
    return {
      allows: is(from, 'core', 'config', 'engine', ...contracts),
      message: `${from}/ goes through engine/, config/ and the contracts, never an adapter or storage/db.ts`,
    }
  }
  if (from === 'main.ts') return null // the composition root wires everything
  if (from === 'config' || from === 'web') {
    return { allows: is(from, 'core'), message: `${from}/ sees core/ only` }
  }
  // any other file at the top of src/: only main.ts wires concrete adapters
  return {
    allows: is(from, 'core', 'engine', ...contracts),
    message: 'only src/main.ts wires concrete adapters',
  }
}

const outside = ['test', 'sim', 'bench']

/** @type {import('eslint').Rule.RuleModule} */
export const layers = {
  meta: { type: 'problem', schema: [], docs: { description: 'the import table of DESIGN.md' } },
  create(context) {
    const from = unitOf(context.filename)
    const rule = policy(from)
    /** @param {import('estree').Node} node @param {unknown} source */
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return
      const to = unitOf(path.resolve(path.dirname(context.filename), source))
      // the sandbox (npm start) runs the Personio simulator: the composition root may start it
      if (from === 'main.ts' && to === 'sim') return
      if (outside.includes(to)) {
        context.report({
          node,
          message: `${source}: product code does not import tests, simulators or benchmarks`,
        })
      } else if (rule && !rule.allows(to)) {
        context.report({ node, message: `${source}: ${rule.message}` })
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => check(node, node.source?.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) =>
        check(node, node.source.type === 'Literal' ? node.source.value : null),
      // typeof import('../x.ts'): a dependency in a type is a dependency all the same
      /** @param {any} node */
      TSImportType: (node) => check(node, node.argument?.literal?.value ?? node.source?.value),
    }
  },
}
