import { defineConfig } from 'vite';

// The widget ships as one self-contained IIFE script: <script src=".../widget.js" data-shop="…">.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    lib: {
      entry: 'src/index.ts',
      name: 'XiaoerWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
