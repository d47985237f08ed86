// Type-checks every ```ts / ```js code block of the root README and of every package's README (packages/*) against the
// built packages, in strict mode, the way a user who copies the block into a strict TypeScript project would
// see it. Each block is its own module (blocks never share variables), resolved through a node_modules that
// links each @x package as an install would, so `exports`, `types` conditions and the built .d.ts files are
// what is checked. Errors are reported at their README line. Exits non-zero on any error.
//
// Examples use names a reader's app would have (`api`, `fetchUser`, a `pool`): a README declares them once in
// an HTML comment, invisible on the rendered page, whose first line starts with `<!-- readme-check:` (and says
// what follows) and whose next lines are ambient TypeScript declarations (`declare const api: string;`, `interface User { ... }`); they are visible to
// every block of that README, and only of that README (each README is checked as a project of its own).
// A block whose first line is a comment naming a file (`// llm.ts — ...`) is written under that name, so
// another block can import it (`./llm.js`); `<!-- readme-check: file config.ts` with the file's code on the next lines
// provides a module the README only imports. A block that cannot be a program at all can be skipped with `<!-- readme-check: skip -->` on the line
// just before its opening fence; say why there.
//
//   node scripts/check-readme-code.mjs [--keep]     (run after a build; `--keep` leaves .readme-check/)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './packages.mjs';

const LANGS = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };
const SKIP = /<!--\s*readme-check:\s*skip\b/;
const GLOBALS = /<!--\s*readme-check:(?!\s*skip\b)([\s\S]*?)-->/g;

function readmes() {
  const found = [path.join(root, 'README.md')];
  for (const name of fs.readdirSync(path.join(root, 'packages')).sort()) {
    const file = path.join(root, 'packages', name, 'README.md');
    if (fs.existsSync(file)) found.push(file);
  }
  return found;
}

/** The checkable code blocks of a markdown file: `{ lang, line (1-based, first code line), code }`. */
export function extractBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    let end = i + 1;
    while (end < lines.length && !lines[end].trimStart().startsWith(fence)) end++;
    const lang = LANGS[info.toLowerCase()];
    const skipped = i > 0 && SKIP.test(lines[i - 1]);
    if (lang && !skipped) {
      const code = lines
        .slice(i + 1, end)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
        .join('\n');
      blocks.push({ lang, line: i + 2, code });
    }
    i = end;
  }
  return blocks;
}

function main() {
  const keep = process.argv.includes('--keep');
  const work = path.join(root, '.readme-check');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, 'node_modules', '@x'), { recursive: true });
  // Link every workspace package (private @x/internal too: its README shows its own API) as npm would.
  for (const name of fs.readdirSync(path.join(root, 'packages'))) {
    const manifest = path.join(root, 'packages', name, 'package.json');
    if (!fs.existsSync(manifest)) continue;
    const pkgName = JSON.parse(fs.readFileSync(manifest, 'utf8')).name;
    if (!pkgName?.startsWith('@x/')) continue;
    fs.symlinkSync(
      path.join(root, 'packages', name),
      path.join(work, 'node_modules', pkgName),
      process.platform === 'win32' ? 'junction' : 'dir',
    );
  }
  fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  let count = 0;
  const errors = [];
  let broken = false;
  for (const readme of readmes()) {
    const rel = path.relative(root, readme);
    const markdown = fs.readFileSync(readme, 'utf8');
    const blocks = extractBlocks(markdown);
    if (!blocks.length) continue;
    const dir = path.join(work, rel.replace(/[\\/]/g, '__').replace(/\.md$/, ''));
    fs.mkdirSync(dir);
    // The comment's first line says what it is (prose, or `file name.ts`); the code follows on the next lines.
    let globals = '';
    for (const [, comment] of markdown.matchAll(GLOBALS)) {
      const newline = comment.indexOf('\n');
      const [head, body] =
        newline < 0 ? [comment, ''] : [comment.slice(0, newline), comment.slice(newline + 1)];
      const named = /^\s*file\s+([\w.-]+\.[jt]s)\s*$/.exec(head);
      if (named) fs.writeFileSync(path.join(dir, named[1]), `${body}\n`);
      else globals += `${body}\n`;
    }
    // A script (no import/export), so its declarations are global to this README's blocks.
    fs.writeFileSync(path.join(dir, 'readme-globals.d.ts'), globals);
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.base.json',
        compilerOptions: { noEmit: true, allowJs: true, checkJs: true },
        include: ['*.ts', '*.js'],
      }),
    );
    const origin = new Map(); // generated file name -> first README line of its block
    for (const block of blocks) {
      const named = /^\/\/\s*([\w.-]+\.[jt]s)\b/.exec(block.code);
      const file = named ? named[1] : `L${block.line}.${block.lang}`;
      // `export {}` keeps each block a module of its own (top-level await, no names shared between blocks).
      fs.writeFileSync(path.join(dir, file), `${block.code}\nexport {};\n`);
      origin.set(file, block.line);
      count++;
    }
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], {
      cwd: dir,
      encoding: 'utf8',
    });
    const lines = (r.stdout + r.stderr).split('\n').filter(Boolean);
    // `L42.ts(3,7): error ...` -> `packages/gather/README.md:44:7: error ...`.
    for (const l of lines) {
      errors.push(
        l.replace(/^([^(\s]+)\((\d+),(\d+)\)/, (whole, file, line, col) =>
          origin.has(file)
            ? `${rel}:${origin.get(file) + Number(line) - 1}:${col}`
            : file === 'readme-globals.d.ts'
              ? `${rel} (readme-check declarations, line ${line}):${col}`
              : whole,
        ),
      );
    }
    if (r.status !== 0 && !lines.some((l) => /error TS\d+/.test(l))) broken = true;
  }
  if (!keep) fs.rmSync(work, { recursive: true, force: true });
  for (const e of errors) console.log(e);
  const failed = errors.filter((e) => /error TS\d+/.test(e)).length;
  console.log(
    failed || broken
      ? `readme code: ${failed} type error${failed === 1 ? '' : 's'} in ${count} blocks${broken ? ' (tsc failed)' : ''}`
      : `readme code: ${count} blocks type-check (strict)`,
  );
  process.exit(failed || broken ? 1 : 0);
}

main();
