/**
 * The system under test for bench/chat: a real xiaoer node on a fresh SQLite file (WAL), with a
 * bench shop of AGENTS online agents (cap 500, password "benchpass1"). Prints `{"port": N}`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentId, ShopId } from '@xiaoer/core';
import { createServer } from '../../packages/server/src/app';
import { hashPassword } from '../../packages/server/src/auth/password';
import { parseConfig } from '../../packages/server/src/config';
import { openStorage } from '../../packages/server/src/storage';

const AGENTS = Number(process.env.AGENTS ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'xiaoer-bench-'));
const storage = await openStorage(process.env.DATABASE_URL ?? `sqlite:${join(dir, 'bench.db')}`);
const shopId = 'shop-bench' as ShopId;
await storage.shops.insertShop({
  id: shopId,
  slug: 'bench',
  name: '压测店',
  secret: 'bench-secret',
  timeZone: 'Asia/Shanghai',
  serviceHours: '全天',
  createdAt: Date.now(),
});
const hash = await hashPassword('benchpass1');
for (let i = 0; i < AGENTS; i++) {
  await storage.agents.insertAgent(
    {
      id: `bench-agent-${i}` as AgentId,
      shopId,
      email: `agent${i}@bench.xiaoer.dev`,
      name: `客服${i}`,
      role: 'agent',
      status: 'online',
      maxConcurrent: 500,
      takesRouting: true,
      createdAt: i,
    },
    hash,
  );
}
const config = parseConfig({
  PORT: '0',
  LOG_LEVEL: 'silent',
  SECRET: 'bench-secret-bench-secret-bench-secret',
  RATE_LIMIT_PER_MINUTE: '1000000',
  BUYER_MESSAGES_PER_10S: '1000',
  WIDGET_SESSIONS_PER_MINUTE: '1000000',
  LOGIN_ATTEMPTS_PER_MINUTE: '1000000',
});
const server = await createServer(config, { storage });
const url = await server.listen();
console.log(JSON.stringify({ port: Number(new URL(url).port) }));
process.on('SIGTERM', () => process.exit(0));
