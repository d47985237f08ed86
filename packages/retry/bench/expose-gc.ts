/**
 * Gives the kit a real `gc()` (it calls `globalThis.gc` before every measured round when present), so one
 * contender's garbage is not collected on the next contender's clock. The runner is started by tsx, which
 * does not pass --expose-gc, hence the flag is set here.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
export const gc = runInNewContext('gc') as () => void;
(globalThis as { gc?: () => void }).gc ??= gc;
