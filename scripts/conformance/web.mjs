// The pure packages where there is no Node API: bundled with esbuild for the browser (a `node:` import, or
// any Node built-in, fails the bundle), then run in an edge-style global scope (a Node `vm` context given web
// APIs only: no process, no setImmediate, numeric timers without unref) and in headless Chromium, in a page
// and in a Web Worker. Both also check that @x/timeout leaves no timer pending once its work is done.

import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import vm from 'node:vm';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { base } from './base.mjs';
import { CHROMIUM } from './runtimes.mjs';

const out = () => path.join(base, '.out', 'web');

function entry(pure, finish) {
  const suites = pure.filter((p) => fs.existsSync(path.join(base, 'suites', `${p.name}.mjs`)));
  const bare = pure.filter((p) => !suites.includes(p));
  // The probe first: it must wrap the timers before any package module runs.
  return `import '../../timers-probe.mjs';
import { run, test } from '../../harness.mjs';
${suites.map((p) => `import '../../suites/${p.name}.mjs';`).join('\n')}
import '../../suites/web-timers.mjs';
${bare.map((p, i) => `import * as bare${i} from '@x/${p.name}';\ntest(${JSON.stringify(p.name)}, 'loads and exports its API', () => { if (Object.keys(bare${i}).length === 0) throw new Error('exports nothing'); });`).join('\n')}
${finish}
`;
}

/** Bundles `source` for a web global scope; a bundling failure (a Node import) is thrown with esbuild's message. */
async function bundle(name, source, format) {
  fs.mkdirSync(out(), { recursive: true });
  const input = path.join(out(), `${name}.entry.mjs`);
  fs.writeFileSync(input, source);
  const outfile = path.join(out(), `${name}.js`);
  await esbuild.build({
    entryPoints: [input],
    outfile,
    bundle: true,
    format,
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
    absWorkingDir: base,
  });
  return outfile;
}

const failedLoad = (pure, error) =>
  pure.map((p) => ({
    pkg: p.name,
    name: 'bundles for a web global scope',
    ok: false,
    error: String(error.message ?? error),
  }));

/** The suites in a `vm` context that has only web APIs; resolves to the test records. */
export async function runEdge(pure) {
  let file;
  try {
    file = await bundle('edge', entry(pure, 'globalThis.__results = run();'), 'iife');
  } catch (error) {
    return failedLoad(pure, error);
  }
  // Edge runtimes hand out numeric timer ids with no unref (like a browser); the host's timers are wrapped so.
  const handles = new Map();
  const uncaught = [];
  let nextId = 1;
  const web = {
    console,
    setTimeout: (fn, ms, ...args) => {
      const id = nextId++;
      handles.set(
        id,
        setTimeout(() => {
          handles.delete(id);
          try {
            fn(...args);
          } catch (error) {
            // What an edge runtime would report as an uncaught error: a failure of the run, not a crash of it.
            uncaught.push({
              pkg: '*',
              name: 'uncaught error in the edge worker',
              ok: false,
              error: String(error?.stack ?? error),
            });
          }
        }, ms),
      );
      return id;
    },
    clearTimeout: (id) => {
      clearTimeout(handles.get(id));
      handles.delete(id);
    },
    queueMicrotask,
    structuredClone,
    AbortController,
    AbortSignal,
    Event,
    EventTarget,
    DOMException,
    performance,
    TextEncoder,
    TextDecoder,
    URL,
    URLSearchParams,
    crypto,
    fetch,
    Headers,
    Request,
    Response,
    atob,
    btoa,
  };
  // The context borrows Node's AbortSignal, which warns past 10 listeners where a real edge runtime does not.
  setMaxListeners(0);
  const context = vm.createContext({ ...web });
  vm.runInContext('globalThis.self = globalThis;', context);
  try {
    vm.runInContext(fs.readFileSync(file, 'utf8'), context, { filename: 'edge.js' });
    const results = await Promise.race([
      context.__results,
      new Promise((resolve) => {
        const poll = setInterval(() => {
          if (uncaught.length === 0) return;
          clearInterval(poll);
          resolve([]);
        }, 50);
        context.__results.finally(() => clearInterval(poll));
      }),
    ]);
    return [...results, ...uncaught];
  } catch (error) {
    return failedLoad(pure, error);
  } finally {
    for (const h of handles.values()) clearTimeout(h);
  }
}

function serve(dir) {
  const server = http.createServer((req, res) => {
    const name = path.basename(new URL(req.url, 'http://x').pathname) || 'index.html';
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const type = name.endsWith('.html') ? 'text/html' : 'text/javascript';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * The suites in headless Chromium, in the page and in a dedicated Web Worker; resolves to `{ page, worker,
 * version }` (test records each). Without Chromium every test is a failure naming it.
 */
export async function runChromium(pure, { timeout = 120_000 } = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    const missing = [{ pkg: '*', name: 'runtime', ok: false, error: `${CHROMIUM} is not installed` }];
    return { page: missing, worker: missing, version: undefined };
  }
  try {
    await bundle('page', entry(pure, 'run().then((r) => { globalThis.__pageResults = r; });'), 'esm');
    await bundle('worker', entry(pure, 'run().then((r) => postMessage(r));'), 'iife');
  } catch (error) {
    return { page: failedLoad(pure, error), worker: failedLoad(pure, error), version: undefined };
  }
  fs.writeFileSync(
    path.join(out(), 'index.html'),
    `<!doctype html><title>@x conformance</title>
<script type="module" src="/page.js"></script>
<script type="module">
const worker = new Worker('/worker.js');
worker.onmessage = (e) => { globalThis.__workerResults = e.data; worker.terminate(); };
worker.onerror = (e) => { globalThis.__workerResults = [{ pkg: '*', name: 'Web Worker', ok: false, error: String(e.message) }]; };
</script>`,
  );
  const server = await serve(out());
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const errors = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    await page.waitForFunction(() => globalThis.__pageResults && globalThis.__workerResults, null, {
      timeout,
    });
    const [pageResults, workerResults] = await page.evaluate(() => [
      globalThis.__pageResults,
      globalThis.__workerResults,
    ]);
    const extra = errors.map((e) => ({ pkg: '*', name: 'uncaught error in the page', ok: false, error: e }));
    return {
      page: [...pageResults, ...extra],
      worker: workerResults,
      version: `Chromium ${browser.version()}`,
    };
  } catch (error) {
    const failed = [
      { pkg: '*', name: 'runtime run', ok: false, error: `${error.message} ${errors.join(' | ')}` },
    ];
    return { page: failed, worker: failed, version: `Chromium ${browser.version()}` };
  } finally {
    await browser.close();
    server.close();
  }
}
