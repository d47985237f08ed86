// `pnpm release:rehearse`: cuts a release exactly as a maintainer would, against a real registry that lives
// only for the run, then installs every package alone as a user would.
//
//  1. Copies the repository (tracked and new files, plus the packages' built dist/) into a throw-away
//     folder with its own git history, so the working tree is never touched.
//  2. Starts Verdaccio (a real npm registry, pinned in the root devDependencies) on a free loopback port,
//     with the config in scripts/release/verdaccio.yaml and storage in the throw-away folder.
//  3. In the copy: `changeset version` (consumes pending changesets: versions, CHANGELOG.md, and
//     dependents' ranges), then `changeset publish` (pnpm publish turns `workspace:` ranges into real ones)
//     with a token for the local registry, as `changeset publish` runs with NPM_TOKEN in a real release.
//  4. For every published package: `npm pack --dry-run` (files and size: only LICENSE, README.md,
//     package.json and dist/ may ship), then a fresh npm project that runs the package README's own install
//     line (only the registry differs) and nothing else, checks that only the package and its own @x
//     dependencies arrived, and imports it from ESM and CommonJS to make one real call
//     (scripts/package-calls.mjs).
//  5. One project that installs every package with pnpm, one with Bun's installer (bun is pinned in the
//     root devDependencies); each makes every call again.
//  6. Prints a table (package, version, tarball size, files, npm install time), stops the registry and
//     removes the folder. Exits non-zero on any failure. Nothing is left running, so it can run again.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { callPrograms } from './package-calls.mjs';
import { publishablePackages, root } from './packages.mjs';

const t0 = Date.now();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'x-release-'));
const keep = process.argv.includes('--keep');
let registryProcess;
let failed = 0;
const fail = (message) => {
  failed++;
  console.log(`✗ ${message}`);
};
const ok = (message) => console.log(`✓ ${message}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;

/** Stops the registry (and waits until it has exited), then removes the throw-away folder. */
async function cleanup() {
  const child = registryProcess;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  if (!keep) fs.rmSync(work, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await cleanup();
    process.exit(130);
  });
}

// pnpm as the caller runs it (under `pnpm run`, npm_execpath is pnpm's entry), on PATH for changesets,
// which spawns `pnpm publish`.
const bin = path.join(work, 'bin');
fs.mkdirSync(bin);
const pnpmEntry = process.env.npm_execpath;
fs.writeFileSync(
  path.join(bin, 'pnpm'),
  pnpmEntry && /pnpm/.test(path.basename(pnpmEntry))
    ? `#!/bin/sh\nexec "${process.execPath}" "${pnpmEntry}" "$@"\n`
    : '#!/bin/sh\nexec npx --yes pnpm@10 "$@"\n',
  { mode: 0o755 },
);

