/**
 * Issue #16: imports in the console for a shop that is not the demo, on SQLite and PostgreSQL —
 * products, buyers and orders from CSV (UTF-8 or GBK, as Excel on Chinese Windows saves it) or
 * Excel, Chinese or English headers, previewed with every problem by row and column; written as
 * the v1 API writes them (nothing when a problem is left, unless the owner skips those rows); the
 * templates; and the FAQ import reading GBK and Chinese headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ShopId } from '@xiaoer/core';
import iconv from 'iconv-lite';
import { readSheet } from 'read-excel-file/node';
import writeXlsxFile from 'write-excel-file/node';
import { testDatabases } from '../support/databases';
import { makeAgent, makeShop } from '../support/fixtures';
import { loginCookie, startTestServer, type TestServer } from '../support/server';

const gbk = (text: string) => iconv.encode(text, 'gbk');

const PRODUCTS_GBK = [
  '商品编号,商品名称,价格(元),图片链接',
  'longjing-250,明前龙井 250g,128.00,',
  'biluochun-100,洞庭碧螺春 100g,"￥1,088.00",',
  'puer-357,云南普洱茶饼 357g,abc,',
  ',无编号的茶,10,',
].join('\r\n');

async function xlsx(rows: (string | number)[][]): Promise<Buffer> {
  return writeXlsxFile(rows.map((r) => r.map((value) => ({ value })))).toBuffer();
}

for (const engine of testDatabases) {
  describe(`issue #16 imports (${engine.name})`, () => {
    let t: TestServer;
    let shopId: ShopId;
    let owner: string;
    let agentCookie: string;

    const upload = async (url: string, file: Buffer, cookie = owner) => {
      const res = await t.server.app.inject({
        method: 'POST',
        url,
        headers: { cookie, 'content-type': 'application/octet-stream' },
        payload: file,
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: res.statusCode, body: res.body, json: () => res.json() as any };
    };

    before(async () => {
      t = await startTestServer({ storage: await engine.open(), demo: false });
      shopId = await makeShop(t.storage, `imports-${engine.name}`);
      const boss = await makeAgent(t.storage, shopId, { role: 'owner' });
      const agent = await makeAgent(t.storage, shopId);
      owner = await loginCookie(t.server, boss.email);
      agentCookie = await loginCookie(t.server, agent.email);
    });
    after(async () => {
      await t.close();
    });

    it('a GBK CSV of products with Chinese headers: read as GBK, every problem named by row and column', async () => {
      const res = await upload('/api/admin/imports/products/preview', gbk(PRODUCTS_GBK));
      assert.equal(res.status, 200, res.body);
      const p = res.json().preview;
      assert.equal(p.encoding, 'gb18030');
      assert.deepEqual(
        p.columns.map((c: { field: string }) => c.field),
        ['externalId', 'title', 'price', 'imageUrl'],
      );
      assert.equal(p.rows, 4);
      assert.equal(p.valid, 2);
      assert.equal(p.fresh, 2);
      assert.deepEqual(
        p.problems.map((x: { row: number; column: string }) => [x.row, x.column]),
        [
          [4, '价格(元)'],
          [5, '商品编号'],
        ],
      );
      assert.equal(p.sample[1].body.title, '洞庭碧螺春 100g');
      assert.equal(p.sample[1].body.priceCents, 108_800, '￥1,088.00 in cents');
      // With a problem left, nothing is written.
      const refused = await upload('/api/admin/imports/products', gbk(PRODUCTS_GBK));
      assert.equal(refused.status, 400, refused.body);
      assert.match(refused.json().error.message, /row 4, 价格\(元\)/);
      assert.equal(await t.storage.orders.findProduct(shopId, 'longjing-250'), undefined);
      // The owner chose to skip them: the good rows are written, the bad ones counted.
      const done = await upload('/api/admin/imports/products?skipInvalid=true', gbk(PRODUCTS_GBK));
      assert.equal(done.status, 200, done.body);
      assert.deepEqual(done.json(), { imported: { created: 2, updated: 0, unchanged: 0 }, skipped: 2 });
      assert.equal((await t.storage.orders.findProduct(shopId, 'longjing-250'))?.title, '明前龙井 250g');
      // The same file again: nothing changes.
      const again = await upload('/api/admin/imports/products?skipInvalid=true', gbk(PRODUCTS_GBK));
      assert.deepEqual(again.json().imported, { created: 0, updated: 0, unchanged: 2 });
    });

    it('an Excel file of orders: several item rows are one order, Chinese statuses, the shop’s wall clock', async () => {
      const file = await xlsx([
        [
          '订单编号',
          '买家账号',
          '交易状态',
          '实付金额',
          '商品编码',
          '宝贝标题',
          '购买数量',
          '商品单价',
          '物流公司',
          '运单号',
          '订单创建时间',
          '订单付款时间',
        ],
        [
          'T-9001',
          'tb-8801',
          '卖家已发货',
          '216.00',
          'longjing-250',
          '明前龙井 250g',
          1,
          '128.00',
          '顺丰速运',
          'SF100',
          '2026-12-01 10:00:00',
          '2026-12-01 10:02:00',
        ],
        [
          'T-9001',
          'tb-8801',
          '卖家已发货',
          '216.00',
          'biluochun-100',
          '洞庭碧螺春 100g',
          1,
          '88.00',
          '顺丰速运',
          'SF100',
          '2026-12-01 10:00:00',
          '2026-12-01 10:02:00',
        ],
        [
          'T-9002',
          'tb-8802',
          '退款中',
          '128',
          'longjing-250',
          '明前龙井 250g',
          1,
          '128',
          '',
          '',
          '2026/11/20 9:30',
          '',
        ],
        ['T-9003', 'tb-8803', '发货了吗', '10', '', '', '', '', '', '', '2026-11-20', ''],
      ]);
      const preview = await upload('/api/admin/imports/orders/preview', file);
      assert.equal(preview.status, 200, preview.body);
      const p = preview.json().preview;
      assert.equal(p.encoding, 'xlsx');
      assert.equal(p.valid, 2);
      assert.deepEqual(
        p.problems.map((x: { row: number; column: string }) => [x.row, x.column]),
        [[5, '交易状态']],
      );
      const done = await upload('/api/admin/imports/orders?skipInvalid=true', file);
      assert.equal(done.status, 200, done.body);
      assert.deepEqual(done.json().imported, { created: 2, updated: 0, unchanged: 0 });
      const order = (await t.storage.orders.findOrderWithTime(shopId, 'T-9001'))!;
      assert.equal(order.status, 'shipped');
      assert.equal(order.totalCents, 21_600);
      assert.deepEqual(
        order.items.map((i) => [i.productId, i.quantity, i.priceCents]),
        [
          ['longjing-250', 1, 12_800],
          ['biluochun-100', 1, 8_800],
        ],
      );
      // 10:00 in Shanghai (the shop's zone) is 02:00 UTC.
      assert.equal(new Date(order.createdAt).toISOString(), '2026-12-01T02:00:00.000Z');
      assert.equal(order.trackingNo, 'SF100');
      assert.equal((await t.storage.orders.findOrder(shopId, 'T-9002'))?.status, 'after_sales');
      // Its buyer came with it.
      assert.ok(await t.storage.buyers.findByExternalId(shopId, 'tb-8802'));
    });

    it('a UTF-8 CSV of buyers with English headers and a BOM; a missing column is named', async () => {
      const csv = Buffer.from(
        '\uFEFFexternalId,nick,phone\ntb-8801,茶友小李,13800138000\ntb-8804,Lily,\n',
        'utf8',
      );
      const done = await upload('/api/admin/imports/buyers', csv);
      assert.equal(done.status, 200, done.body);
      assert.deepEqual(done.json().imported, { created: 1, updated: 1, unchanged: 0 });
      assert.equal((await t.storage.buyers.findByExternalId(shopId, 'tb-8801'))?.nick, '茶友小李');
      const missing = await upload(
        '/api/admin/imports/buyers/preview',
        Buffer.from('买家编号,手机号\ntb-1,138\n'),
      );
      assert.deepEqual(
        missing.json().preview.problems.map((x: { row: number; column: string }) => [x.row, x.column]),
        [[1, '昵称']],
      );
      const refused = await upload('/api/admin/imports/buyers', Buffer.from('买家编号,手机号\ntb-1,138\n'));
      assert.equal(refused.status, 400);
      assert.equal(refused.json().error.field, '昵称');
    });

    it('bad files and callers are refused; templates download in both formats and read back', async () => {
      assert.equal((await upload('/api/admin/imports/products/preview', Buffer.alloc(0))).status, 400);
      assert.equal((await upload('/api/admin/imports/coupons/preview', Buffer.from('a\n1'))).status, 400);
      assert.equal(
        (await upload('/api/admin/imports/products/preview', gbk(PRODUCTS_GBK), agentCookie)).status,
        403,
      );
      const broken = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 1)]);
      const notExcel = await upload('/api/admin/imports/products/preview', broken);
      assert.equal(notExcel.status, 400);
      assert.equal(notExcel.json().error.field, 'file');
      const template = await t.server.app.inject({
        method: 'GET',
        url: '/api/admin/imports/orders/template?format=xlsx&lang=zh',
        headers: { cookie: owner },
      });
      assert.equal(template.statusCode, 200);
      const sheet = await readSheet(template.rawPayload);
      assert.equal(sheet[0]![0], '订单号');
      // The template, filled in as it comes, imports.
      const filled = await upload('/api/admin/imports/orders/preview', template.rawPayload);
      assert.equal(filled.json().preview.valid, 1, filled.body);
      const csv = await t.server.app.inject({
        method: 'GET',
        url: '/api/admin/imports/products/template?format=csv&lang=en',
        headers: { cookie: owner },
      });
      assert.ok(csv.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'a BOM for Excel');
      assert.match(csv.body, /^\uFEFFexternalId,title,price,imageUrl/);
    });

    it('FAQ: a GBK CSV with Chinese headers imports intact, and again replaces rather than adds', async () => {
      const file = gbk(
        [
          '问题,答案,相似问法,分类',
          '什么时候发货,亲，付款后 48 小时内发货,几天发货|多久发货,物流',
          '可以开发票吗,可以开电子发票,能开票吗,发票',
        ].join('\r\n'),
      );
      const res = await upload('/api/admin/faq/import', file);
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json().imported, 2);
      const entries = await t.storage.faq.listEntries(shopId);
      const shipping = entries.find((e) => e.question === '什么时候发货');
      assert.ok(shipping, JSON.stringify(entries.map((e) => e.question)));
      assert.deepEqual(shipping.similar, ['几天发货', '多久发货']);
      assert.equal(shipping.category, '物流');
      await upload('/api/admin/faq/import', file);
      assert.equal((await t.storage.faq.listEntries(shopId)).length, entries.length);
      const noAnswer = await upload('/api/admin/faq/import', gbk('问题,分类\n什么时候发货,物流'));
      assert.equal(noAnswer.status, 400);
      assert.equal(noAnswer.json().error.field, 'file');
    });
  });
}
