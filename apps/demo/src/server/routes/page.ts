import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const PUBLIC_DIR = new URL('../../../public/', import.meta.url);

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** Serves the web page: three fixed files read once at start-up, so no path from a client touches the disk. */
export function pageRoutes(app: FastifyInstance): void {
  for (const [path, { file, type }] of Object.entries(FILES)) {
    const content = readFileSync(new URL(file, PUBLIC_DIR));
    app.get(path, (_request, reply) => {
      reply
        .type(type)
        .header('cache-control', 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'self'; style-src 'self'; script-src 'self'")
        .send(content);
    });
  }
  // Browsers ask for it on their own; an empty answer keeps their consoles free of 404s.
  app.get('/favicon.ico', (_request, reply) => {
    reply.code(204).header('cache-control', 'max-age=86400').send();
  });
}
