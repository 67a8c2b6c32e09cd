/// <reference types="vitest/config" />
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath, URL } from 'node:url'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'
import tailwindcss from '@tailwindcss/vite'
import vue from '@vitejs/plugin-vue'
import { defineConfig, loadEnv, type Plugin } from 'vite'

const outDir = fileURLToPath(new URL('./dist', import.meta.url))

// emptyOutDir wipes dist/ on every build, including the tracked placeholder that lets the Go
// embed compile without npm. Putting it back keeps `git status` clean after a build.
function keepGitkeep(): Plugin {
  return {
    name: 'whatpro:keep-gitkeep',
    apply: 'build',
    closeBundle() {
      mkdirSync(outDir, { recursive: true })
      writeFileSync(`${outDir}/.gitkeep`, '')
    },
  }
}

// Paths served by the Go binary; everything else is the SPA.
const hubPaths = ['/api', '/healthz', '/readyz', '/embed', '/webhooks']

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), '')
  const hubUrl = env.VITE_HUB_URL || 'http://localhost:8080'

  return {
    // Relative base: the app may be mounted under any sub-path (e.g. /hub/). The server makes
    // index.html's "./…" attribute values absolute under the mount path; chunks and CSS url()s
    // resolve relative to the file that references them, so no <base> element is needed.
    base: './',
    plugins: [
      vue(),
      tailwindcss(),
      // Locale JSON is compiled to functions at build time and vue-i18n is aliased to its
      // runtime-only build: no message compiler, no eval/new Function under a strict CSP.
      VueI18nPlugin({
        include: [fileURLToPath(new URL('./src/locales/**', import.meta.url))],
        runtimeOnly: true,
        compositionOnly: true,
        strictMessage: true,
      }),
      keepGitkeep(),
    ],
    resolve: {
      alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
    },
    build: {
      outDir,
      emptyOutDir: true,
      assetsDir: 'assets',
      target: 'es2022',
      sourcemap: false,
      rollupOptions: {
        input: { main: 'index.html', embed: 'embed.html' },
      },
    },
    server: {
      port: 5173,
      proxy: Object.fromEntries(
        hubPaths.map((path) => [path, { target: hubUrl, changeOrigin: false, ws: path === '/api' }]),
      ),
    },
    test: {
      environment: 'happy-dom',
      include: ['src/**/*.test.ts'],
      setupFiles: ['src/testing/setup.ts'],
      restoreMocks: true,
      unstubGlobals: true,
    },
  }
})
