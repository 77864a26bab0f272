import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import {
  FakeClock,
  type AgentId,
  type ComplianceErrorDetails,
  type Conversation,
  type ConversationId,
  type Message,
  type ShopId,
} from '@xiaoer/core';
import type { InjectOptions } from 'fastify';
import { testDatabases } from '../support/databases';
import { ean13Png, jpg, photo, photoWithQr, png, qrPixels } from '../support/images';
import { loginCookie, startTestServer, widgetSession, type TestServer } from '../support/server';
import { collect, connect, emit, until } from '../support/sockets';

const SHOP = 'shop-demo' as ShopId;
const A1 = 'agent-demo-1' as AgentId;

/** A multipart/form-data body with one file. */
async function multipart(
  data: Buffer,
  type: string,
): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type }), type === 'image/png' ? 'a.png' : 'a.jpg');
  const res = new Response(form);
  return {
    payload: Buffer.from(await res.arrayBuffer()),
    headers: { 'content-type': res.headers.get('content-type')! },
  };
}

for (const engine of testDatabases) {
  describe(`QR codes and barcodes in images (CMP-3, issue #14) on ${engine.name}`, () => {
    let t: TestServer;
    let agentCookie: string;
    let ownerCookie: string;
    let agent: Socket;
    let buyer: Socket;
    let conversationId: string;
    let buyerGot: Message[];
    const clock = new FakeClock(Date.parse('2026-11-25T10:00:00+08:00'));
    const inject = (o: InjectOptions) => t.server.app.inject(o);
    const sockets: Socket[] = [];

    const upload = async (data: Buffer, type: 'image/png' | 'image/jpeg'): Promise<string> => {
      const body = await multipart(data, type);
      const res = await inject({
        method: 'POST',
        url: '/api/uploads',
        headers: { cookie: agentCookie, ...body.headers },
        payload: body.payload,
      });
      assert.equal(res.statusCode, 201, res.body);
      return (res.json() as { url: string }).url;
    };
    const sendHttp = (url: string, clientId: string) =>
      inject({
        method: 'POST',
        url: `/api/conversations/${conversationId}/messages`,
        headers: { cookie: agentCookie },
        payload: { clientId, kind: 'image', body: { url } },
      });
    const sendSocket = (url: string, clientId: string) =>
      emit<{ message: Message }>(agent, 'message:send', {
        conversationId,
        clientId,
        kind: 'image',
        body: { url },
      });
    const storedImages = async (): Promise<string[]> =>
      (await t.storage.conversations.listMessages(SHOP, conversationId as ConversationId, 0, 500)).flatMap(
        (m) => (m.kind === 'image' ? [m.body.url] : []),
      );
    const blockedLog = async (): Promise<{ agentId: string; text: string; rules: string[] }[]> => {
      const res = await inject({
        method: 'GET',
        url: '/api/admin/compliance/log?action=blocked',
        headers: { cookie: ownerCookie },
      });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { entries: { agentId: string; text: string; rules: string[] }[] }).entries;
    };

    before(async () => {
      t = await startTestServer({ storage: await engine.open(), clock });
      for (const id of ['agent-demo-2', 'agent-demo-3'])
        await t.server.ctx.chat.setAgentStatus(SHOP, id as AgentId, 'offline');
      agentCookie = await loginCookie(t.server, 'agent1@demo.xiaoer.dev');
      ownerCookie = await loginCookie(t.server, 'owner@demo.xiaoer.dev');
      agent = await connect(t.url, '/agent', { cookie: agentCookie });
      const session = await widgetSession(t.server);
      buyer = await connect(t.url, '/buyer', { token: session.token });
      sockets.push(agent, buyer);
      buyerGot = collect(buyer);
      const first = await emit<{ conversation: Conversation }>(buyer, 'message:send', {
        clientId: 'b-1',
        kind: 'text',
        body: { text: '你好，这个杯子有现货吗？' },
      });
      assert.ok(first.ok);
      conversationId = first.ok ? first.data.conversation.id : '';
      const c = await t.storage.conversations.findConversation(SHOP, conversationId as ConversationId);
      assert.equal(c?.agentId, A1, 'the buyer is with agent1');
    });
    after(async () => {
      for (const s of sockets) s.close();
      await t.close();
    });

    it('a payment QR code, a contact id or another platform in an image is blocked over HTTP and the socket, logged, never stored or pushed', async () => {
      const cases: {
        name: string;
        code: string;
        image: Buffer;
        type: 'image/png' | 'image/jpeg';
        via: 'http' | 'socket';
      }[] = [
        {
          name: 'wechat pay png',
          code: 'wxp://f2f0Qm4bXkz9TRcYl0aJ3sH8',
          image: png(qrPixels('wxp://f2f0Qm4bXkz9TRcYl0aJ3sH8')),
          type: 'image/png',
          via: 'http',
        },
        {
          name: 'wechat pay jpeg',
          code: 'wxp://f2f1Zt7PqLs0aBcD',
          image: photoWithQr('wxp://f2f1Zt7PqLs0aBcD', 'jpeg'),
          type: 'image/jpeg',
          via: 'socket',
        },
        {
          name: 'alipay jpeg',
          code: 'https://qr.alipay.com/fkx19366xjdmqs2wi7ub8a3',
          image: photoWithQr('https://qr.alipay.com/fkx19366xjdmqs2wi7ub8a3', 'jpeg'),
          type: 'image/jpeg',
          via: 'http',
        },
        {
          name: 'alipay png',
          code: 'https://qr.alipay.com/fkx10001abcd',
          image: png(qrPixels('https://qr.alipay.com/fkx10001abcd')),
          type: 'image/png',
          via: 'socket',
        },
        {
          name: 'wechat id',
          code: '加我微信 shop_88888，下单便宜',
          image: png(qrPixels('加我微信 shop_88888，下单便宜')),
          type: 'image/png',
          via: 'socket',
        },
        {
          name: 'other platform',
          code: 'https://weidian.com/item.html?itemID=3312',
          image: photoWithQr('https://weidian.com/item.html?itemID=3312', 'png'),
          type: 'image/png',
          via: 'http',
        },
        {
          name: 'bank card',
          code: '6222020200112233446',
          image: png(qrPixels('6222020200112233446')),
          type: 'image/png',
          via: 'socket',
        },
      ];
      for (const c of cases) {
        const url = await upload(c.image, c.type);
        let code: string;
        let field: string | undefined;
        let details: ComplianceErrorDetails;
        if (c.via === 'http') {
          const res = await sendHttp(url, `img-${c.name}`);
          assert.equal(res.statusCode, 422, `${c.name}: ${res.body}`);
          const body = res.json() as {
            error: { code: string; field?: string; details: ComplianceErrorDetails };
          };
          ({ code, field, details } = body.error);
        } else {
          const res = await sendSocket(url, `img-${c.name}`);
          assert.equal(res.ok, false, c.name);
          if (res.ok) return;
          ({ code, field } = res.error);
          details = res.error.details as ComplianceErrorDetails;
        }
        assert.equal(code, 'compliance_blocked', c.name);
        assert.equal(field, 'body.url', c.name);
        assert.equal(details.verdict, 'block');
        assert.ok(details.findings.length > 0, c.name);
        if (c.code.startsWith('wxp://'))
          assert.deepEqual(
            details.findings.map((f) => f.id),
            ['cmp3.payment-code'],
            `${c.name}: one finding, the payment code`,
          );
        for (const f of details.findings) {
          assert.equal(f.rule, 'CMP-3', `${c.name}: ${f.id}`);
          assert.equal(f.source, 'image_code', c.name);
          assert.equal(f.code, c.code, c.name);
          assert.match(f.reason['zh-CN'], /^图片中的二维码/, c.name);
        }
        assert.ok(!(await storedImages()).includes(url), `${c.name}: never stored`);
      }
      // A control image sent after them arrives; the blocked ones never do.
      const plain = await upload(jpg(photo(640, 480)), 'image/jpeg');
      assert.equal((await sendHttp(plain, 'img-plain')).statusCode, 200);
      await until(() => buyerGot.some((m) => m.kind === 'image' && m.body.url === plain), 'the plain photo');
      assert.deepEqual(
        buyerGot.filter((m) => m.kind === 'image').map((m) => (m.kind === 'image' ? m.body.url : '')),
        [plain],
        'only the plain photo reached the buyer',
      );
      const log = await blockedLog();
      assert.deepEqual(
        log.map((e) => [e.agentId, e.text, e.rules]).sort(),
        cases.map((c) => [A1, `[图片二维码] ${c.code}`, ['CMP-3']]).sort(),
      );
    });

    it('a plain photo, a product barcode and a QR code of the shop’s own domain are sent', async () => {
      const images: [Buffer, 'image/png' | 'image/jpeg'][] = [
        [jpg(photo(800, 600, 3)), 'image/jpeg'],
        [await ean13Png('6901234567892'), 'image/png'],
        [photoWithQr('https://xiaoer.dev/item/42', 'jpeg'), 'image/jpeg'],
      ];
      for (const [i, [image, type]] of images.entries()) {
        const url = await upload(image, type);
        const res = i % 2 === 0 ? await sendSocket(url, `ok-${i}`) : undefined;
        if (res) assert.equal(res.ok, true, JSON.stringify(res));
        else assert.equal((await sendHttp(url, `ok-${i}`)).statusCode, 200);
        await until(() => buyerGot.some((m) => m.kind === 'image' && m.body.url === url), `image ${i}`);
      }
    });

    it('an image that cannot be read is refused with 400 naming body.url', async () => {
      const good = png(qrPixels('hello'));
      const corrupt = Buffer.concat([good.subarray(0, 33), Buffer.from('garbage'.repeat(40))]);
      const url = await upload(corrupt, 'image/png');
      const res = await sendHttp(url, 'img-corrupt');
      assert.equal(res.statusCode, 400, res.body);
      const body = res.json() as { error: { code: string; field: string } };
      assert.deepEqual([body.error.code, body.error.field], ['validation_failed', 'body.url']);
      assert.ok(!(await storedImages()).includes(url));
    });

    it('a quick reply whose image holds a payment QR code is not saved; one with a product barcode is', async () => {
      const qr = await upload(png(qrPixels('wxp://f2f0QuickReply123')), 'image/png');
      const refused = await inject({
        method: 'POST',
        url: '/api/quick-replies',
        headers: { cookie: agentCookie },
        payload: { title: '付款', text: '亲，请看图', imageUrl: qr },
      });
      assert.equal(refused.statusCode, 422, refused.body);
      const err = (
        refused.json() as { error: { code: string; field: string; details: ComplianceErrorDetails } }
      ).error;
      assert.deepEqual([err.code, err.field], ['compliance_blocked', 'imageUrl']);
      assert.equal(err.details.findings[0]?.source, 'image_code');
      const list = await inject({
        method: 'GET',
        url: '/api/quick-replies',
        headers: { cookie: agentCookie },
      });
      assert.ok(!list.body.includes(qr), 'nothing saved');

      const barcode = await upload(await ean13Png('6901234567892'), 'image/png');
      const saved = await inject({
        method: 'POST',
        url: '/api/quick-replies',
        headers: { cookie: agentCookie },
        payload: { title: '条码', text: '亲，这是商品条码', imageUrl: barcode },
      });
      assert.equal(saved.statusCode, 201, saved.body);
      const id = (saved.json() as { quickReply: { id: string } }).quickReply.id;
      // An edit that swaps in a QR image is refused too, and the reply keeps its image.
      const edit = await inject({
        method: 'PATCH',
        url: `/api/quick-replies/${id}`,
        headers: { cookie: agentCookie },
        payload: { imageUrl: qr },
      });
      assert.equal(edit.statusCode, 422, edit.body);
      const after = await inject({
        method: 'GET',
        url: '/api/quick-replies',
        headers: { cookie: agentCookie },
      });
      const reply = (
        after.json() as { quickReplies: { id: string; imageUrl: string | null }[] }
      ).quickReplies.find((q) => q.id === id);
      assert.equal(reply?.imageUrl, barcode);
    });
  });
}
