import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'
import type { InlineConfig } from 'vitest/node'
import type {} from 'vitest/config' // adds configureVitest to vite's Plugin type
import type { ReportOptions } from './publish.js'
import { ModeltestReporter } from './reporter.js'

export interface PresetOptions extends ReportOptions {
  /** Add modeltest's reporter (summary, JUnit, JSON); the CLI adds its own and passes false. */
  reporter?: boolean
}

/**
 * `modeltest.config.ts`, read by the `modeltest` command from the folder it runs in. Command-line
 * flags override it.
 *
 *     import { defineConfig } from 'modeltest/config'
 *     export default defineConfig({ include: ['tests'], html: 'reports/modeltest.html' })
 */
export interface ModeltestConfig extends ReportOptions {
  /** Test files or folders to run (default: the folder modeltest runs in); one path may be given as a string. */
  include?: string | string[]
  /** vitest options passed on as they are: testTimeout, maxWorkers, bail, ... */
  test?: InlineConfig
  /** The tfjs backend every model runs on ('webgpu', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'); default: the best that runs. `--backend` overrides it. */
  backend?: string
  /** Milliseconds a model's prediction call (one batch) may take before it fails; 60,000 by default. `--predict-timeout` overrides it, a model's own { timeoutMs } too. */
  predictTimeoutMs?: number
}

/** Types a `modeltest.config.ts`; returns the config as it is. */
export function defineConfig(config: ModeltestConfig): ModeltestConfig {
  return config
}

/** modeltest's compiled files (this folder's parent), wherever the package is: in node_modules or a checkout. */
const MODELTEST_DIST = new RegExp(`^${fileURLToPath(new URL('../../', import.meta.url)).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)

/** Test files the preset runs. */
export const TEST_FILE_PATTERNS = ['**/*.modeltest.{ts,mts,js,mjs}']

/**
 * The modeltest preset as a vite plugin, for a user's own vitest.config.ts:
 *
 *     import { defineConfig } from 'vitest/config'
 *     import { modeltest } from 'modeltest/config'
 *     export default defineConfig({ plugins: [modeltest()] })
 *
 * It registers the matchers, runs `*.modeltest.ts`, keeps one worker's modules between files (so a
 * model is loaded once per worker), and adds the modeltest reporter.
 */
export function modeltest(options: PresetOptions = {}): Plugin {
  return {
    name: 'modeltest',
    config: () => ({
      // Resolves `import … from 'modeltest'` to this copy, also in a project that holds modeltest itself.
      resolve: { alias: [{ find: /^modeltest$/, replacement: fileURLToPath(new URL('../index.js', import.meta.url)) }] },
      test: {
        include: TEST_FILE_PATTERNS,
        exclude: ['**/node_modules/**', '**/dist/**', '**/.git/**'],
        setupFiles: [fileURLToPath(new URL('./setup.js', import.meta.url))],
        // vitest's own choices, measured by bench/vitest-preset.ts (2 cores, load average 16, 2026-11-30; wall
        // time ÷ this preset's, on examples/sentiment | on 8 files, 4 data-only and 4 loading a model):
        //   isolate: true          0.98× | 3.43×  every file loads its model and modules again
        //   pool: 'threads'        1.12×, 1.16× | 0.87×, 0.82×  and the workers would share one process's RSS,
        //                          which toUseMemoryBelow measures: forks (vitest's default) stay
        //   fileParallelism: false 1.05×, 1.30× | 0.89×, 0.92×
        //   deps optimiser (ssr)   1.08× | 0.95×;  experimental.fsModuleCache 1.02×, 1.28× | 0.80×, 0.93×
        //   typecheck on           1.13× | 0.83×  (off by default; it checks only *.test-d.ts)
        // None is faster on both suites beyond the noise of a loaded machine: the defaults stay, and isolate: false,
        // which shares modules between the files of a worker (a model's weights are loaded once; the caches are
        // keyed by content), while each test file is still evaluated afresh.
        isolate: false,
        includeTaskLocation: true,
        testTimeout: 120_000,
        hookTimeout: 120_000,
        // modeltest's own compiled modules load natively, as an installed package's do: vite need not transform them.
        server: { deps: { external: [MODELTEST_DIST] } },
      },
    }),
    configureVitest({ vitest }) {
      if (options.reporter !== false) vitest.config.reporters.push(new ModeltestReporter(options))
    },
  }
}
