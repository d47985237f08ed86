import { packageConfig } from '../../tsup.base.js';

// The worker entry must be a real file next to index.js: threads are started from it.
export default packageConfig({ entry: ['src/index.ts', 'src/worker.ts'] });