/** The Bun binary that the `bun` package brought: its platform package (a sibling under pnpm). */
function findBun() {
  const bunDir = fs.realpathSync(path.join(root, 'node_modules', 'bun'));
  const candidates = [path.join(bunDir, 'bin', 'bun.exe')];
  const oven = path.join(bunDir, '..', '@oven');
  if (fs.existsSync(oven)) {
    for (const d of fs.readdirSync(oven)) candidates.push(path.join(oven, d, 'bin', 'bun'));
  }
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'pipe' });
      return candidate;
    } catch {}
  }
  throw new Error(`no runnable Bun binary in ${candidates.join(', ')}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRegistry() {
  const dir = path.join(work, 'verdaccio');
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(root, 'scripts/release/verdaccio.yaml'), path.join(dir, 'config.yaml'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const entry = path.join(fs.realpathSync(path.join(root, 'node_modules', 'verdaccio')), 'bin', 'verdaccio');
  registryProcess = spawn(
    process.execPath,
    [entry, '--config', path.join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  registryProcess.stdout.on('data', (d) => {
    log += d;
  });
  registryProcess.stderr.on('data', (d) => {
    log += d;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (registryProcess.exitCode !== null) throw new Error(`Verdaccio exited:\n${log}`);
    try {
      const res = await fetch(`${url}-/ping`);
      if (res.ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  if (Date.now() >= deadline) throw new Error(`Verdaccio did not answer on ${url} in 30 s:\n${log}`);
  // A publisher account, as `npm adduser` creates one; the token is what NPM_TOKEN is in a real release.
  const res = await fetch(`${url}-/user/org.couchdb.user:release`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release', password: 'rehearsal-only', type: 'user', roles: [] }),
  });
  const { token } = await res.json();
  if (!token) throw new Error(`Verdaccio gave no token (${res.status})`);
  return { url, port, token };
}

/** The repository as committed plus uncommitted changes, with built dist/, in `dest`, as one git commit. */
function copyRepository(dest) {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(root, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(dest, f));
  }
  for (const pkg of publishablePackages()) {
    const dist = path.join(pkg.folder, 'dist');
    if (!fs.existsSync(dist)) throw new Error(`${pkg.name} has no dist/: run the build first`);
    fs.cpSync(dist, path.join(dest, path.relative(root, dist)), { recursive: true });
  }
  const git = (...args) => execFileSync('git', args, { cwd: dest, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=release', '-c', 'user.email=release@localhost', 'commit', '-q', '-m', 'rehearsal');
  // The clone's own install, as CI does before a release: from the lockfile, out of the store the
  // repository's install filled (pnpm publish resolves `workspace:` ranges through the installed links).
  sh(path.join(bin, 'pnpm'), ['install', '--frozen-lockfile', '--prefer-offline', '--ignore-scripts'], dest, {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
  });
}

function sh(cmd, args, cwd, env, { quiet = true } = {}) {
  return execFileSync(cmd, args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', quiet ? 'pipe' : 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

function runCalls(name, app, runtime = process.execPath) {
  for (const [kind, args, expected, call] of callPrograms(name)) {
    try {
      const out = sh(runtime, args, app, process.env).trim();
      if (out !== expected) throw new Error(`expected ${expected}, got ${out}`);
    } catch (error) {
      fail(
        `${name} (${kind}): ${call}: ${
          String(error.stderr || error.message)
            .trim()
            .split('\n')[0]
        }`,
      );
      return false;
    }
  }
  return true;
}

async function main() {
  const repo = path.join(work, 'repo');
  copyRepository(repo);
  const registry = await startRegistry();
  console.log(`registry: Verdaccio at ${registry.url} (storage in ${work})`);
  const host = registry.url.replace(/^http:/, '');
  // Clients see only the local registry: a user config of our own, no cache shared with the machine.
  const userrc = path.join(work, 'npmrc');
  fs.writeFileSync(userrc, `registry=${registry.url}\n`);
  // pnpm run's own npm_config_* (store, user agent…) are not a user's: drop them, then set ours.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));
  Object.assign(env, {
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    npm_config_registry: registry.url,
    npm_config_userconfig: userrc,
    npm_config_cache: path.join(work, 'npm-cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  });

  // The maintainer's path: version, then publish, with the token in the project's .npmrc.
  fs.appendFileSync(path.join(repo, '.npmrc'), `\n${host}:_authToken=${registry.token}\n`);
  const changeset = path.join(repo, 'node_modules', '@changesets', 'cli', 'bin.js');
  console.log('::: changeset version');
  sh(process.execPath, [changeset, 'version'], repo, env, { quiet: false });
  console.log('::: changeset publish');
  const published = sh(process.execPath, [changeset, 'publish'], repo, env, { quiet: false });
  process.stdout.write(published);

  const pkgs = publishablePackages()
    .filter((p) => p.hasCode)
    .map((p) => {
      const folder = path.join(repo, path.relative(root, p.folder));
      const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8'));
      return { ...p, folder, version: manifest.version, manifest };
    });
  const rows = [];
  for (const pkg of pkgs) {
    const row = { name: pkg.name, version: pkg.version };
    rows.push(row);
    // Published at this version, with real ranges for its @x dependencies.
    const meta = JSON.parse(sh('npm', ['view', `${pkg.name}@${pkg.version}`, '--json'], work, env));
    if (meta.version !== pkg.version) fail(`${pkg.name}@${pkg.version} is not on the registry`);
    for (const [dep, range] of Object.entries(meta.dependencies ?? {})) {
      if (/^workspace:/.test(range)) fail(`${pkg.name} was published with ${dep}@${range}`);
    }
    // What the tarball holds.
    const [packed] = JSON.parse(sh('npm', ['pack', '--dry-run', '--json'], pkg.folder, env));
    row.size = packed.size;
    row.unpacked = packed.unpackedSize;
    row.files = packed.files.length;
    const stray = packed.files
      .map((f) => f.path)
      .filter((f) => !/^(LICENSE|README\.md|package\.json|dist\/.+)$/.test(f));
    const missing = ['LICENSE', 'README.md', 'package.json'].filter(
      (f) => !packed.files.some((x) => x.path === f),
    );
    if (!packed.files.some((f) => f.path.startsWith('dist/'))) missing.push('dist/');
    if (stray.length || missing.length) {
      fail(`${pkg.name} tarball: ${[...missing.map((m) => `no ${m}`), ...stray].join(', ')}`);
    }

    // A new user: a fresh project, the README's install line as written, nothing else.
    const readme = fs.readFileSync(path.join(pkg.folder, 'README.md'), 'utf8');
    const line = readme.match(/^npm install (@x\/[\w-]+)\s*$/m);
    if (!line || line[1] !== pkg.name) {
      fail(`${pkg.name}: README has no line \`npm install ${pkg.name}\``);
      continue;
    }
    const app = path.join(work, 'apps', `npm-${pkg.name.slice(3)}`);
    fs.mkdirSync(app, { recursive: true });
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    const start = Date.now();
    try {
      sh('sh', ['-c', line[0]], app, env);
    } catch (error) {
      fail(`${pkg.name}: \`${line[0]}\` failed: ${String(error.stderr || error.message).trim()}`);
      continue;
    }
    row.install = Date.now() - start;
    const arrived = fs.readdirSync(path.join(app, 'node_modules', '@x')).map((d) => `@x/${d}`);
    // Only @x packages are compared: @x/distributed also brings BullMQ and ioredis (proxied from npm).
    const expected = [
      pkg.name,
      ...Object.keys(meta.dependencies ?? {}).filter((d) => d.startsWith('@x/')),
    ].sort();
    if (arrived.sort().join() !== expected.join()) {
      fail(`${pkg.name}: installed ${arrived.join(', ')}, expected ${expected.join(', ')}`);
    }
    row.deps = arrived.filter((d) => d !== pkg.name);
    row.npm = runCalls(pkg.name, app);
    if (row.npm) ok(`npm: ${line[0]} (${seconds(row.install)}), ESM and CJS call`);
  }

  // The same packages with pnpm's and Bun's installers, each in one fresh project.
  const all = pkgs.map((p) => p.name);
  const installers = [
    [
      'pnpm',
      path.join(bin, 'pnpm'),
      ['add', ...all],
      { npm_config_store_dir: path.join(work, 'pnpm-store') },
    ],
    ['bun', findBun(), ['add', ...all], { BUN_INSTALL_CACHE_DIR: path.join(work, 'bun-cache') }],
  ];
  const other = {};
  for (const [tool, exe, args, extra] of installers) {
    const app = path.join(work, 'apps', tool);
    fs.mkdirSync(app, { recursive: true });
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    if (tool === 'bun')
      fs.writeFileSync(path.join(app, 'bunfig.toml'), `[install]\nregistry = "${registry.url}"\n`);
    fs.writeFileSync(path.join(app, '.npmrc'), `registry=${registry.url}\n`);
    const start = Date.now();
    try {
      sh(exe, args, app, { ...env, ...extra });
    } catch (error) {
      fail(`${tool} add: ${String(error.stderr || error.stdout || error.message).trim()}`);
      continue;
    }
    other[tool] = Date.now() - start;
    let good = 0;
    for (const name of all) if (runCalls(name, app)) good++;
    if (good === all.length)
      ok(`${tool} add (all ${all.length}, ${seconds(other[tool])}): every package's ESM and CJS call`);
  }

  console.log(
    '\n| package | version | tarball | unpacked | files | npm install alone | @x deps that came along |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.version} | ${r.size ? kB(r.size) : '?'} | ${r.unpacked ? kB(r.unpacked) : '?'} | ${r.files ?? '?'} | ${r.install ? seconds(r.install) : 'failed'} | ${r.deps?.join(', ') || '—'} |`,
    );
  }
  for (const [tool, ms] of Object.entries(other))
    console.log(`${tool}: all ${all.length} packages in one project: ${seconds(ms)}`);
  return pkgs.length;
}

let count = 0;
try {
  count = await main();
} catch (error) {
  fail(error.stack || error.message);
} finally {
  await cleanup();
}
console.log(
  failed
    ? `release rehearsal: ${failed} failed (${seconds(Date.now() - t0)})`
    : `release rehearsal: ${count} packages published and installed alone with npm, then with pnpm and Bun (${seconds(Date.now() - t0)})`,
);
process.exit(failed ? 1 : 0);
