/**
 * TEAM-4 service centres: one organisation, two shops (甲店 A and 乙店 B), and the accounts that
 * serve them — an agent of A only, an agent of both, an account that is an agent in A and
 * outsourced in B, an admin of A. Every workbench route and socket event is tried by each of them
 * on a conversation of A and one of B (the isolation matrix below): an account acts in a shop it
 * serves with its role there, and another shop's things are "not found" with nothing written.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { Agent, AgentId, Buyer, BuyerId, Conversation, ConversationId, ShopId } from '@xiaoer/core';
import type { LightMyRequestResponse } from 'fastify';
import { testDatabases } from '../support/databases';
import {
  AGENT_PASSWORD,
  loginCookie,
  startTestServer,
  WidgetBuyers,
  type TestServer,
} from '../support/server';
import { collect, connect, emit, until } from '../support/sockets';

type ActorName = 'agentA' | 'both' | 'outsourced' | 'adminA';
type ShopName = 'A' | 'B';
/** 200/403/404: the answer (a socket ack's error code counts as its HTTP status); listed/absent: whether the thing shows. */
type Outcome = 200 | 403 | 404 | 'listed' | 'absent';

const ROUTES = [
  'list',
  'get',
  'messages',
  'send',
  'read',
  'end',
  'transfer',
  'take-over',
  'buyer profile',
  'quick replies',
  'queue',
  'ws message:send',
  'ws messages:sync',
] as const;
type Route = (typeof ROUTES)[number];

/**
 * The isolation matrix: for each actor and shop, the outcome of each route (columns as in ROUTES)
 * on a conversation of that shop — held by the actor where they serve the shop (queued for
 * take-over and the queue), else by the shop's own agent. A queued conversation is taken over only
 * by an admin (issue #14: taking over needs what reading needs; agents pull the queue).
 */
// prettier-ignore
const MATRIX: [ActorName, ShopName, ...Outcome[]][] = [
  //                       list      get  msgs send read end  xfer take profile quick     queue     ws-send ws-sync
  ['agentA',     'A', 'listed', 200, 200, 200, 200, 200, 200, 403, 200, 'listed', 'listed', 200, 200],
  ['agentA',     'B', 'absent', 404, 404, 404, 404, 404, 404, 404, 404, 'absent', 'absent', 404, 404],
  ['both',       'A', 'listed', 200, 200, 200, 200, 200, 200, 403, 200, 'listed', 'listed', 200, 200],
  ['both',       'B', 'listed', 200, 200, 200, 200, 200, 200, 403, 200, 'listed', 'listed', 200, 200],
  ['outsourced', 'A', 'listed', 200, 200, 200, 200, 200, 200, 403, 200, 'listed', 'listed', 200, 200],
  ['outsourced', 'B', 'listed', 200, 200, 200, 200, 200, 200, 403, 200, 'listed', 'listed', 200, 200],
  ['adminA',     'A', 'listed', 200, 200, 200, 200, 200, 200, 200, 200, 'listed', 'listed', 200, 200],
  ['adminA',     'B', 'absent', 404, 404, 404, 404, 404, 404, 404, 404, 'absent', 'absent', 404, 404],
];

const PHONE = '13812345678';
const MASKED_PHONE = '138****5678';
const NO_LIMITS = {
  RATE_LIMIT_PER_MINUTE: '100000',
  LOGIN_ATTEMPTS_PER_MINUTE: '10000',
  WIDGET_SESSIONS_PER_MINUTE: '10000',
};

interface ConversationJson {
  id: string;
  shopId: string;
  buyerId: string;
  lastMessagePreview: string;
}
interface ErrorJson {
  error: { code: string; message: string; field?: string };
}

