/**
 * The system under test for bench/chat: a real xiaoer node on a fresh SQLite file (WAL), with a
 * bench shop of AGENTS online agents (cap 500, password "benchpass1"). Prints `{"port": N}`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from '../../packages/server/src/app';
import { openStorage } from '../../packages/server/src/storage';
import { benchConfig, seedBenchShop } from '../lib/bench-shop';

const AGENTS = Number(process.env.AGENTS ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'xiaoer-bench-'));
const storage = await openStorage(process.env.DATABASE_URL ?? `sqlite:${join(dir, 'bench.db')}`);
await seedBenchShop(storage, AGENTS);
// The socket limits (issue #14) as the environment sets them (bench/flood), else their defaults.
const config = benchConfig(
  Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('WS_') && !!e[1]),
  ),
);
const server = await createServer(config, { storage });
const url = await server.listen();
console.log(JSON.stringify({ port: Number(new URL(url).port) }));
process.on('SIGTERM', () => process.exit(0));
