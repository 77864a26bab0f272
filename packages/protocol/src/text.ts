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
  const at = (key: string | number) => (prefix ? `${prefix}.${key}` : String(key));
  if (typeof value === 'string') return isInvalidText(value) ? prefix : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findInvalidText(item, at(i));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (isInvalidText(key)) return at(key);
      const found = findInvalidText(item, at(key));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
