import { packageConfig } from '../../tsup.base.js';

// The worker runs as a file of its own: it is built next to index.js and located from there at run time.
export default packageConfig({ entry: ['src/index.ts', 'src/worker.ts'] });
