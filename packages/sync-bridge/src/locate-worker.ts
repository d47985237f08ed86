import { existsSync } from 'node:fs';

let workerFile: URL | undefined;

/**
 * The built worker entry next to this module (dist/), or in dist/ when running from src/. The CommonJS
 * build is used from both builds: a worker starts it faster than an ES module (no async loader to set up).
 */
export function locateWorker(): URL {
  if (workerFile) return workerFile;
  const candidates = [
    new URL('./worker.cjs', import.meta.url),
    new URL('../dist/worker.cjs', import.meta.url),
  ];
  workerFile = candidates.find((url) => existsSync(url));
  if (!workerFile) {
    throw new Error(
      `@x/sync-bridge cannot find its worker entry (looked for ${candidates.map((u) => u.pathname).join(', ')}). If you bundle this package, copy dist/worker.cjs next to the bundle.`,
    );
  }
  return workerFile;
}
