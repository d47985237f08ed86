/**
 * Gives the kit a real `gc()` (it collects before every measured round when one exists), so one contender's
 * garbage is not collected on the next one's clock. tsx does not pass --expose-gc, hence the flag is set here.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
(globalThis as { gc?: () => void }).gc ??= runInNewContext('gc') as () => void;
