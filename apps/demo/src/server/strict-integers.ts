import type { FastifyInstance } from 'fastify';
import { InvalidInputError } from './errors.js';

/** The one way an integer may be written in a path or a query string: digits, with an optional minus. */
const INTEGER_TEXT = /^-?[0-9]+$/;

/** The schema parts that arrive as text, and where the request holds each. */
const TEXT_PARTS = [
  ['params', 'params'],
  ['querystring', 'query'],
] as const;

interface ObjectSchema {
  properties?: Record<string, { type?: unknown }>;
}

/**
 * Reads every integer of a path or a query string by one rule, on every route: its text must be digits
 * with an optional minus (`-?[0-9]+`), or the request gets the 422 the schema gives for "abc".
 *
 * Why not the schema's type coercion: Ajv converts with `Number()`, which accepts more than digits. `" "`
 * becomes 0, and `"1e3"`, `"0x10"`, `" 5"` and `"+5"` become numbers, so `/users/0x10` would be user 16.
 * So the app's Ajv does not coerce (which also keeps a JSON body's `5` from passing as the string "5"),
 * and this hook, run before validation, turns the digits of each property the route's schema declares
 * `type: 'integer'` into a number. A route cannot forget it. Range rules (`minimum`, `maximum`) stay in
 * the schema, which still answers `-1` with "must be >= 0".
 */
export function installStrictIntegers(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema as Record<string, ObjectSchema | undefined> | undefined;
    if (!schema) return;
    for (const [part, field] of TEXT_PARTS) {
      const properties = schema[part]?.properties;
      const values = request[field] as Record<string, unknown> | undefined;
      if (properties && values) readIntegers(part, properties, values);
    }
  });
}

function readIntegers(
  part: string,
  properties: Record<string, { type?: unknown }>,
  values: Record<string, unknown>,
): void {
  for (const [name, property] of Object.entries(properties)) {
    const raw = values[name];
    // A repeated query parameter arrives as an array, which the schema refuses as not an integer.
    if (property.type !== 'integer' || typeof raw !== 'string') continue;
    if (!INTEGER_TEXT.test(raw)) {
      throw new InvalidInputError(`${part}/${name} must be integer`, {
        details: [{ in: part, field: name, message: 'must be integer' }],
      });
    }
    values[name] = Number(raw);
  }
}
