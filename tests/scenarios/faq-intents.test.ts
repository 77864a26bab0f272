/**
 * Issue #15 on a shop created without the demo: FAQ entries linked to the catalogue's intents —
 * suggested from their wording, set and kept by the console, validated, carried by import and
 * export (JSON and CSV) — and the bot answering a buyer's phrasing the shop never wrote, through
 * the widget; the console's test box shows the live decision and what the buyer would read.
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ShopId } from '@xiaoer/core';
import { testDatabases } from '../support/databases';
import { makeAgent, makeShop } from '../support/fixtures';
import { loginCookie, startTestServer, widgetSession, type TestServer } from '../support/server';

interface Listed {
  id: string;
  question: string;
  intents: string[] | null;
  linkedIntents: string[];
}

for (const engine of testDatabases) {
  describe(`issue #15 FAQ entries and the catalogue, on a new shop (${engine.name})`, () => {
    let t: TestServer;
    let shopId: ShopId;
    let cookie: string;
    const slug = `intents-${engine.name}`;
    before(async () => {
      t = await startTestServer({ storage: await engine.open(), demo: false });
      shopId = await makeShop(t.storage, slug);
      const owner = await makeAgent(t.storage, shopId, { role: 'owner' });
      cookie = await loginCookie(t.server, owner.email);
    });
    after(() => t.close());

    const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, type?: string) => {
      const res = await t.server.app.inject({
        method,
        url,
        headers: { cookie, ...(type ? { 'content-type': type } : {}) },
        ...(payload !== undefined ? { payload: payload as string } : {}),
      });
      return { status: res.statusCode, body: res.body, json: () => res.json() as Record<string, unknown> };
    };
    const listed = async () => (await call('GET', '/api/admin/faq')).json().entries as Listed[];

    it('an entry is linked to the intent its wording reads as; the console sets, keeps and clears it', async () => {
      const created = await call('POST', '/api/admin/faq', {
        question: '下单后多久发货',
        answer: '亲，付款后48小时内发货',
        category: '物流',
      });
      assert.equal(created.status, 201, created.body);
      const id = (created.json().entry as { id: string }).id;
      let entry = (await listed()).find((e) => e.id === id)!;
      assert.equal(entry.intents, null, 'nothing set: suggested');
      assert.deepEqual(entry.linkedIntents, ['shipping.when']);

      const set = await call('PUT', `/api/admin/faq/${id}`, {
        question: '下单后多久发货',
        answer: '亲，付款后48小时内发货',
        intents: ['shipping.when', 'shipping.delivery-time'],
      });
      assert.equal(set.status, 200, set.body);
      entry = (await listed()).find((e) => e.id === id)!;
      assert.deepEqual(entry.intents, ['shipping.when', 'shipping.delivery-time']);
      assert.deepEqual(entry.linkedIntents, ['shipping.when', 'shipping.delivery-time']);

      // An edit that does not mention intents keeps them; [] links none.
      await call('PUT', `/api/admin/faq/${id}`, {
        question: '下单后多久发货',
        answer: '亲，付款后24小时内发货',
      });
      assert.deepEqual((await listed()).find((e) => e.id === id)!.intents, [
        'shipping.when',
        'shipping.delivery-time',
      ]);
      await call('PUT', `/api/admin/faq/${id}`, {
        question: '下单后多久发货',
        answer: '亲，付款后24小时内发货',
        intents: [],
      });
      entry = (await listed()).find((e) => e.id === id)!;
      assert.deepEqual([entry.intents, entry.linkedIntents], [[], []]);
      await call('PUT', `/api/admin/faq/${id}`, {
        question: '下单后多久发货',
        answer: '亲，付款后24小时内发货',
        intents: null,
      });
      assert.deepEqual((await listed()).find((e) => e.id === id)!.linkedIntents, ['shipping.when']);
    });

    it('an intent the catalogue lacks is refused naming the field, on save and on import; nothing stored', async () => {
      const before = (await listed()).length;
      const bad = await call('POST', '/api/admin/faq', {
        question: '有赠品吗',
        answer: '有的',
        intents: ['no.such'],
      });
      assert.equal(bad.status, 400);
      assert.equal((bad.json().error as { field: string }).field, 'intents.0');
      const badImport = await call('POST', '/api/admin/faq/import', [
        { id: 'gift', question: '有赠品吗', answer: '有的', intents: ['presale.gift'] },
        { id: 'bad', question: '能开发票吗', answer: '能', intents: ['invoice.nope'] },
      ]);
      assert.equal(badImport.status, 400);
      assert.match((badImport.json().error as { message: string }).message, /row 2, intents\.0/);
      const badCsv = await call(
        'POST',
        '/api/admin/faq/import',
        'id,question,similar,answer,category,enabled,intents\ngift,有赠品吗,,有的,,true,presale.nope\n',
        'text/csv',
      );
      assert.equal(badCsv.status, 400);
      assert.equal((await listed()).length, before);
    });

    it('import and export carry intents, in JSON and in CSV', async () => {
      const imported = await call('POST', '/api/admin/faq/import', [
        { id: 'gift', question: '有赠品吗', answer: '亲，下单送小样', intents: ['presale.gift'] },
        { id: 'genuine', question: '是正品吗', answer: '亲，品牌官方授权，支持专柜验货' },
      ]);
      assert.equal(imported.status, 200, imported.body);
      const json = JSON.parse((await call('GET', '/api/admin/faq/export?format=json')).body) as Listed[];
      assert.deepEqual(json.find((e) => e.id === 'gift')?.intents, ['presale.gift']);
      assert.equal(json.find((e) => e.id === 'genuine')?.intents, null);
      const csv = (await call('GET', '/api/admin/faq/export?format=csv')).body;
      assert.match(csv, /gift,有赠品吗,,亲，下单送小样,,true,presale\.gift/);
      const again = await call(
        'POST',
        '/api/admin/faq/import',
        csv.replace('presale.gift', 'presale.gift|presale.promotion'),
        'text/csv',
      );
      assert.equal(again.status, 200, again.body);
      assert.deepEqual((await listed()).find((e) => e.id === 'gift')?.intents, [
        'presale.gift',
        'presale.promotion',
      ]);
      assert.equal(
        (await listed()).find((e) => e.id === 'genuine')?.intents,
        null,
        'an empty cell: suggested',
      );
    });

    it('the test box shows the live decision and what the buyer reads; the bot in the widget answers a phrasing the shop never wrote', async () => {
      const box = (
        await call('GET', `/api/admin/faq/test?q=${encodeURIComponent('你家东西是正品不')}`)
      ).json() as {
        decision: string;
        entryId?: string;
        reply: string[];
        intents: { intentId: string; label: string }[];
      };
      assert.equal(box.decision, 'answer');
      assert.equal(box.entryId, 'genuine');
      assert.deepEqual(box.reply, ['亲，品牌官方授权，支持专柜验货']);
      assert.equal(box.intents[0]?.intentId, 'presale.authenticity');
      const hello = (await call('GET', `/api/admin/faq/test?q=${encodeURIComponent('你好')}`)).json();
      assert.equal(hello.decision, 'smalltalk');
      assert.match((hello.reply as string[])[0]!, /您好/);

      const bot = (await call('GET', '/api/admin/bot')).json().settings as Record<string, unknown>;
      assert.equal((await call('PUT', '/api/admin/bot', { ...bot, enabled: true })).status, 200);
      const { token } = await widgetSession(t.server, { shop: slug });
      const sent = await t.server.app.inject({
        method: 'POST',
        url: '/api/widget/messages',
        headers: { authorization: `Bearer ${token}` },
        payload: { clientId: 'q1', kind: 'text', body: { text: '你家东西是正品不' } },
      });
      assert.equal(sent.statusCode, 200, sent.body);
      const conversationId = (sent.json() as { conversation: { id: string } }).conversation.id;
      let reply: string | undefined;
      for (let i = 0; i < 200 && !reply; i++) {
        const msgs = await t.storage.conversations.listMessages(shopId, conversationId as never, 0, 20);
        const m = msgs.find((x) => x.sender === 'bot');
        reply = m && m.kind === 'text' ? m.body.text : undefined;
        if (!reply) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(reply, '亲，品牌官方授权，支持专柜验货');
    });

    it('lists the catalogue for the console', async () => {
      const { intents } = (await call('GET', '/api/admin/faq/intents')).json() as {
        intents: { id: string; family: string; label: string; labelEn: string }[];
      };
      assert.ok(intents.length >= 100);
      assert.ok(intents.some((i) => i.id === 'shipping.when' && i.label && i.labelEn));
    });
  });
}
