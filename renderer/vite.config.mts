// Builds the renderer into dist/renderer. The Electron app loads it from file://, hence the relative base;
// serve mode serves the same files over HTTP.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${root}/../dist/renderer`,
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
    // No inline data: URIs for scripts; keep every asset a file so the CSP ('self') covers it.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
