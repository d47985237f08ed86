import { packageConfig } from '../../tsup.base.js';

// The CLI is its own entry: `x-distributed-worker` runs dist/cli.js.
export default packageConfig({ entry: ['src/index.ts', 'src/cli.ts'] });
