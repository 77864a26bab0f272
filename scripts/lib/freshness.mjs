// When a build output is older than its sources: shared by `npm start` (skip a build that is
// current) and the test runner (build the UI only when stale). mtimes only; no hashing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest mtime (ms) of a file or, recursively, of a directory's files; 0 when missing. */
export function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(path))
    if (e !== 'node_modules' && e !== 'dist') max = Math.max(max, newest(join(path, e)));
  return max;
}

/** True when `output` is missing or older than any of `sources`. */
export function isStale(output, sources) {
  const built = newest(output);
  return built === 0 || Math.max(...sources.map(newest)) > built;
}
