import { packageConfig } from '../../tsup.base.js';

// The child entry and the chunk runner must be real files next to index.js: children load them.
export default packageConfig({ entry: ['src/index.ts', 'src/child.ts', 'src/chunk.ts'] });
