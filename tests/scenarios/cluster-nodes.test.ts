import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import type { Message } from '@xiaoer/core';
import { freshPostgresUrl } from '../support/databases';
import { startNode, startRedis, type NodeProcess, type RedisProcess } from '../support/cluster';
import { startNginx, type Nginx } from '../support/nginx';
import { AGENT_PASSWORD } from '../support/server';
import { DEADLINE_MS, sleep, waitFor as waitUntil } from '../support/wait';

/**
 * Issue #7: real node processes on one PostgreSQL and one Redis, behind nginx with the shipped
 * config — a node killed mid-conversation, a timer whose node died, Redis restarted mid-run.
 * Issue #20: every wait is for an event (a status in the database, a beat or its reaping in
 * Redis, a message at the client) with a deadline of minutes, never a wall-clock window: the
 * file passes on a loaded machine (`npm test -- --stress cluster`).
 */

const SHOP = 'shop-demo';
const SECRET = 'nodes-secret-nodes-secret-nodes-secret!!';
const EXPIRY_S = 2;

/** A cluster for one test: nodes, nginx and Redis, all stopped after. */
class Cluster {
  nodes: NodeProcess[] = [];
  nginx?: Nginx;
  redis!: RedisProcess;
  url = '';
  /** A node with the web role. */
  web!: NodeProcess;
  private readonly sockets: Socket[] = [];
  private db?: pg.Pool;

  async start(
    specs: (string | { name: string; role: string })[],
    upstreams: { web?: string[]; ws?: string[] } = {},
  ): Promise<this> {
    this.redis = await startRedis();
    this.url = await freshPostgresUrl();
    this.db = new pg.Pool({ connectionString: this.url, max: 2 });
    const env = {
      DATABASE_URL: this.url,
      REDIS_URL: this.redis.url,
      SECRET,
      PRESENCE_EXPIRY_SECONDS: String(EXPIRY_S),
      TIMER_POLL_MS: '200',
      RATE_LIMIT_PER_MINUTE: '100000',
      WIDGET_SESSIONS_PER_MINUTE: '100000',
      BUYER_MESSAGES_PER_10S: '1000',
      LOGIN_ATTEMPTS_PER_MINUTE: '1000',
      // As deploy/nginx/xiaoer.conf says: the nodes trust the nginx in front of them (issue #14).
      TRUST_PROXY: 'loopback',
    };
    // The first node seeds the demo shop; the others start on it (one at a time, so none seeds it
    // again), in demo mode too: their clients log in as the demo's accounts (issue #13).
    for (const [i, spec] of specs.entries()) {
      const { name, role } = typeof spec === 'string' ? { name: spec, role: undefined } : spec;
      this.nodes.push(await startNode(name, { ...env, DEMO: 'true' }, role ? { role } : {}));
      if (i > 0) continue;
      // The demo shop's bot is off here: buyers go straight to agents. Switched off through the
      // first node before any other starts, so every other node reads it off from the database
      // (no waiting for them to hear of it).
      assert.ok(!role || role.split(',').includes('web'), 'the first node serves the HTTP API');
      const base = this.nodes[0]!.url;
      const owner = await login(base, 'owner@demo.xiaoer.dev');
      const bot = await http<{ settings: Record<string, unknown> }>(
        base,
        'GET',
        '/api/admin/bot',
        undefined,
        {
          cookie: owner,
        },
      );
      const off = await http(
        base,
        'PUT',
        '/api/admin/bot',
        { ...bot.json.settings, enabled: false },
        { cookie: owner },
      );
      assert.equal(off.status, 200, JSON.stringify(off.json));
    }
    const pick = (names: string[] | undefined) => names?.map((n) => this.node(n).address);
    const web = pick(upstreams.web) ?? this.nodes.map((n) => n.address);
    this.nginx = await startNginx({ web, ws: pick(upstreams.ws) ?? web });
    this.web = this.nodes.find((n) => web.includes(n.address))!;
    return this;
  }

