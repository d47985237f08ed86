// The workspace's publishable packages, and which of them have code yet (an index that exports something).
import fs from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..');

export function publishablePackages() {
  const dir = path.join(root, 'packages');
  return (
    fs
      .readdirSync(dir)
      .filter((d) => fs.existsSync(path.join(dir, d, 'package.json')))
      .map((d) => {
        const folder = path.join(dir, d);
        const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8'));
        const index = fs.readFileSync(path.join(folder, 'src', 'index.ts'), 'utf8');
        const hasCode = /^export\s+(?!\{\s*\};)/m.test(index);
        return { name: manifest.name, folder, manifest, hasCode };
      })
      // Private workspace packages (@x/internal) are bundled into the others, never published.
      .filter((p) => !p.manifest.private)
  );
}
