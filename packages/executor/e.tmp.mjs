import { deserializeError, serializeError } from '@x/executor';
class QuotaError extends RangeError { name = 'QuotaError'; code = 'E_QUOTA'; }
const error = new QuotaError('over quota', { cause: new Error('db') });
const N = 5000;
let t = performance.now(); let s;
for (let i = 0; i < N; i++) s = serializeError(error);
console.log('serialize', ((performance.now() - t) / N * 1000).toFixed(1), 'µs');
t = performance.now(); let c;
for (let i = 0; i < N; i++) c = structuredClone(s);
console.log('clone', ((performance.now() - t) / N * 1000).toFixed(1), 'µs');
t = performance.now();
for (let i = 0; i < N; i++) deserializeError(c);
console.log('deserialize', ((performance.now() - t) / N * 1000).toFixed(1), 'µs');
t = performance.now();
for (let i = 0; i < N; i++) new RangeError('x');
console.log('new RangeError', ((performance.now() - t) / N * 1000).toFixed(1), 'µs');
