import { packageConfig } from '../../tsup.base.js';

// p-limit 7 is ESM-only: `require('p-limit')` fails on Node < 20.19 and esbuild's CJS interop mangles its default
// export on newer ones, so it (and its yocto-queue) is bundled rather than required.
export default packageConfig({ noExternal: ['p-limit', 'yocto-queue'] });
