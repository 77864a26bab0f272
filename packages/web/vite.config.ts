import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Three pages: the agent workbench (/workbench/), the admin console (/admin/) and first-run setup (/setup).
export default defineConfig({
  root: __dirname,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      // antd marks its modules "use client" (a React Server Components hint): meaningless in a SPA bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      input: {
        workbench: resolve(__dirname, 'workbench/index.html'),
        admin: resolve(__dirname, 'admin/index.html'),
        // Issue #13: the first-run page (and the landing beside the demo), served while no shop exists.
        setup: resolve(__dirname, 'setup/index.html'),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/uploads': 'http://127.0.0.1:3000',
      '/socket.io': { target: 'http://127.0.0.1:3000', ws: true },
    },
  },
});
