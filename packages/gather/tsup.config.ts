import { packageConfig } from '../../tsup.base.js';

// p-limit 7 is ESM-only: `require('p-limit')` fails on Node < 20.19 and esbuild's CJS interop mangles its default
// export on newer ones, so it (and its yocto-queue) is bundled rather than required. Their MIT licence asks that
// the notice travel with the copy: the banner below does that.
const notice = `/*! Bundled: p-limit and yocto-queue, MIT License, Copyright (c) Sindre Sorhus <sindresorhus@gmail.com>
 * (https://sindresorhus.com). Permission is hereby granted, free of charge, to any person obtaining a copy of
 * this software and associated documentation files (the "Software"), to deal in the Software without
 * restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute,
 * sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to
 * do so, subject to the following conditions: The above copyright notice and this permission notice shall be
 * included in all copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT
 * WARRANTY OF ANY KIND, EXPRESS OR IMPLIED. */`;

export default packageConfig({ noExternal: ['p-limit', 'yocto-queue'], banner: { js: notice } });
