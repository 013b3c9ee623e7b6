// The composition root: the only file that wires concrete adapters. Until storage and the
// Personio sandbox arrive, `npm start` runs the sync core on a sample company in memory.
import { runDemo } from './cli/demo.ts'
import { SAMPLE_DIRECTORY } from './cli/sample-company.ts'
import { MemoryTarget } from './targets/memory/memory-target.ts'

await runDemo(new MemoryTarget(SAMPLE_DIRECTORY), (text) => {
  process.stdout.write(`${text}\n`)
})
