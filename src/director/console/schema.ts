/**
 * One idea: the envelope of every JSON document afconsole prints, and the schema
 * version it carries. Every command prints exactly one document:
 *
 *   { "schema": "afconsole/1", "command": "list jobs", "ok": true, "console": "...", ...body }
 *   { "schema": "afconsole/1", "command": "run", "ok": false, "console": "...",
 *     "error": { "code": "CONSOLE_DENIED", "exit": 40, "message": "..." } }
 *
 * The body of each command is documented in man/afconsole.1 and, as JSON Schema, in
 * etc/afconsole.schema.json. The version changes ("afconsole/2") only when a field
 * changes meaning or disappears; new fields may be added within a version.
 */
import { ERRORS, toAfError } from '../../errors.js';

export const SCHEMA_VERSION = 'afconsole/1';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export function successDocument(command: string, consoleName: string, body: JsonObject, ok = true): JsonObject {
  return { schema: SCHEMA_VERSION, command, ok, console: consoleName, ...body };
}

export function errorDocument(command: string | null, consoleName: string, err: unknown): JsonObject {
  const e = toAfError(err);
  return {
    schema: SCHEMA_VERSION,
    command,
    ok: false,
    console: consoleName,
    error: { code: e.code, exit: ERRORS[e.code].exit, message: e.message },
  };
}
