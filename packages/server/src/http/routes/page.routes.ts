import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { newSessionToken, signIdentity } from '../../auth/tokens';
import type { AppContext } from '../context';

const webDist = fileURLToPath(new URL('../../../../web/dist', import.meta.url));
const widgetDist = fileURLToPath(new URL('../../../../widget/dist', import.meta.url));

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** The built web app, the widget script, the first-run page and the demo shop page. */
export async function pageRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  if (existsSync(webDist)) {
    // The setup page is served below, only while the install needs it.
    await app.register(fastifyStatic, {
      root: webDist,
      prefix: '/',
      index: ['index.html'],
      wildcard: false,
      globIgnore: ['setup/**', '**/*.br', '**/*.gz'],
      // Issue #18: sent as compressed at build time (scripts/compress-dist.mjs), by Accept-Encoding.
      preCompressed: true,
      // Hashed assets never change under their name: cached for a year. A page is asked again
      // each time, so a new build is picked up at once.
      cacheControl: false,
      setHeaders: (res, path) => res.setHeader('cache-control', cachePolicy(path)),
    });
  }
  const notBuilt = (what: string) =>
    `${what} is not built yet: run \`npm run build:ui\` (npm start does it).`;

  // Issue #13: the first-run page (web/setup), which also shows the landing at `/` with the demo on.
  const setupPage = async (reply: FastifyReply) => {
    const file = `${webDist}/setup/index.html`;
    if (!existsSync(file)) return reply.status(503).send(notBuilt('The web app'));
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(await readFile(file));
  };
  // `/`: the workbench once a real shop exists; before that the setup page, or — with the demo
  // on — a landing linking both paths (the demo, and setting up one's own shop).
  app.get('/', async (_req, reply) => {
    if (await ctx.storage.shops.hasRealShop()) return reply.redirect('/workbench/');
    if (await ctx.storage.demo.isOn()) return setupPage(reply);
    return reply.redirect('/setup');
  });
  for (const path of ['/setup', '/setup/'])
    app.get(path, async (_req, reply) => {
      // Once: with a real shop the page is gone.
      if (await ctx.storage.shops.hasRealShop()) return reply.callNotFound();
      return setupPage(reply);
    });
  for (const page of ['workbench', 'admin']) {
    app.get(`/${page}`, async (_req, reply) => reply.redirect(`/${page}/`));
    if (!existsSync(webDist))
      app.get(`/${page}/`, async (_req, reply) => reply.status(503).send(notBuilt('The web app')));
  }

  // Loaded by shops' own pages: no CSP, framing or cross-origin-resource rules of ours (issue #14).
  // The tab icon of every page (an orange 二); /favicon.ico, which browsers ask for by themselves,
  // is the same picture rather than a 404 in every page's console.
  for (const path of ['/favicon.svg', '/favicon.ico'])
    app.get(path, async (_req, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON),
    );

  app.get('/widget.js', { helmet: false }, async (req, reply) => {
    if (!existsSync(`${widgetDist}/widget.js`)) return reply.status(503).send(notBuilt('The widget'));
    reply
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'public, max-age=300')
      .header('vary', 'accept-encoding')
      .type('text/javascript; charset=utf-8');
    // Issue #18: precompressed at build time, as the client accepts it.
    const accepts = String(req.headers['accept-encoding'] ?? '');
    for (const [encoding, ext] of [
      ['br', 'br'],
      ['gzip', 'gz'],
    ] as const)
      if (new RegExp(`\\b${encoding}\\b`).test(accepts) && existsSync(`${widgetDist}/widget.js.${ext}`)) {
        reply.header('content-encoding', encoding);
        return readFile(`${widgetDist}/widget.js.${ext}`);
      }
    return readFile(`${widgetDist}/widget.js`);
  });

  // A demo shop page carrying the widget. ?buyer=<externalId> signs in as that demo buyer (as a
  // shop's own server would), ?buyer=anonymous chats as a visitor.
  // Issue #13: only while demo mode is on, and only the demo shop (never a real shop named `demo`).
  // The demo stands for a shop's own page (its inline handler included): helmet's rules are not its.
  app.get('/demo', { helmet: false }, async (req, reply) => {
    const shop = await ctx.storage.shops.findShopBySlug('demo');
    if (!shop?.isDemo || !(await ctx.storage.demo.isOn())) return reply.callNotFound();
    const products = await ctx.storage.orders.listProducts(shop.id);
    const buyers = (await ctx.storage.buyers.listBuyers(shop.id, 200)).filter((b) => b.externalId);
    const wanted = String(
      (req.query as Record<string, unknown>).buyer ?? buyers[0]?.externalId ?? 'anonymous',
    );
    const buyer = buyers.find((b) => b.externalId === wanted);
    // Signed as a shop's server would: a new nonce for each page (issue #14: used once).
    const signed = buyer?.externalId
      ? { externalId: buyer.externalId, nick: buyer.nick, ts: ctx.clock.now(), nonce: newSessionToken() }
      : undefined;
    const identity = signed && { ...signed, sig: signIdentity(shop.secret, signed) };
    const options = [`<option value="anonymous">匿名访客 / anonymous</option>`]
      .concat(
        buyers
          .slice(0, 50)
          .map(
            (b) =>
              `<option value="${escapeHtml(b.externalId!)}"${b === buyer ? ' selected' : ''}>${escapeHtml(b.nick)}</option>`,
          ),
      )
      .join('');
    const cards = products
      .map(
        (
          p,
        ) => `<div class="card"><div class="img">${escapeHtml(p.title.slice(0, 2))}</div><div class="t">${escapeHtml(p.title)}</div>
<div class="p">¥${(p.priceCents / 100).toFixed(2)}</div></div>`,
      )
      .join('');
    const identityAttr = identity ? ` data-identity="${escapeHtml(JSON.stringify(identity))}"` : '';
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" type="image/svg+xml" href="/favicon.svg">
<title>${escapeHtml(shop.name)} · xiaoer demo</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:0;background:#f5f5f5;color:#222}
header{background:#ff5000;color:#fff;padding:16px 24px;display:flex;gap:16px;align-items:center;justify-content:space-between}
header h1{margin:0;font-size:22px}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:16px;padding:24px}
.card{background:#fff;border-radius:8px;padding:12px}.img{height:120px;background:#ffe4d6;border-radius:6px;display:flex;align-items:center;justify-content:center;font-size:28px;color:#ff5000}
.demo{background:#fffbe6;border-bottom:1px solid #ffe58f;padding:10px 24px;font-size:13px;line-height:1.7}
.demo span{display:block;color:#595959}.demo code{background:#fff;padding:0 4px;border-radius:3px}header small{font-size:13px;font-weight:normal;opacity:.85}
.t{margin-top:8px;font-size:14px}.p{color:#ff5000;font-weight:bold;margin-top:4px}form{font-size:14px}</style></head>
<body><div class="demo" data-testid="demo-notice" lang="zh-CN"><b>这是演示店铺</b>：商品、买家和订单都是虚构的，演示账号的密码是公开的，请勿用于真实经营。
开设自己的店铺：打开 xiaoer 启动时终端打印的设置链接（<code>/setup?token=…</code>），或运行 <code>npx xiaoer shop create</code>；设置 <code>DEMO=false</code> 关闭演示。
<span lang="en"><b>This is a demo shop</b>: its products, buyers and orders are made up, and the demo logins are public. To run your own shop,
open the setup link xiaoer printed when it started (<code>/setup?token=…</code>) or run <code>npx xiaoer shop create</code>; <code>DEMO=false</code> turns the demo off.</span></div>
<header><h1>${escapeHtml(shop.name)} <small>演示 · demo</small></h1><form method="get" action="/demo"><label>以买家身份 / as buyer
<select name="buyer" onchange="this.form.submit()">${options}</select></label></form></header>
<main class="grid">${cards}</main>
<script src="/widget.js" data-shop="${escapeHtml(shop.slug)}"${identityAttr} async></script>
</body></html>`;
  });
}

/** Issue #18: hashed assets for a year (their name changes with their content); anything else revalidated. */
export function cachePolicy(path: string): string {
  return /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#ff5000"/>' +
  '<path d="M8 11h16M6 22h20" stroke="#fff" stroke-width="3.2" stroke-linecap="round"/></svg>';
