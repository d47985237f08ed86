// What `serialization: 'json'` can carry unchanged. JSON.stringify never refuses a Map (it sends `{}`), a
// Date (a string), `undefined` in an array (`null`) or NaN (`null`): this check refuses them instead, so a
// value either arrives as it was sent or its task fails with a DataCloneError naming it. (No class here:
// the parent and the child each build the error with their own copy of @x/executor.)

/** What JSON would do to a value that is not plain data. */
function change(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${value} would arrive as null`;
    case 'bigint':
      return 'a BigInt cannot be written as JSON';
    case 'undefined':
      return 'undefined would arrive as null';
    case 'function':
      return `a function (${(value as Function).name || 'anonymous'}) would arrive as null`;
    case 'symbol':
      return 'a symbol would arrive as null';
    default: {
      if (value === null || Array.isArray(value)) return undefined;
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return undefined;
      const name = (proto as { constructor?: { name?: string } }).constructor?.name || 'object';
      if (value instanceof Date) return 'a Date would arrive as a string';
      return `a ${name} would arrive as a plain object${value instanceof Map || value instanceof Set || value instanceof Error || value instanceof RegExp ? ' ({})' : ''}`;
    }
  }
}

/**
 * Where and why JSON would change `value`, or undefined when it arrives equal. Plain objects keep only
 * their own enumerable string keys, and a key whose value is `undefined` is dropped (reading it still
 * gives `undefined`), as JSON does; every other change is reported. Shared references arrive as copies.
 */
function find(
  value: unknown,
  path: string,
  ancestors: unknown[],
): { path: string; reason: string } | undefined {
  if (typeof value !== 'object' || value === null) {
    const reason = change(value);
    return reason === undefined ? undefined : { path, reason };
  }
  const reason = change(value);
  if (reason !== undefined) return { path, reason };
  if (ancestors.includes(value)) return { path, reason: 'a circular reference cannot be written as JSON' };
  if (ancestors.length > 1000) return { path, reason: 'it is nested too deeply' };
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const problem = find(value[i], `${path}[${i}]`, ancestors);
        if (problem) return problem;
      }
    } else {
      for (const key of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue; // dropped, and reads back as undefined
        const problem = find(v, `${path}.${key}`, ancestors);
        if (problem) return problem;
      }
    }
  } finally {
    ancestors.pop();
  }
  return undefined;
}

/**
 * Where (`position` and the path inside it) and why JSON would not carry `value` unchanged, or undefined:
 * the arguments of a `DataCloneError`. With `topLevel`, `value` itself may be `undefined` (the transport
 * carries it).
 */
export function jsonRefusal(
  value: unknown,
  position: string,
  topLevel = true,
): [position: string, detail: string, options: { advice: string }] | undefined {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return undefined;
  if (topLevel && value === undefined) return undefined;
  const problem = find(value, '', []);
  if (problem === undefined) return undefined;
  return [
    position + (problem.path ? ` (at ${problem.path})` : ''),
    `${problem.reason} with serialization 'json'.`,
    {
      advice:
        "Only JSON data (strings, finite numbers, booleans, null, plain objects and arrays) crosses in 'json' mode: convert the value, or use the default serialization 'advanced' (structured clone: Map, Date, BigInt, typed arrays...).",
    },
  ];
}
