import {
  DAY,
  HOUR,
  ORDER_STATUSES,
  type AgentId,
  type BuyerId,
  type LogisticsEvent,
  type Order,
  type OrderId,
  type OrderStatus,
  type ProductId,
  type QuickReplyId,
  type ShopId,
} from '@xiaoer/core';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_BOT_SETTINGS, DEFAULT_COMPLIANCE_SETTINGS, type FaqEntry } from '@xiaoer/core';
import { hashPassword } from '../auth/password';
import { seedDemoCases } from './demo-aftersales';
import type { Storage } from '../storage';

/** The demo logins printed at start. */
export const DEMO_PASSWORD = 'password123';
export const DEMO_OWNER_EMAIL = 'owner@demo.xiaoer.dev';
export const DEMO_AGENT_EMAILS = [
  'agent1@demo.xiaoer.dev',
  'agent2@demo.xiaoer.dev',
  'agent3@demo.xiaoer.dev',
];

const SPECIAL_PRODUCTS = ['定制刻字钢笔', '新鲜砂糖橘 5斤'];
const PRODUCTS: [string, number][] = [
  ['保温杯 500ml 不锈钢', 8900],
  ['陶瓷马克杯 情侣款', 4500],
  ['纯棉四件套 1.8m床', 29900],
  ['乳胶枕 泰国进口', 16800],
  ['加厚珊瑚绒毯', 9900],
  ['北欧风落地灯', 23900],
  ['硅胶厨房铲 五件套', 5900],
  ['不粘锅 28cm 燃气电磁通用', 15900],
  ['玻璃保鲜盒 10件套', 7900],
  ['电动牙刷 声波', 19900],
  ['洗脸巾 一次性 3包', 3990],
  ['香薰机 静音加湿', 12800],
  ['定制刻字钢笔', 13800],
  ['儿童保温水壶', 6900],
  ['折叠收纳箱 3个装', 5990],
  ['真空压缩袋 8件套', 4990],
  ['记忆棉坐垫', 7900],
  ['智能体脂秤', 9900],
  ['新鲜砂糖橘 5斤', 3980],
  ['手工牛轧糖礼盒', 6800],
];

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = [
  '小明',
  '芳芳',
  '伟',
  '静',
  '磊',
  '婷婷',
  '强',
  '丽',
  '洋',
  '敏',
  '杰',
  '娜',
  '涛',
  '晶',
  '鹏',
  '雪',
];
const CARRIERS = ['顺丰速运', '中通快递', '圆通速递', '韵达快递', '京东物流'];
const CITIES = ['杭州', '上海', '广州', '成都', '武汉', '北京', '南京', '西安'];

const QUICK_REPLIES: [string, string][] = [
  ['欢迎语', '亲，您好！欢迎光临小二旗舰店，请问有什么可以帮您？'],
  ['发货时间', '亲，付款后 48 小时内发货，节假日顺延，发货后可在订单详情查看物流哦～'],
  ['退换货', '亲，支持七天无理由退换（定制商品除外），请在订单页申请售后，我们会尽快处理。'],
  ['发票', '亲，可以开具电子发票，请在订单备注中留下抬头和税号，发货后 3 个工作日内发送到您的邮箱。'],
  ['快递', '亲，默认中通快递，需要顺丰请联系客服补差价。'],
  ['物流延迟', '亲，非常抱歉，近期天气原因部分地区物流有延迟，我们会持续跟进，给您带来不便敬请谅解。'],
  ['感谢', '感谢您的支持，祝您生活愉快！有问题随时找我们哦～'],
  ['尺寸', '亲，商品详情页有具体尺寸说明，如有疑问可以告诉我您的需求，我帮您推荐。'],
];