  node(name: string): NodeProcess {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  async query<T>(text: string, values: unknown[] = []): Promise<T[]> {
    return (await this.db!.query(text, values)).rows as T[];
  }

  async status(agentId: string): Promise<string> {
    const [row] = await this.query<{ status: string }>(
      "select status from memberships where agent_id = $1 and shop_id = 'shop-demo'",
      [agentId],
    );
    return row!.status;
  }

  track(socket: Socket): Socket {
    this.sockets.push(socket);
    return socket;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.close();
    await Promise.all(this.nodes.map((n) => n.kill('SIGKILL')));
    await this.nginx?.stop();
    await this.db?.end();
    await this.redis?.stop();
  }
}

async function http<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: T; setCookie: string | null }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: (text ? JSON.parse(text) : {}) as T,
    setCookie: res.headers.get('set-cookie'),
  };
}

async function login(base: string, email: string): Promise<string> {
  // The demo's accounts have the demo password; accounts a test makes, a strong one.
  const password =
    email.endsWith('@demo.xiaoer.dev') && /^(agent\d|owner)@/.test(email) ? 'password123' : AGENT_PASSWORD;
  const r = await http(base, 'POST', '/api/auth/login', { email, password });
  assert.equal(r.status, 200, `login ${email}`);
  return /xiaoer_sid=[^;]+/.exec(r.setCookie ?? '')![0];
}

/** An agent sets their own status (RT-8). */
async function setStatus(
  base: string,
  email: string,
  status: 'online' | 'hung_up' | 'offline',
): Promise<string> {
  const cookie = await login(base, email);
  const r = await http(base, 'PUT', '/api/me/status', { status }, { cookie });
  assert.equal(r.status, 200, `${email} ${status}`);
  // RT-8: a chosen status applies while a workbench is open; these agents are at their desks
  // without one (presence across nodes has its own tests below and in cluster-presence).
  if (status !== 'offline')
    await latest!.query(
      'update memberships set status = $1 where agent_id = (select id from accounts where email = $2)',
      [status, email],
    );
  return cookie;
}

/** The cluster the running test started (setStatus arranges its agents there). */
let latest: Cluster | undefined;

/** Agent 1 online, agents 2 and 3 offline: every buyer goes to agent 1. Returns agent 1's cookie. */
async function agent1Alone(base: string): Promise<string> {
  for (const email of ['agent2@demo.xiaoer.dev', 'agent3@demo.xiaoer.dev'])
    await setStatus(base, email, 'offline');
  return setStatus(base, 'agent1@demo.xiaoer.dev', 'online');
}

async function widgetToken(base: string): Promise<string> {
  const r = await http<{ token: string }>(base, 'POST', '/api/widget/session', { shop: 'demo' });
  assert.equal(r.status, 200);
  return r.json.token;
}

/** A buyer sends through the widget's HTTP route, retrying with the same client id (as the widget's outbox). */
async function buyerSays(
  base: string,
  token: string,
  clientId: string,
  text: string,
): Promise<{ conversation: { id: string; status: string; agentId: string | null } }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await http<{ conversation: { id: string; status: string; agentId: string | null } }>(
        base,
        'POST',
        '/api/widget/messages',
        { clientId, kind: 'text', body: { text } },
        { authorization: `Bearer ${token}` },
      );
      if (r.status === 200) return r.json;
      if (attempt >= 10) throw new Error(`send ${clientId}: ${r.status} ${JSON.stringify(r.json)}`);
    } catch (error) {
      if (attempt >= 10) throw error;
    }
    await sleep(200);
  }
}

/**
 * An agent client as the workbench is: WebSocket through the balancer, reconnecting on its own,
 * and after every (re)connect syncing each conversation after the last seq it holds.
 */
