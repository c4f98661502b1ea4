// Builds the practitioner app into dist/, which `continuum serve --web-dir`
// serves: index.html and hashed files under /assets/. No inline scripts or
// styles, so the server's Content-Security-Policy needs no 'unsafe-inline'.
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // Never inline small files as data: URLs into scripts or styles.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
    sourcemap: false,
    target: 'es2020',
  },
  css: {
    preprocessorOptions: {
      scss: { api: 'modern-compiler', quietDeps: true, loadPaths: ['.', 'node_modules'] },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/healthz': 'http://127.0.0.1:8080' },
  },
});
