import { defineConfig } from 'vitest/config'

// HRIS_SYNC_TEST_REPORT: where .ci/run wants the runner's own JSON report, to derive its closing line.
const report = process.env['HRIS_SYNC_TEST_REPORT']

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'sim/**/*.test.ts'],
    env: { TZ: 'UTC' },
    reporters: report ? ['default', 'json'] : ['default'],
    ...(report ? { outputFile: { json: report } } : {}),
  },
})