function workbench(base: string, cookie: string, conversationId: string) {
  const live: Message[] = [];
  const bySeq = new Map<number, Message>();
  let connects = 0;
  const socket = io(`${base}/agent`, {
    transports: ['websocket'],
    forceNew: true,
    extraHeaders: { cookie },
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
  });
  socket.on('message:new', ({ message }: { message: Message }) => {
    if (message.conversationId !== conversationId) return;
    live.push(message);
    bySeq.set(message.seq, message);
  });
  socket.on('connect', () => {
    connects++;
    const afterSeq = Math.max(0, ...bySeq.keys());
    socket
      .timeout(DEADLINE_MS)
      .emitWithAck('messages:sync', { conversationId, afterSeq })
      .then((res: { ok: boolean; data?: { messages: Message[] } }) => {
        for (const m of res.data?.messages ?? []) bySeq.set(m.seq, m);
      })
      .catch(() => undefined);
  });
  return {
    socket,
    live,
    bySeq,
    connects: () => connects,
  };
}

/** Which nodes hold an agent's presence beats (the Redis sorted set presence keeps). */
async function nodesOf(redisUrl: string, agentId: string): Promise<string[]> {
  const r = new Redis(redisUrl);
  try {
    return await r.zrangebyscore(`xiaoer:presence:${SHOP}|${agentId}`, Date.now() - EXPIRY_S * 1000, '+inf');
  } finally {
    r.disconnect();
  }
}

/**
 * Whether a node's last beat for an agent still waits for a reaper (`xiaoer:presence` keeps it
 * until a worker node has judged it: past the expiry, the agent goes offline unless they beat
 * on another node).
 */
async function unreaped(redisUrl: string, agentId: string, node: string): Promise<boolean> {
  const r = new Redis(redisUrl);
  try {
    return (await r.zscore('xiaoer:presence', `${SHOP}|${agentId}|${node}`)) !== null;
  } finally {
    r.disconnect();
  }
}

/**
 * Returns once a whole reaper pass has run after the call (with one worker node running): a stale
 * beat of nobody's, planted with the oldest score, is taken by the next pass, and a node runs one
 * pass at a time — so a pass that was judging someone has finished, its writes done.
 */
async function reaperPass(redisUrl: string): Promise<void> {
  const r = new Redis(redisUrl);
  try {
    const marker = `shop-none|reaper-pass-${Date.now()}|node-none`;
    await r.zadd('xiaoer:presence', 0, marker);
    await waitFor('a reaper pass', async () => (await r.zscore('xiaoer:presence', marker)) === null);
  } finally {
    r.disconnect();
  }
}

/** Polls `probe` every 100 ms until it gives something; the deadline is a hang guard of minutes. */
function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>): Promise<T> {
  return waitUntil(what, probe, { every: 100 });
}

