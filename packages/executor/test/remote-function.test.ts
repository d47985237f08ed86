import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CapturedVariableError,
  fromModule,
  invokeRemote,
  isModuleFunction,
  type ModuleFunction,
  type RemoteRef,
  resolveRemote,
  toRemoteRef,
} from '../src/index.js';
import { undefinedIdentifier } from '../src/invoke-remote.js';

const workUrl = new URL('./fixtures/work.mjs', import.meta.url);

describe('fromModule', () => {
  it('names a module export by URL, path or file: string, normalised to one URL and key', () => {
    const a = fromModule(workUrl, 'add');
    const b = fromModule(fileURLToPath(workUrl), 'add');
    const c = fromModule(workUrl.href, 'add');
    expect(a.url).toBe(workUrl.href);
    expect(b.url).toBe(workUrl.href);
    expect(c.url).toBe(workUrl.href);
    expect(toRemoteRef(a)).toEqual(toRemoteRef(b));
    expect(isModuleFunction(a)).toBe(true);
    expect(isModuleFunction(() => 1)).toBe(false);
  });

  it('defaults exportName to default and resolves relative paths against the working directory', () => {
    const ref = fromModule('some/dir/file.js');
    expect(ref.exportName).toBe('default');
    expect(ref.url).toBe(pathToFileURL(`${process.cwd()}/some/dir/file.js`).href);
  });

  it('rejects bad arguments synchronously with TypeErrors naming them', () => {
    expect(() => fromModule(42 as never)).toThrow(
      /The "urlOrPath" argument must be a non-empty string or an instance of URL\. Received type number \(42\)/,
    );
    expect(() => fromModule('')).toThrow(TypeError);
    expect(() => fromModule(workUrl, 7 as never)).toThrow(
      /The "exportName" argument .* Received type number \(7\)/,
    );
  });

  it('carries the function type', () => {
    const add = fromModule<(a: number, b: number) => number>(workUrl, 'add');
    expectTypeOf(add).toEqualTypeOf<ModuleFunction<(a: number, b: number) => number>>();
  });
});

describe('toRemoteRef', () => {
  it('turns a function into its source with a stable key shared by equal sources', () => {
    const f = (n: number) => n + 1;
    const g = (n: number) => n + 1;
    const ref = toRemoteRef(f);
    expect(ref.kind).toBe('source');
    expect(ref).toMatchObject({ source: f.toString() });
    expect(toRemoteRef(g).key).toBe(ref.key);
    expect(toRemoteRef(f)).toBe(ref);
    expect(toRemoteRef((n: number) => n + 2).key).not.toBe(ref.key);
  });

  it('gives a module function its module ref', () => {
    expect(toRemoteRef(fromModule(workUrl, 'add'))).toEqual({
      kind: 'module',
      key: `m:${workUrl.href}#add`,
      url: workUrl.href,
      exportName: 'add',
    });
  });

  it('refuses non-functions, native, bound and class functions with a TypeError naming the argument', () => {
    expect(() => toRemoteRef(1)).toThrow(
      'The "fn" argument must be a function or a module function made by fromModule(). Received type number (1)',
    );
    expect(() => toRemoteRef({}, 'task')).toThrow(/The "task" argument .* Received an instance of Object/);
    expect(() => toRemoteRef(Math.max)).toThrow(/native or bound function/);
    expect(() => toRemoteRef(((a: number) => a).bind(null))).toThrow(/native or bound function/);
    expect(() => toRemoteRef(class A {})).toThrow(/not a class/);
  });
});

