import path from 'node:path'

import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// The console: src/web built into dist/web, served by the hris-sync server (npm start).
export default defineConfig({
  root: path.join(import.meta.dirname, 'src/web'),
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.join(import.meta.dirname, 'dist/web'),
    emptyOutDir: true,
    // the console runs where Chromium, Firefox and Safari of the last two years do
    target: 'es2022',
    sourcemap: false,
  },
  logLevel: 'warn',
})
