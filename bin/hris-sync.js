#!/usr/bin/env node
// The hris-sync command. Node runs the TypeScript sources directly: type stripping is on by
// default from Node 22.18 (23.6 on the 23 line). An older Node would fail on the first .ts file
// with an error about file extensions, so it is told plainly first.
import process from 'node:process'

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
if (!(major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18))) {
  process.stderr.write(
    `hris-sync needs Node.js 22.18 or newer (this is ${process.version}). In a clone, run it ` +
      'with "npx hris-sync", which uses the Node 24 that "npm install" brings.\n',
  )
  process.exit(1)
}
await import('../src/main.ts')
