/** IN lists stay well under both engines' bound-parameter limits (SQLite 32,766; PostgreSQL 65,535). */
export const IN_CHUNK = 500;

/** `list` in pieces of at most `size`, in order. */
export function chunks<T>(list: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
