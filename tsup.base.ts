import { defineConfig, type Options } from 'tsup';

/**
 * The one build recipe every package shares: ESM + CJS + declarations for Node 20. `@x/internal` (private,
 * never published) is bundled into each package, JavaScript and declarations alike, so no published
 * package depends on it.
 */
export function packageConfig(options: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: { resolve: ['@x/internal'] },
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    shims: true,
    splitting: false,
    ...options,
    noExternal: ['@x/internal', ...(options.noExternal ?? [])],
  });
}