describe('cluster: node processes behind nginx', () => {
  const clusters: Cluster[] = [];
  after(async () => {
    await Promise.all(clusters.map((c) => c.stop()));
  });
  /** A cluster for one test (the previous test's is stopped first: fewer processes on a busy machine). */
  const open = async (...args: Parameters<Cluster['start']>) => {
    await Promise.all(clusters.splice(0).map((c) => c.stop()));
    const c = new Cluster();
    clusters.push(c);
    latest = c;
    return c.start(...args);
  };

  it('SIGKILL the node an agent is on mid-conversation: they reconnect through nginx to the other and get every message once; presence stays right', async () => {
    const c = await open(['node-a', 'node-b']);
    const base = c.nginx!.url;
    const agent1 = await agent1Alone(base);
    const token = await widgetToken(base);
    const first = await buyerSays(base, token, 'm-0', '在吗？我想问下发货');
    assert.equal(first.conversation.agentId, 'agent-demo-1');
    const conversationId = first.conversation.id;

    const wb = workbench(base, agent1, conversationId);
    c.track(wb.socket);
    await waitFor('the agent connected', async () => wb.connects() === 1);
    // The node the agent landed on (nginx chose) is the one to kill.
    const [victimName] = await waitFor('presence beats', async () => {
      const nodes = await nodesOf(c.redis.url, 'agent-demo-1');
      return nodes.length === 1 ? nodes : undefined;
    });
    const victim = c.node(victimName!);
    const survivor = c.nodes.find((n) => n !== victim)!;
    // A second agent only on the victim, connected straight to it, who will not come back.
    const agent2 = await login(survivor.url, 'agent2@demo.xiaoer.dev');
    const lone = c.track(
      io(`${victim.url}/agent`, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        extraHeaders: { cookie: agent2 },
      }),
    );
    await waitFor('agent 2 present on the victim', async () =>
      (await nodesOf(c.redis.url, 'agent-demo-2')).includes(victim.name),
    );
    assert.equal(
      (await http(survivor.url, 'PUT', '/api/me/status', { status: 'online' }, { cookie: agent2 })).status,
      200,
    );
    void lone;

    const texts: string[] = [];
    for (let i = 1; i <= 40; i++) {
      const text = `第${i}条：我的快递到哪了`;
      texts.push(text);
      await buyerSays(base, token, `m-${i}`, text);
      if (i === 10) await victim.kill('SIGKILL');
      await sleep(40);
    }
    // Every buyer message, in order, once — live or by the sync after the reconnect.
    await waitFor('every message at the agent', async () =>
      texts.every((t) => [...wb.bySeq.values()].some((m) => m.kind === 'text' && m.body.text === t)),
    );
    assert.ok(wb.connects() >= 2, 'the client reconnected');
    const received = [...wb.bySeq.values()].filter((m) => m.sender === 'buyer' && m.kind === 'text');
    assert.equal(received.length, 41, 'each buyer message once');
    const liveIds = wb.live.map((m) => m.id);
    assert.equal(new Set(liveIds).size, liveIds.length, 'no message pushed twice');

    // Presence: the one who did not reconnect goes offline once a worker finds their last beat (on
    // the dead node) past the expiry; the one who reconnected stays online — the dead node's last
    // beat for them is judged too (reaped), and they beat on the survivor.
    await waitFor('agent 2 offline', async () => (await c.status('agent-demo-2')) === 'offline');
    await waitFor(
      "the dead node's last beat for agent 1 reaped",
      async () => !(await unreaped(c.redis.url, 'agent-demo-1', victim.name)),
    );
    await reaperPass(c.redis.url);
    assert.equal(await c.status('agent-demo-1'), 'online');
    // (the dead node's last beat has expired by now)
    assert.deepEqual(
      await nodesOf(c.redis.url, 'agent-demo-1'),
      [survivor.name],
      'present through the survivor',
    );
    // The survivor keeps serving: a reply goes out through nginx.
    const reply = await http(
      base,
      'POST',
      `/api/conversations/${conversationId}/messages`,
      {
        clientId: 'r-1',
        kind: 'text',
        body: { text: '亲，已经在路上了' },
      },
      { cookie: agent1 },
    );
    assert.equal(reply.status, 200, JSON.stringify(reply.json));
  });

  it('RT-9 a linger release set on node A fires once, on node B, when A was killed before it was due', async () => {
    const c = await open(['node-a', 'node-b']);
    const a = c.node('node-a');
    const owner = await login(a.url, 'owner@demo.xiaoer.dev');
    const routing = await http(
      a.url,
      'PUT',
      '/api/admin/routing',
      {
        mode: 'basic',
        groups: [],
        offlineRouting: [],
        lingerMinutes: 1,
        returningBuyerHours: 72,
        newCustomerPriority: false,
      },
      { cookie: owner },
    );
    assert.equal(routing.status, 200, JSON.stringify(routing.json));
    for (const email of ['agent2@demo.xiaoer.dev', 'agent3@demo.xiaoer.dev'])
      await setStatus(a.url, email, 'offline');
    const cap = await http(
      a.url,
      'PATCH',
      '/api/admin/agents/agent-demo-1',
      { maxConcurrent: 1 },
      { cookie: owner },
    );
    assert.equal(cap.status, 200, JSON.stringify(cap.json));
    const agent = await setStatus(a.url, 'agent1@demo.xiaoer.dev', 'online');
    const one = await buyerSays(a.url, await widgetToken(a.url), 'x', '第一位');
    const two = await buyerSays(a.url, await widgetToken(a.url), 'y', '第二位');
    assert.deepEqual([one.conversation.status, two.conversation.status], ['assigned', 'queued']);
    const ended = await http(
      a.url,
      'POST',
      `/api/conversations/${one.conversation.id}/end`,
      {},
      { cookie: agent },
    );
    assert.equal(ended.status, 200, JSON.stringify(ended.json));
    const [timer] = await c.query<{ id: string; due_at: string; fired_at: string | null }>(
      `select id, due_at, fired_at from timers where kind = 'routing.release'`,
    );
    assert.ok(timer && timer.fired_at === null, 'the release is a timer in the database');
    const due = Number(timer.due_at);
    await a.kill('SIGKILL');
    assert.ok(Date.now() < due, 'node A died before it was due');
    // Node B fires it once it is due (polling every 200 ms): the queued buyer gets the slot.
    const assignedAt = await waitFor('the queued buyer assigned', async () => {
      const [row] = await c.query<{ status: string; agent_id: string }>(
        'select status, agent_id from conversations where id = $1',
        [two.conversation.id],
      );
      return row?.status === 'assigned' ? Date.now() : undefined;
    });
    assert.ok(assignedAt >= due, 'not before it was due');
    // (node B's minute sweep may release the slot a moment before the timer's own turn comes)
    const fired = await waitFor('the release timer fired', async () => {
      const [row] = await c.query<{ fired_by: string; attempts: number; fired_at: string | null }>(
        'select fired_by, attempts, fired_at from timers where id = $1',
        [timer.id],
      );
      return row?.fired_at ? row : undefined;
    });
    assert.deepEqual([fired?.fired_by, fired?.attempts], ['node-b', 1]);
    const [conv] = await c.query<{ assign_reason: string }>(
      'select assign_reason from conversations where id = $1',
      [two.conversation.id],
    );
    assert.equal(conv?.assign_reason, 'queue');
  });

  it('Redis restarted mid-run: no message lost (they are in PostgreSQL) and real-time resumes', async () => {
    const c = await open(['node-a', 'node-b']);
    const [a, b] = c.nodes as [NodeProcess, NodeProcess];
    const agent = await agent1Alone(a.url);
    const token = await widgetToken(a.url);
    const first = await buyerSays(a.url, token, 'r-0', '你好');
    const conversationId = first.conversation.id;
    // The buyer writes to node A, the agent listens on node B.
    const wb = workbench(b.url, agent, conversationId);
    c.track(wb.socket);
    await waitFor('agent connected', async () => wb.connects() === 1);
    await buyerSays(a.url, token, 'r-1', '第1条');
    await waitFor('live before the restart', async () => wb.live.some((m) => m.clientId === 'r-1'));

    const texts: string[] = [];
    for (let i = 2; i <= 30; i++) {
      if (i === 8) await c.redis.kill();
      if (i === 20) await c.redis.start();
      texts.push(`第${i}条`);
      await buyerSays(a.url, token, `r-${i}`, `第${i}条`); // every one answered 200: stored
      await sleep(50);
    }
    const [{ n }] = (await c.query<{ n: string }>(
      `select count(*) as n from messages where conversation_id = $1 and sender = 'buyer'`,
      [conversationId],
    )) as [{ n: string }];
    assert.equal(Number(n), 31, 'every message stored');
    // Real-time resumes: a message sent now on A arrives live on B.
    await waitFor(
      'node A ready again (Redis back)',
      async () => (await fetch(`${a.url}/ready`)).status === 200,
    );
    const liveAgain = await waitFor('a live push after the restart', async () => {
      const id = `after-${Date.now()}`;
      await buyerSays(a.url, token, id, '恢复了吗');
      await sleep(300);
      return wb.live.some((m) => m.clientId === id) ? id : undefined;
    });
    assert.ok(liveAgain);
    // And the workbench's sync on any reconnect, or a page reload, has everything, once.
    const sync = await http<{ messages: Message[] }>(
      b.url,
      'GET',
      `/api/conversations/${conversationId}/messages?after=0`,
      undefined,
      { cookie: agent },
    );
    const got = sync.json.messages
      .filter((m) => m.kind === 'text')
      .map((m) => (m.kind === 'text' ? m.body.text : ''));
    for (const t of texts) assert.equal(got.filter((x) => x === t).length, 1, t);
    const liveIds = wb.live.map((m) => m.id);
    assert.equal(new Set(liveIds).size, liveIds.length, 'no message pushed twice');
    // With Redis gone again, /ready says so and a node still shuts down cleanly, without waiting on it.
    await c.redis.kill();
    await waitFor('/ready names Redis', async () => {
      const r = await http<{ redis: string }>(a.url, 'GET', '/ready');
      return r.status === 503 && r.json.redis === 'down';
    });
    // It exits by itself, with 0: a node that waited on Redis for ever would be killed at the hang
    // guard (no exit code).
    assert.equal(await b.kill('SIGTERM'), 0, b.output());
  });

  it('SIGTERM drains a node: its sockets move to the other node at once, the agent never goes offline, nothing is lost', async () => {
    const c = await open(['node-a', 'node-b']);
    const base = c.nginx!.url;
    const agent1 = await agent1Alone(base);
    const token = await widgetToken(base);
    const conversationId = (await buyerSays(base, token, 'd-0', '在吗')).conversation.id;
    const wb = workbench(base, agent1, conversationId);
    c.track(wb.socket);
    await waitFor('the agent connected', async () => wb.connects() === 1);
    const [leavingName] = await waitFor('presence beats', async () => {
      const nodes = await nodesOf(c.redis.url, 'agent-demo-1');
      return nodes.length === 1 ? nodes : undefined;
    });
    const leaving = c.node(leavingName!);
    const moves: string[] = [];
    wb.socket.on('disconnect', () => moves.push('dropped'));
    wb.socket.on('connect', () => moves.push('back'));
    const statuses = new Set<string>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        statuses.add(await c.status('agent-demo-1'));
        await sleep(100);
      }
    })();

    const exit = leaving.kill('SIGTERM');
    const texts: string[] = [];
    for (let i = 1; i <= 20; i++) {
      texts.push(`排空中第${i}条`);
      await buyerSays(base, token, `d-${i}`, `排空中第${i}条`);
      await sleep(50);
    }
    assert.equal(await exit, 0, `a clean exit:\n${leaving.output()}`);
    await waitFor('every message at the agent', async () =>
      texts.every((t) => [...wb.bySeq.values()].some((m) => m.kind === 'text' && m.body.text === t)),
    );
    assert.ok(moves[0] === 'dropped' && moves.at(-1) === 'back', `the socket moved: ${moves.join(', ')}`);
    const survivor = c.nodes.find((n) => n !== leaving)!;
    await waitFor('agent 1 present through the other node', async () =>
      (await nodesOf(c.redis.url, 'agent-demo-1')).includes(survivor.name),
    );
    const liveIds = wb.live.map((m) => m.id);
    assert.equal(new Set(liveIds).size, liveIds.length, 'no message pushed twice');
    // "At once" is "before the expiry": the leaving node's last beat is judged by the survivor's
    // reaper and finds them present there, so they were never set offline.
    await waitFor(
      "the leaving node's last beat reaped",
      async () => !(await unreaped(c.redis.url, 'agent-demo-1', leaving.name)),
    );
    await reaperPass(c.redis.url);
    watching = false;
    await watch;
    assert.deepEqual([...statuses], ['online'], 'never offline');
  });

  it('node roles: a web+worker node and a ws-only node behind nginx serve one chat', async () => {
    const c = await open(
      [
        { name: 'web-1', role: 'web,worker' },
        { name: 'ws-1', role: 'ws' },
      ],
      { web: ['web-1'], ws: ['ws-1'] },
    );
    const ws = c.node('ws-1');
    const web = c.node('web-1');
    const health = await http<{ roles: string[] }>(ws.url, 'GET', '/health');
    assert.deepEqual(health.json.roles, ['ws']);
    assert.equal((await http(ws.url, 'GET', '/api/me')).status, 404, 'no HTTP API on a ws node');
    // No socket connections on a node without the ws role.
    const refused = io(`${web.url}/agent`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    await new Promise<void>((resolve) => refused.once('connect_error', () => resolve()));
    refused.close();

    const base = c.nginx!.url;
    const agent1 = await agent1Alone(base);
    const token = await widgetToken(base);
    const conversationId = (await buyerSays(base, token, 'w-0', '在吗')).conversation.id;
    const wb = workbench(base, agent1, conversationId);
    c.track(wb.socket);
    await waitFor('the agent connected', async () => wb.connects() === 1);
    await waitFor('agent 1 present through the ws node', async () => {
      const nodes = await nodesOf(c.redis.url, 'agent-demo-1');
      return nodes.length > 0 && nodes;
    }).then((nodes) => assert.deepEqual(nodes, ['ws-1']));
    // Sent over HTTP to the web node, pushed from the ws node.
    await buyerSays(base, token, 'w-1', '快递到哪了');
    await waitFor('live through the ws node', async () => wb.live.some((m) => m.clientId === 'w-1'));
    const reply = await wb.socket.timeout(DEADLINE_MS).emitWithAck('message:send', {
      conversationId,
      clientId: 'w-r',
      kind: 'text',
      body: { text: '亲，明天到' },
    });
    assert.equal((reply as { ok: boolean }).ok, true);
    // Both shut down cleanly, the one without sockets too.
    assert.equal(await web.kill('SIGTERM'), 0, web.output());
    assert.equal(await ws.kill('SIGTERM'), 0, ws.output());
  });

  it('RT-4 200 buyers at once, half on each node process, for 20 agents of cap 5: no cap exceeded, nobody assigned twice', async () => {
    const c = await open(['node-a', 'node-b']);
    const [a, b] = c.nodes as [NodeProcess, NodeProcess];
    const owner = await login(a.url, 'owner@demo.xiaoer.dev');
    // The demo's three agents and 17 more, every one online with a cap of 5.
    for (let i = 1; i <= 3; i++) {
      const cookie = await setStatus(a.url, `agent${i}@demo.xiaoer.dev`, 'online');
      void cookie;
      const id = `agent-demo-${i}`;
      const capped = await http(
        a.url,
        'PATCH',
        `/api/admin/agents/${id}`,
        { maxConcurrent: 5 },
        { cookie: owner },
      );
      assert.equal(capped.status, 200);
    }
    for (let i = 4; i <= 20; i++) {
      const email = `rush${i}@demo.xiaoer.dev`;
      const made = await http(
        a.url,
        'POST',
        '/api/admin/agents',
        { email, name: `客服${i}`, password: AGENT_PASSWORD, maxConcurrent: 5 },
        { cookie: owner },
      );
      assert.equal(made.status, 201, JSON.stringify(made.json));
      await setStatus(i % 2 ? a.url : b.url, email, 'online');
    }
    const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => widgetToken((i % 2 ? b : a).url)));
    const results = await Promise.all(
      tokens.map((token, i) => buyerSays((i % 2 ? b : a).url, token, `rush-${i}`, `第${i}个买家`)),
    );
    const ids = results.map((r) => r.conversation.id);
    assert.equal(new Set(ids).size, 200, 'one conversation per buyer');
    const loads = await c.query<{ agent_id: string; n: string }>(
      `select agent_id, count(*) as n from conversations where status = 'assigned' group by agent_id`,
    );
    const counts = loads.map((r) => Number(r.n));
    assert.equal(
      counts.reduce((x, y) => x + y, 0),
      100,
      'every slot filled',
    );
    assert.ok(
      counts.every((n) => n <= 5),
      `no cap exceeded: ${counts.join(',')}`,
    );
    const [queued] = await c.query<{ n: string }>(
      `select count(*) as n from conversations where status = 'queued'`,
    );
    assert.equal(Number(queued!.n), 100);
  });
});
