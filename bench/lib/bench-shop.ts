import type { AgentId, ShopId } from '@xiaoer/core';
import { hashPassword } from '../../packages/server/src/auth/password';
import { parseConfig, type Config } from '../../packages/server/src/config';
import type { Storage } from '../../packages/server/src/storage';

/** The bench shop (slug `bench`) with `agents` online agents of cap 500, password "benchpass1". */
export async function seedBenchShop(storage: Storage, agents: number): Promise<ShopId> {
  const shopId = 'shop-bench' as ShopId;
  await storage.shops.insertShop({
    id: shopId,
    slug: 'bench',
    name: '压测店',
    secret: 'bench-secret',
    timeZone: 'Asia/Shanghai',
    serviceHours: '全天',
    createdAt: Date.now(),
    orgId: 'org-bench',
    isDemo: false,
    welcomeMessage: null,
  });
  const hash = await hashPassword('benchpass1');
  for (let i = 0; i < agents; i++) {
    await storage.agents.insertAgent(
      {
        id: `bench-agent-${i}` as AgentId,
        shopId,
        email: `agent${i}@bench.xiaoer.dev`,
        name: `客服${i}`,
        role: 'agent',
        status: 'online',
        chosenStatus: 'online',
        disabledAt: null,
        maxConcurrent: 500,
        takesRouting: true,
        createdAt: i,
      },
      hash,
    );
  }
  return shopId;
}

/** A node's config for a bench: quiet, limits out of the way, one secret for every node. */
export function benchConfig(env: Record<string, string> = {}): Config {
  return parseConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    SECRET: 'bench-secret-bench-secret-bench-secret',
    RATE_LIMIT_PER_MINUTE: '1000000',
    BUYER_MESSAGES_PER_10S: '1000',
    WIDGET_SESSIONS_PER_MINUTE: '1000000',
    LOGIN_ATTEMPTS_PER_MINUTE: '1000000',
    ...env,
  });
}