/** A small deterministic random source, so the demo shop is the same on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function logisticsFor(
  rand: () => number,
  carrier: string,
  shippedAt: number,
  now: number,
  delivered: boolean,
): LogisticsEvent[] {
  const from = CITIES[Math.floor(rand() * CITIES.length)]!;
  const to = CITIES[Math.floor(rand() * CITIES.length)]!;
  const steps = [
    `【${from}】${carrier} 已揽收`,
    `【${from}转运中心】已发出，下一站【${to}转运中心】`,
    `【${to}转运中心】已到达`,
    `【${to}】派送中，快递员 138****${String(1000 + Math.floor(rand() * 8999))}`,
    `【${to}】已签收，感谢使用${carrier}`,
  ];
  const count = delivered ? steps.length : 1 + Math.floor(rand() * 3);
  const events: LogisticsEvent[] = [];
  for (let i = 0; i < count; i++) {
    const at = shippedAt + (i + 1) * (6 + Math.floor(rand() * 12)) * HOUR;
    if (at > now) break;
    events.push({ at, description: steps[i]! });
  }
  return events.reverse();
}

/**
 * Seeds 小二旗舰店 (slug `demo`) when no shop exists: an owner and three agents, 20 products,
 * 50 buyers with orders in every status and their parcels' journeys, and shared quick replies.
 * Returns false when the database already has a shop.
 */
