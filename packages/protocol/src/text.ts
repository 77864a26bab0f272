/**
 * Issue #14: text no store or screen can take. PostgreSQL refuses a NUL character in text (a 500),
 * and a lone UTF-16 surrogate is no character at all (it broke the workbench's rendering): both
 * are refused at the edge, naming the field, for every HTTP body, query and path parameter and
 * every socket payload.
 */
// eslint-disable-next-line no-control-regex
const INVALID_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether a string holds a NUL character or a lone surrogate (invalid UTF-16). */
export function isInvalidText(text: string): boolean {
  return INVALID_TEXT.test(text);
}

/**
 * The path (`body.text`, `similar.2`; `prefix` for the value itself) of the first string in a
 * parsed JSON value — an object key counts — that holds a NUL character or a lone surrogate;
 * undefined when there is none.
 */
export function findInvalidText(value: unknown, prefix = ''): string | undefined {
  const path = invalidPath(value);
  if (path === undefined) return undefined;
  // The path is only spelled out once something is found: every socket payload passes through
  // here, and building `body.text` for each valid field was garbage per message (issue #20).
  let out = prefix;
  for (let i = path.length - 1; i >= 0; i--) out = out ? `${out}.${path[i]!}` : String(path[i]);
  return out;
}

/** The keys down to the first invalid string, innermost first ([] for the value itself). */
function invalidPath(value: unknown): (string | number)[] | undefined {
  if (typeof value === 'string') return isInvalidText(value) ? [] : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = invalidPath(value[i]);
      if (found !== undefined) return (found.push(i), found);
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (isInvalidText(key)) return [key];
      const found = invalidPath((value as Record<string, unknown>)[key]);
      if (found !== undefined) return (found.push(key), found);
    }
  }
  return undefined;
}
