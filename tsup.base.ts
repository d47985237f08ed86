import { defineConfig, type Options } from 'tsup';

/** The one build recipe every package shares: ESM + CJS + declarations for Node 20. */
export function packageConfig(options: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    shims: true,
    splitting: false,
    ...options,
  });
}
