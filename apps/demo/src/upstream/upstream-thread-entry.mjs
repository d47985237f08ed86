// Worker entry of the upstream thread. The demo runs its TypeScript through tsx; a worker thread needs
// the loader registered for itself (under vitest the parent has none), so register it, then start.
import { register } from 'tsx/esm/api';

register();
await import('./upstream-worker.ts');
