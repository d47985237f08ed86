/**
 * One identity per error class across packages, bundled copies and versions.
 *
 * Every @x package bundles its own classes (and @x/internal itself is bundled into each), so a
 * `TimeoutError` thrown by a pool and the one exported by @x/timeout are different constructors, and an app
 * that ends up with two copies of a package (ESM and CJS, two versions) has two of each. Plain `instanceof`
 * would then depend on which copy threw. A branded class answers `instanceof` by a brand instead: a
 * property keyed by `Symbol.for('@x/error:<code>')` on its prototype. `Symbol.for` is one registry for the
 * whole process (every realm of it), so every copy of every class with the same stable `code` agrees.
 */

/** The registered symbol that brands the instances of every @x error class whose `code` is `code`. */
export function errorBrand(code: string): symbol {
  return Symbol.for(`@x/error:${code}`);
}

// The brand a constructor itself was given (own property only: a subclass that was not branded itself
// falls back to the ordinary prototype-chain check, so a base instance is not an instance of it).
const CLASS_BRAND = Symbol.for('@x/error-class-brand');

const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];

function hasInstance(this: object, value: unknown): boolean {
  const brand = Object.hasOwn(this, CLASS_BRAND) ? (this as Record<symbol, unknown>)[CLASS_BRAND] : undefined;
  if (typeof brand !== 'symbol') return ordinaryHasInstance.call(this, value);
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    (value as Record<symbol, unknown>)[brand] === true
  );
}

/**
 * Brands `ctor` with its stable `code`: its instances (and those of its subclasses) carry the brand, and
 * `value instanceof ctor` holds for every value that carries it, whichever package, bundled copy or version
 * created it. A value with the same `name` and `code` but no brand (a plain `Error` someone decorated) is
 * not an instance. Call it from the class's static block, with `this`, so it runs with the class and cannot
 * be tree-shaken apart from it. (`this`, not the class's name: a class that names itself in its own body is
 * renamed `_Name` by esbuild's bundler, and `error.constructor.name` would show it.)
 *
 * @example
 * ```ts
 * export class TimeoutError extends Error {
 *   static {
 *     brandErrorClass(this, 'ERR_X_TIMEOUT');
 *   }
 *   readonly code = 'ERR_X_TIMEOUT';
 * }
 * ```
 * Python has one class object per process, so `except TimeoutError` needs nothing like this.
 */
export function brandErrorClass(ctor: abstract new (...args: never[]) => Error, code: string): void {
  const brand = errorBrand(code);
  Object.defineProperty(ctor.prototype, brand, { value: true });
  Object.defineProperty(ctor, CLASS_BRAND, { value: brand });
  Object.defineProperty(ctor, Symbol.hasInstance, { value: hasInstance, configurable: true });
}

const PREFIX = '@x/error:';

/**
 * The codes of every brand `value` carries, own or inherited (a subclass instance carries its base's too),
 * so error transport can carry them across a thread or process. Never throws; `[]` for anything else.
 *
 * @example
 * ```ts
 * errorBrandsOf(new TimeoutError(100)); // ['ERR_X_TIMEOUT']
 * ```
 */
export function errorBrandsOf(value: unknown): string[] {
  const codes: string[] = [];
  try {
    for (let p: unknown = value; p !== null && typeof p === 'object'; p = Object.getPrototypeOf(p)) {
      for (const symbol of Object.getOwnPropertySymbols(p)) {
        const key = Symbol.keyFor(symbol);
        if (key?.startsWith(PREFIX) && (p as Record<symbol, unknown>)[symbol] === true) {
          codes.push(key.slice(PREFIX.length));
        }
      }
    }
  } catch {
    // A proxy or exotic object that refuses introspection carries no brand we can see.
  }
  return codes;
}

/**
 * Gives `target` the brands of `codes`, as own non-enumerable properties, so it is `instanceof` every @x
 * error class of those codes: how an error re-created from a worker's report keeps its identity.
 *
 * @example
 * ```ts
 * applyErrorBrands(revived, serialized.brands); // revived instanceof TimeoutError
 * ```
 */
export function applyErrorBrands(target: object, codes: readonly string[]): void {
  for (const code of codes) {
    Object.defineProperty(target, errorBrand(code), { value: true, configurable: true });
  }
}