for (const engine of testDatabases) {
  describe(`TEAM-4 service centre isolation, ${engine.name}`, () => {
    let t: TestServer;
    const shops = {} as Record<ShopName, { id: ShopId; slug: string; owner: AgentId; staff: Agent }>;
    const actors = {} as Record<
      ActorName,
      { id: AgentId; cookie: string; socket: Socket; serves: ShopName[] }
    >;
    const replies = {} as Record<ShopName, string>;
    const buyers = new WidgetBuyers(() => t.server);

    const request = (
      method: 'GET' | 'POST',
      url: string,
      cookie: string,
      options: { payload?: object; shop?: ShopId } = {},
    ) =>
      t.server.app.inject({
        method,
        url,
        headers: { cookie, ...(options.shop ? { 'x-xiaoer-shop': options.shop } : {}) },
        ...(options.payload ? { payload: options.payload } : {}),
      });

    /** A buyer of the shop (with a phone number, CMP-7) who writes in; queued, since nobody takes routing. */
    const buyerWritesIn = async (shop: ShopName, text = `我的电话是 ${PHONE}`) => {
      const buyer: Buyer = {
        id: randomUUID() as BuyerId,
        shopId: shops[shop].id,
        externalId: null,
        visitorId: randomUUID(),
        nick: `${shop}买家${randomUUID().slice(0, 4)}`,
        phone: PHONE,
        createdAt: Date.now(),
        lastSeenAt: Date.now(),
      };
      await t.storage.buyers.insertBuyer(buyer);
      const sent = await t.server.ctx.chat.sendBuyerMessage(shops[shop].id, buyer.id, randomUUID(), {
        kind: 'text',
        body: { text },
      });
      return { buyer, conversation: sent.conversation };
    };

    /** The shop's owner gives a conversation to an agent of the shop (RT-10). */
    const assign = async (shop: ShopName, id: ConversationId, to: AgentId) =>
      t.server.ctx.routing.assignConversation(
        shops[shop].id,
        { type: 'agent', agentId: shops[shop].owner, isAdmin: true },
        id,
        to,
      );

    const snapshot = async (shop: ShopName, id: ConversationId) => {
      const c = (await t.storage.conversations.findConversation(shops[shop].id, id))!;
      return { status: c.status, agentId: c.agentId, lastSeq: c.lastSeq, agentReadSeq: c.agentReadSeq };
    };

    const outcomeOf = (res: LightMyRequestResponse): Outcome => {
      if (res.statusCode === 200) return 200;
      const code = (res.json() as ErrorJson).error?.code;
      if (res.statusCode === 404 && code === 'not_found') return 404;
      if (res.statusCode === 403 && (code === 'forbidden' || code === 'conversation_not_yours')) return 403;
      throw new Error(`unexpected ${res.statusCode} ${res.body}`);
    };
    const ackOutcome = (ack: { ok: boolean; error?: { code: string } }): Outcome => {
      if (ack.ok) return 200;
      if (ack.error?.code === 'not_found') return 404;
      if (ack.error?.code === 'forbidden') return 403;
      throw new Error(`unexpected ack ${JSON.stringify(ack)}`);
    };
    const listed = (res: LightMyRequestResponse, has: (body: unknown) => boolean): Outcome => {
      assert.equal(res.statusCode, 200, res.body);
      return has(res.json()) ? 'listed' : 'absent';
    };

    /** Runs one cell of the matrix on a fresh conversation; checks nothing was written when refused. */
    const runCell = async (actorName: ActorName, shop: ShopName, route: Route): Promise<Outcome> => {
      const actor = actors[actorName];
      const member = actor.serves.includes(shop);
      const queued = route === 'take-over' || route === 'queue';
      const { buyer, conversation } = await buyerWritesIn(shop);
      const id = conversation.id;
      if (!queued) await assign(shop, id, member ? actor.id : shops[shop].staff.id);
      const before = await snapshot(shop, id);
      const { cookie, socket } = actor;
      let outcome: Outcome;
      switch (route) {
        case 'list':
          outcome = listed(await request('GET', '/api/conversations?limit=200', cookie), (b) =>
            (b as { conversations: ConversationJson[] }).conversations.some((c) => c.id === id),
          );
          break;
        case 'get':
          outcome = outcomeOf(await request('GET', `/api/conversations/${id}`, cookie));
          break;
        case 'messages':
          outcome = outcomeOf(await request('GET', `/api/conversations/${id}/messages`, cookie));
          break;
        case 'send':
          outcome = outcomeOf(
            await request('POST', `/api/conversations/${id}/messages`, cookie, {
              payload: { clientId: randomUUID(), kind: 'text', body: { text: '您好，在的' } },
            }),
          );
          break;
        case 'read':
          outcome = outcomeOf(
            await request('POST', `/api/conversations/${id}/read`, cookie, {
              payload: { seq: before.lastSeq },
            }),
          );
          break;
        case 'end':
          outcome = outcomeOf(await request('POST', `/api/conversations/${id}/end`, cookie));
          break;
        case 'transfer':
          outcome = outcomeOf(
            await request('POST', `/api/conversations/${id}/transfer`, cookie, {
              // To the shop's own agent where they serve it; elsewhere, an attempt to grab it.
              payload: { toAgentId: member ? shops[shop].staff.id : actor.id },
            }),
          );
          break;
        case 'take-over':
          outcome = outcomeOf(await request('POST', `/api/conversations/${id}/take-over`, cookie));
          break;
        case 'buyer profile': {
          const res = await request('GET', `/api/buyers/${buyer.id}/profile`, cookie);
          outcome = outcomeOf(res);
          break;
        }
        case 'quick replies':
          // The workbench names the conversation's shop; a shop the account does not serve is ignored.
          outcome = listed(
            await request('GET', '/api/quick-replies?q=', cookie, { shop: shops[shop].id }),
            (b) => (b as { quickReplies: { id: string }[] }).quickReplies.some((q) => q.id === replies[shop]),
          );
          break;
        case 'queue':
          outcome = listed(await request('GET', '/api/queue', cookie, { shop: shops[shop].id }), (b) =>
            (b as { waiting: { conversationId: string }[] }).waiting.some((w) => w.conversationId === id),
          );
          break;
        case 'ws message:send':
          outcome = ackOutcome(
            await emit(socket, 'message:send', {
              conversationId: id,
              clientId: randomUUID(),
              kind: 'text',
              body: { text: '您好，请稍等' },
            }),
          );
          break;
        case 'ws messages:sync':
          outcome = ackOutcome(await emit(socket, 'messages:sync', { conversationId: id, afterSeq: 0 }));
          break;
      }
      if (outcome === 404 || outcome === 403 || outcome === 'absent')
        assert.deepEqual(await snapshot(shop, id), before, `${actorName} ${route} in ${shop} wrote nothing`);
      return outcome;
    };

    before(async () => {
      t = await startTestServer({ storage: await engine.open(), env: NO_LIMITS });
      const team = t.server.ctx.team;
      const created = await team.createShop({
        slug: 'centre-a',
        name: '甲店',
        ownerEmail: 'boss@centre.example',
        password: AGENT_PASSWORD,
        orgName: '小二外包客服中心',
      });
      const ownerId = created.owner.id;
      const owner = { type: 'agent' as const, agentId: ownerId, role: 'owner' as const, isOrgOwner: true };
      const shopB = await team.addShop(owner, { slug: 'centre-b', name: '乙店' });
      const ids = { A: created.shop.id, B: shopB.id } as Record<ShopName, ShopId>;
      // Nobody takes buyers by routing: each conversation stays queued until given to someone.
      const member = (
        shop: ShopName,
        email: string,
        role: 'agent' | 'admin' | 'outsourced',
        fresh: boolean,
      ) =>
        team.addAgent(owner, ids[shop], {
          email,
          ...(fresh ? { name: email.split('@')[0]!, password: AGENT_PASSWORD } : {}),
          role,
          maxConcurrent: 200,
          takesRouting: false,
        });
      const staffA = await member('A', 'staff-a@centre.example', 'agent', true);
      const staffB = await member('B', 'staff-b@centre.example', 'agent', true);
      shops.A = { id: ids.A, slug: 'centre-a', owner: ownerId, staff: staffA };
      shops.B = { id: ids.B, slug: 'centre-b', owner: ownerId, staff: staffB };
      const agentA = await member('A', 'a-only@centre.example', 'agent', true);
      const both = await member('A', 'both@centre.example', 'agent', true);
      await member('B', 'both@centre.example', 'agent', false);
      const outsourced = await member('A', 'outsourced@centre.example', 'agent', true);
      await member('B', 'outsourced@centre.example', 'outsourced', false);
      const adminA = await member('A', 'admin-a@centre.example', 'admin', true);
      const serving: Record<ActorName, [Agent, ShopName[]]> = {
        agentA: [agentA, ['A']],
        both: [both, ['A', 'B']],
        outsourced: [outsourced, ['A', 'B']],
        adminA: [adminA, ['A']],
      };
      // RT-8: everyone is at their desk (transfer and assignment targets must not be offline).
      for (const [agent, serves] of Object.values(serving))
        for (const shop of serves) await t.server.ctx.chat.setAgentStatus(ids[shop], agent.id, 'online');
      for (const shop of ['A', 'B'] as const)
        await t.server.ctx.chat.setAgentStatus(ids[shop], shops[shop].staff.id, 'online');
      for (const [name, [agent, serves]] of Object.entries(serving) as [ActorName, [Agent, ShopName[]]][]) {
        const cookie = await loginCookie(t.server, agent.email, AGENT_PASSWORD);
        actors[name] = { id: agent.id, cookie, socket: await connect(t.url, '/agent', { cookie }), serves };
      }
      for (const shop of ['A', 'B'] as const) {
        replies[shop] = `qr-${shop}-${randomUUID().slice(0, 8)}`;
        await t.storage.quickReplies.insertQuickReply({
          id: replies[shop] as never,
          shopId: ids[shop],
          ownerId: null,
          title: `${shop}店回复`,
          text: `${shop}店的快捷回复`,
          imageUrl: null,
          createdAt: Date.now(),
        });
      }
    });
    after(async () => {
      for (const a of Object.values(actors)) a.socket.close();
      await t.close();
    });

    for (const [actor, shop, ...expected] of MATRIX) {
      it(`TEAM-4 isolation matrix: ${actor} on a conversation of shop ${shop}`, async () => {
        const got: Record<string, Outcome> = {};
        for (const route of ROUTES) got[route] = await runCell(actor, shop, route);
        assert.deepEqual(got, Object.fromEntries(ROUTES.map((r, i) => [r, expected[i]])));
      });
    }

    it('TEAM-4 the list carries each conversation’s shop, filters by a shop served, and names `shop` for another', async () => {
      const a = await buyerWritesIn('A');
      const b = await buyerWritesIn('B');
      await assign('A', a.conversation.id, actors.both.id);
      await assign('B', b.conversation.id, actors.both.id);
      const { cookie } = actors.both;
      const list = async (query: string) =>
        (
          (await request('GET', `/api/conversations?limit=200${query}`, cookie)).json() as {
            conversations: ConversationJson[];
          }
        ).conversations;
      const all = await list('');
      assert.equal(all.find((c) => c.id === a.conversation.id)?.shopId, shops.A.id);
      assert.equal(all.find((c) => c.id === b.conversation.id)?.shopId, shops.B.id);
      assert.ok(all.every((c) => c.shopId === shops.A.id || c.shopId === shops.B.id));
      const onlyB = await list(`&shop=${shops.B.id}`);
      assert.ok(onlyB.some((c) => c.id === b.conversation.id));
      assert.ok(onlyB.every((c) => c.shopId === shops.B.id));
      for (const [who, shop] of [
        ['agentA', shops.B.id],
        ['both', 'shop-demo'],
        ['both', 'no-such-shop'],
      ] as const) {
        const res = await request('GET', `/api/conversations?shop=${shop}`, actors[who].cookie);
        assert.equal(res.statusCode, 404, res.body);
        assert.equal((res.json() as ErrorJson).error.field, 'shop');
      }
      // An admin of A sees all of A's, never B's.
      const admin = (
        (await request('GET', '/api/conversations?limit=200', actors.adminA.cookie)).json() as {
          conversations: ConversationJson[];
        }
      ).conversations;
      assert.ok(admin.some((c) => c.id === a.conversation.id));
      assert.ok(admin.every((c) => c.shopId === shops.A.id));
    });

    it('TEAM-4 a download link acts in the shop its `shop=` names (links carry no header), only a shop served', async () => {
      const boss = await loginCookie(t.server, 'boss@centre.example', AGENT_PASSWORD);
      const question = `乙店专属问题-${randomUUID().slice(0, 8)}`;
      const created = await request('POST', '/api/admin/faq', boss, {
        shop: shops.B.id,
        payload: { question, answer: '乙店的回答', similar: [], enabled: true },
      });
      assert.equal(created.statusCode, 201, created.body);
      const exported = async (cookie: string, query: string) =>
        (await request('GET', `/api/admin/faq/export?format=csv${query}`, cookie)).body;
      assert.ok((await exported(boss, `&shop=${shops.B.id}`)).includes(question), 'B with shop=B');
      assert.ok(!(await exported(boss, '')).includes(question), 'the session shop (A) without it');
      // An admin of A only, naming B: acts in their own shop A, B's entry never shows.
      assert.ok(!(await exported(actors.adminA.cookie, `&shop=${shops.B.id}`)).includes(question));
      // A write cannot pick its shop by the query: it needs the header.
      const viaQuery = await request('POST', `/api/admin/faq?shop=${shops.B.id}`, boss, {
        payload: { question: `${question}-2`, answer: '答', similar: [], enabled: true },
      });
      assert.equal(viaQuery.statusCode, 201, viaQuery.body);
      assert.ok(!(await exported(boss, `&shop=${shops.B.id}`)).includes(`${question}-2`));
    });

    it('CMP-7 the outsourced account sees phone numbers masked only in the shop where it is outsourced', async () => {
      const { cookie } = actors.outsourced;
      for (const [shop, phone] of [
        ['A', PHONE],
        ['B', MASKED_PHONE],
      ] as const) {
        const { buyer, conversation } = await buyerWritesIn(shop);
        await assign(shop, conversation.id, actors.outsourced.id);
        const profile = (await request('GET', `/api/buyers/${buyer.id}/profile`, cookie)).json() as {
          buyer: { phone: string };
        };
        assert.equal(profile.buyer.phone, phone, `profile in ${shop}`);
        const messages = (
          (await request('GET', `/api/conversations/${conversation.id}/messages`, cookie)).json() as {
            messages: { sender: string; body: { text?: string } }[];
          }
        ).messages.filter((m) => m.sender === 'buyer');
        assert.ok(
          messages[0]?.body.text?.includes(phone),
          `messages in ${shop}: ${JSON.stringify(messages)}`,
        );
        const got = (
          (await request('GET', `/api/conversations/${conversation.id}`, cookie)).json() as {
            conversation: ConversationJson;
          }
        ).conversation;
        if (shop === 'B') assert.ok(!got.lastMessagePreview.includes(PHONE), 'preview masked in B');
        const listedOne = (
          (await request('GET', '/api/conversations?limit=200', cookie)).json() as {
            conversations: ConversationJson[];
          }
        ).conversations.find((c) => c.id === conversation.id);
        assert.ok(listedOne, `listed in ${shop}`);
        if (shop === 'B')
          assert.ok(!listedOne.lastMessagePreview.includes(PHONE), 'list preview masked in B');
        const synced = await emit<{ messages: { sender: string; body: { text?: string } }[] }>(
          actors.outsourced.socket,
          'messages:sync',
          { conversationId: conversation.id, afterSeq: 0 },
        );
        assert.ok(synced.ok);
        assert.ok(
          synced.data.messages.find((m) => m.sender === 'buyer')?.body.text?.includes(phone),
          `socket sync in ${shop}`,
        );
      }
      // The agent of both shops is no outsourced agent anywhere: in full in B too.
      const { buyer, conversation } = await buyerWritesIn('B');
      await assign('B', conversation.id, actors.both.id); // issue #14: a profile is for the buyer's agents
      const full = (await request('GET', `/api/buyers/${buyer.id}/profile`, actors.both.cookie)).json() as {
        buyer: { phone: string };
      };
      assert.equal(full.buyer.phone, PHONE);
    });

    it('CMP-7 the outsourced agent who loses a conversation, and their transfer and read answers, see the preview masked', async () => {
      const { cookie, socket } = actors.outsourced;
      const removed: ConversationJson[] = [];
      socket.on('conversation:updated', (e: { conversation: ConversationJson; removed?: boolean }) => {
        if (e.removed) removed.push(e.conversation);
      });
      const removedPush = async (id: string) => {
        await until(() => removed.some((c) => c.id === id), `the removed push for ${id}`);
        return removed.find((c) => c.id === id)!.lastMessagePreview;
      };
      // A transfer to a group leaves it queued, its preview still the buyer's words (a transfer to
      // an agent shows the transfer line instead).
      const group = 'cmp7-leak';
      for (const shop of ['A', 'B'] as const) {
        const settings = await t.storage.shops.findRoutingSettings(shops[shop].id);
        await t.storage.shops.saveRoutingSettings(shops[shop].id, {
          ...settings,
          groups: [
            ...settings.groups,
            { id: group, name: '转接组', statuses: [], agentIds: [shops[shop].staff.id] },
          ],
        });
      }
      // Held by the outsourced account, the buyer's phone number the last words (after the assignment line).
      const heldWithPhone = async (shop: ShopName) => {
        const { buyer, conversation } = await buyerWritesIn(shop);
        await assign(shop, conversation.id, actors.outsourced.id);
        const again = await t.server.ctx.chat.sendBuyerMessage(shops[shop].id, buyer.id, randomUUID(), {
          kind: 'text',
          body: { text: `打这个 ${PHONE}` },
        });
        return again.conversation;
      };
      // In A the account is an ordinary agent (phones in full); in B it is outsourced (masked).
      for (const [shop, phone] of [
        ['A', PHONE],
        ['B', MASKED_PHONE],
      ] as const) {
        // An admin moves it away: the push to the agent who lost it.
        const taken = await heldWithPhone(shop);
        await t.server.ctx.routing.transferConversation(
          shops[shop].id,
          { type: 'agent', agentId: shops[shop].owner, isAdmin: true },
          taken.id,
          { groupId: group },
        );
        const pushed = await removedPush(taken.id);
        assert.ok(pushed.includes(phone), `removed push in ${shop}: ${pushed}`);
        // The agent marks one read and transfers it themselves: the answers.
        const moved = await heldWithPhone(shop);
        const read = await request('POST', `/api/conversations/${moved.id}/read`, cookie, {
          payload: { seq: moved.lastSeq },
        });
        assert.equal(read.statusCode, 200, read.body);
        const readPreview = (read.json() as { conversation: ConversationJson }).conversation
          .lastMessagePreview;
        assert.ok(readPreview.includes(phone), `read answer in ${shop}: ${readPreview}`);
        const transfer = await request('POST', `/api/conversations/${moved.id}/transfer`, cookie, {
          payload: { toGroupId: group },
        });
        assert.equal(transfer.statusCode, 200, transfer.body);
        const answered = (transfer.json() as { conversation: ConversationJson }).conversation;
        assert.ok(
          answered.lastMessagePreview.includes(phone),
          `transfer answer in ${shop}: ${answered.lastMessagePreview}`,
        );
        const movedPush = await removedPush(moved.id);
        assert.ok(movedPush.includes(phone), `transfer push in ${shop}: ${movedPush}`);
      }
    });

    it('TEAM-4 the agent of both shops gets both shops’ buyers live and answers each in its own shop', async () => {
      const { socket } = actors.both;
      const pushed = collect(socket);
      const fromA = await buyers.says('centre-buyer-a', '甲店的问题', shops.A.slug);
      const fromB = await buyers.says('centre-buyer-b', '乙店的问题', shops.B.slug);
      assert.equal(fromA.shopId, shops.A.id);
      assert.equal(fromB.shopId, shops.B.id);
      await assign('A', fromA.id, actors.both.id);
      await assign('B', fromB.id, actors.both.id);
      await buyers.says('centre-buyer-a', '还在吗', shops.A.slug);
      await buyers.says('centre-buyer-b', '还在吗', shops.B.slug);
      await until(
        () =>
          pushed.some((m) => m.conversationId === fromA.id && m.sender === 'buyer') &&
          pushed.some((m) => m.conversationId === fromB.id && m.sender === 'buyer'),
        'buyer messages of both shops on one socket',
      );
      for (const [c, text] of [
        [fromA, '甲店为您服务'],
        [fromB, '乙店为您服务'],
      ] as [Conversation, string][]) {
        const ack = await emit<{ message: { shopId?: string; conversationId: string } }>(
          socket,
          'message:send',
          {
            conversationId: c.id,
            clientId: randomUUID(),
            kind: 'text',
            body: { text },
          },
        );
        assert.ok(ack.ok, JSON.stringify(ack));
        const stored = await t.storage.conversations.findConversation(c.shopId, c.id);
        assert.equal(stored?.agentId, actors.both.id);
      }
      for (const [name, slug, text] of [
        ['centre-buyer-a', shops.A.slug, '甲店为您服务'],
        ['centre-buyer-b', shops.B.slug, '乙店为您服务'],
      ] as const) {
        const res = await t.server.app.inject({
          method: 'GET',
          url: '/api/widget/messages',
          headers: { authorization: `Bearer ${await buyers.token(name, slug)}` },
        });
        const got = (res.json() as { messages: { sender: string; body: { text?: string } }[] }).messages;
        assert.ok(
          got.some((m) => m.sender === 'agent' && m.body.text === text),
          `${name} hears their own shop's answer`,
        );
        assert.ok(
          !got.some((m) => m.body.text === (text === '甲店为您服务' ? '乙店为您服务' : '甲店为您服务')),
        );
      }
    });
  });
}