export async function seedDemoShop(
  storage: Storage,
  now = Date.now(),
  options: { bot?: boolean } = {},
): Promise<boolean> {
  if (await storage.shops.findShopBySlug('demo')) return false;
  const rand = mulberry32(20261111);
  const shopId = 'shop-demo' as ShopId;
  await storage.shops.insertShop({
    id: shopId,
    slug: 'demo',
    name: '小二旗舰店',
    secret: randomBytes(24).toString('base64url'),
    timeZone: 'Asia/Shanghai',
    serviceHours: '每天 09:00–23:00',
    createdAt: now,
    orgId: 'org-demo',
    isDemo: true,
    welcomeMessage: null,
  });
  const hash = await hashPassword(DEMO_PASSWORD);
  await storage.agents.insertAgent(
    {
      id: 'agent-demo-owner' as AgentId,
      shopId,
      email: DEMO_OWNER_EMAIL,
      name: '店主',
      role: 'owner',
      // RT-8: offline until their workbench is open; online is what they chose.
      status: 'offline',
      chosenStatus: 'online',
      disabledAt: null,
      maxConcurrent: 50,
      takesRouting: false,
      createdAt: now,
    },
    hash,
  );
  await storage.db.kysely
    .updateTable('organisations')
    .set({ owner_id: 'agent-demo-owner' })
    .where('id', '=', 'org-demo')
    .execute();
  for (const [i, email] of DEMO_AGENT_EMAILS.entries()) {
    await storage.agents.insertAgent(
      {
        id: `agent-demo-${i + 1}` as AgentId,
        shopId,
        email,
        name: ['小美', '阿强', '小雪'][i]!,
        role: 'agent',
        status: 'offline',
        chosenStatus: 'online',
        disabledAt: null,
        maxConcurrent: 10,
        takesRouting: true,
        createdAt: now + i,
      },
      hash,
    );
  }
  const products = PRODUCTS.map(([title, priceCents], i) => ({
    id: `prod-${String(i + 1).padStart(2, '0')}` as ProductId,
    shopId,
    title,
    priceCents,
    imageUrl: null,
    // AS-1: fresh fruit and custom-made goods cannot be returned for no reason.
    special: SPECIAL_PRODUCTS.includes(title),
  }));
  for (const p of products) await storage.orders.insertProduct(p);

  let orderNo = 0;
  const orders: Order[] = [];
  for (let b = 1; b <= 50; b++) {
    const buyerId = `buyer-demo-${String(b).padStart(2, '0')}` as BuyerId;
    const nick = `${SURNAMES[b % SURNAMES.length]}${GIVEN[Math.floor(rand() * GIVEN.length)]}`;
    await storage.buyers.insertBuyer({
      id: buyerId,
      shopId,
      externalId: `tb${100000 + b}`,
      visitorId: null,
      nick,
      phone: `1${3 + Math.floor(rand() * 6)}${String(Math.floor(rand() * 1e9)).padStart(9, '0')}`,
      createdAt: now - 200 * DAY,
      lastSeenAt: now - Math.floor(rand() * 30) * DAY,
    });
    // Every status appears: buyer b's first order cycles through them, more orders are random.
    const count = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < count; k++) {
      const status: OrderStatus =
        k === 0
          ? ORDER_STATUSES[b % ORDER_STATUSES.length]!
          : ORDER_STATUSES[Math.floor(rand() * ORDER_STATUSES.length)]!;
      const ageDays = status === 'unpaid' ? rand() : status === 'paid' ? 1 + rand() * 2 : 3 + rand() * 80;
      const createdAt = Math.floor(now - ageDays * DAY);
      const lines = 1 + Math.floor(rand() * 3);
      const items = Array.from({ length: lines }, () => {
        const p = products[Math.floor(rand() * products.length)]!;
        return {
          productId: p.id,
          title: p.title,
          quantity: 1 + Math.floor(rand() * 2),
          priceCents: p.priceCents,
        };
      });
      const shipped = status === 'shipped' || status === 'completed' || status === 'after_sales';
      const paidAt = status === 'unpaid' || status === 'closed' ? null : createdAt + 10 * 60_000;
      const shippedAt = shipped ? createdAt + (12 + Math.floor(rand() * 30)) * HOUR : null;
      const carrier = shipped ? CARRIERS[Math.floor(rand() * CARRIERS.length)]! : null;
      const order: Order = {
        id: `DD${String(20261100000 + ++orderNo)}` as OrderId,
        shopId,
        buyerId,
        status,
        totalCents: items.reduce((s, i) => s + i.priceCents * i.quantity, 0),
        carrier,
        trackingNo: shipped
          ? `${carrier!.slice(0, 1) === '顺' ? 'SF' : 'YT'}${String(Math.floor(rand() * 1e12)).padStart(12, '0')}`
          : null,
        createdAt,
        paidAt,
        shippedAt,
        items,
        logistics:
          shipped && shippedAt ? logisticsFor(rand, carrier!, shippedAt, now, status !== 'shipped') : [],
      };
      await storage.orders.insertOrder(order);
      orders.push(order);
    }
  }
  // Issue #19: a few after-sales cases, each on its deadline.
  await seedDemoCases(
    storage,
    shopId,
    orders,
    new Set(products.filter((p) => p.special).map((p) => p.id)),
    now,
  );
  for (const [i, [title, text]] of QUICK_REPLIES.entries()) {
    await storage.quickReplies.insertQuickReply({
      id: `qr-demo-${i + 1}` as QuickReplyId,
      shopId,
      ownerId: null,
      title,
      text,
      imageUrl: null,
      createdAt: now + i,
    });
  }
  // The demo FAQ (42 entries); the bot answers first unless the caller turns it off.
  const faq = JSON.parse(readFileSync(new URL('./demo-faq.json', import.meta.url), 'utf8')) as Omit<
    FaqEntry,
    'enabled'
  >[];
  await storage.faq.saveEntries(
    shopId,
    faq.map((e) => ({ ...e, enabled: true })),
    now,
  );
  await storage.shops.saveBotSettings(shopId, { ...DEFAULT_BOT_SETTINGS, enabled: options.bot ?? true });
  // CMP-1 … CMP-6: a Taobao/Tmall shop that really offers 假一赔十 (its FAQ says so).
  await storage.compliance.saveComplianceSettings(shopId, {
    ...DEFAULT_COMPLIANCE_SETTINGS,
    platforms: ['taobao-tmall', 'generic'],
    allowedDomains: ['xiaoer.dev'],
    shopNames: ['小二旗舰店'],
    guarantees: ['假一赔十'],
  });
  return true;
}
