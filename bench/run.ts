/**
 * `npm run bench [-- <topic>]`: runs every benchmark topic (a folder with an `index.ts`), each of
 * which prints its figures next to a baseline measured in the same run.
 */
import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const topics = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'lib' && existsSync(join(here, d.name, 'index.ts')))
  .map((d) => d.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name));

for (const topic of topics) {
  console.log(`\n# bench/${topic}`);
  const mod = (await import(join(here, topic, 'index.ts'))) as { run: () => Promise<void> };
  await mod.run();
}