describe('resolveRemote / invokeRemote', () => {
  it('compiles source once per key and runs it', () => {
    const ref = toRemoteRef((a: number, b: number) => a * b);
    const first = resolveRemote(ref);
    expect(resolveRemote(ref.key)).toBe(first);
    expect(invokeRemote(ref.key, [6, 7])).toBe(42);
  });

  it('runs async functions and dynamic import inside them', async () => {
    const ref = toRemoteRef(async (p: string) => {
      const { basename } = await import('node:path');
      return basename(p);
    });
    await expect(invokeRemote(ref, ['/a/b/c.txt'])).resolves.toBe('c.txt');
  });

  it('accepts method shorthand and named recursive functions', () => {
    const obj = {
      triple(n: number) {
        return n * 3;
      },
    };
    expect(invokeRemote(toRemoteRef(obj.triple), [5])).toBe(15);
    function fib(n: number): number {
      return n < 2 ? n : fib(n - 1) + fib(n - 2);
    }
    expect(invokeRemote(toRemoteRef(fib), [15])).toBe(610);
  });

  it('imports a module function once and calls it, sync or async', async () => {
    const add = toRemoteRef(fromModule(workUrl, 'add'));
    await expect(invokeRemote(add, [2, 3])).resolves.toBe(5);
    expect(invokeRemote(add.key, [4, 5])).toBe(9); // cached: now synchronous
    await expect(invokeRemote(toRemoteRef(fromModule(workUrl, 'slowDouble')), [21])).resolves.toBe(42);
    await expect(invokeRemote(toRemoteRef(fromModule(workUrl)), ['x'])).resolves.toBe('hello x');
  });

  it('explains a missing export, a non-function export and a module that throws while loading', async () => {
    await expect(invokeRemote(toRemoteRef(fromModule(workUrl, 'nope')), [])).rejects.toThrow(
      /has no export named "nope" \(its exports: .*add/,
    );
    await expect(invokeRemote(toRemoteRef(fromModule(workUrl, 'notAFunction')), [])).rejects.toThrow(
      /is not a function \(it is number\)/,
    );
    const bad: RemoteRef = toRemoteRef(fromModule(new URL('./fixtures/throws-at-load.mjs', import.meta.url)));
    await expect(invokeRemote(bad, [])).rejects.toThrow(RangeError);
    // The failure is not cached as a function: the key stays unknown, so a later task reports it again.
    expect(() => resolveRemote(bad.key)).toThrow(/never sent/);
  });

  it('rewrites a ReferenceError for a captured variable, sync and async, keeping the original as cause', async () => {
    const secret = 3;
    const ref = toRemoteRef(() => secret * 2);
    let error: unknown;
    try {
      invokeRemote(ref, []);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ReferenceError);
    expect(error).toBeInstanceOf(CapturedVariableError);
    expect(error).toMatchObject({ code: 'ERR_X_CAPTURED_VARIABLE', identifier: 'secret' });
    expect((error as Error).message).toMatch(
      /secret is not defined in the worker.*pass "secret" as an argument/,
    );
    expect((error as Error).cause).toBeInstanceOf(ReferenceError);
    const asyncRef = toRemoteRef(async () => {
      await null;
      return secret;
    });
    await expect(invokeRemote(asyncRef, [])).rejects.toBeInstanceOf(CapturedVariableError);
  });

  // The messages engines really produce for `return secret` with no `secret` in scope: V8 and SpiderMonkey
  // (Node, Deno, Chromium, Firefox), JavaScriptCore (Bun, Safari), Chakra. The check must not depend on one.
  it.each([
    ['V8 / SpiderMonkey', 'secret is not defined'],
    ['JavaScriptCore (Bun, Safari)', "Can't find variable: secret"],
    ['Chakra', "'secret' is not defined"],
  ])('explains a captured variable whatever the engine words it: %s', (_engine, message) => {
    // A function that captures `secret`, where the engine's throw is played by the function itself (this test
    // runs on V8): built from source so the message is part of it, as the worker only ever sees the source.
    const fn = new Function(
      `return () => { if (Math.random() > 2) return secret; throw new ReferenceError(${JSON.stringify(message)}); }`,
    )() as () => number;
    const ref = toRemoteRef(fn);
    let error: unknown;
    try {
      invokeRemote(ref, []);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CapturedVariableError);
    expect(error).toMatchObject({ identifier: 'secret', cause: { message } });
    expect((error as Error).message).toMatch(
      /^secret is not defined in the worker\..*pass "secret" as an argument/,
    );
    expect((error as Error).stack).toMatch(/^ReferenceError: secret is not defined in the worker/);
  });

  it('reads the identifier from each engine form, and nothing from other ReferenceErrors', () => {
    expect(undefinedIdentifier('secret is not defined')).toBe('secret');
    expect(undefinedIdentifier("Can't find variable: $x_1")).toBe('$x_1');
    expect(undefinedIdentifier('"café" is not defined')).toBe('café');
    expect(undefinedIdentifier("Cannot access 'secret' before initialization")).toBeUndefined();
    expect(undefinedIdentifier('Cannot access uninitialized variable.')).toBeUndefined();
    expect(undefinedIdentifier('a.b is not defined')).toBeUndefined();
  });

  it('leaves other errors untouched', () => {
    const ref = toRemoteRef(() => {
      throw new TypeError('plain');
    });
    expect(() => invokeRemote(ref, [])).toThrow(new TypeError('plain'));
  });
});
