import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server as SocketServer } from 'socket.io';
import { io } from 'socket.io-client';
import {
  NGINX_TEMPLATE_PATH,
  renderNginxConfig,
  startNginx,
  testNginxConfig,
  writeNginxConfig,
} from '../support/nginx';

/** The production nginx config (deploy/nginx/xiaoer.conf), as the cluster tests and bench use it. */
const template = readFileSync(NGINX_TEMPLATE_PATH, 'utf8');

function upstream(config: string, name: string): string {
  const m = new RegExp(`upstream ${name} \\{([\\s\\S]*?)\\n\\}`).exec(config);
  assert.ok(m, `upstream ${name} in the config`);
  return m[1] ?? '';
}
const servers = (block: string) => [...block.matchAll(/^\s*server\s+([^\s;]+)([^;]*);/gm)].map((m) => m[1]);

test('the shipped config lists three nodes in each upstream, least_conn, no ip_hash', () => {
  for (const name of ['xiaoer_web', 'xiaoer_ws']) {
    const block = upstream(template, name);
    assert.deepEqual(servers(block), ['127.0.0.1:3001', '127.0.0.1:3002', '127.0.0.1:3003']);
    assert.match(block, /^\s*least_conn;/m);
    assert.match(block, /max_fails=1 fail_timeout=5s;/);
  }
  assert.match(upstream(template, 'xiaoer_web'), /^\s*keepalive \d+;/m);
  assert.doesNotMatch(template.replace(/#.*$/gm, ''), /ip_hash|sticky/);
});

test('renderNginxConfig replaces both node lists and the listen port, keeping the server parameters', () => {
  const web = ['127.0.0.1:4101', '10.0.0.2:4102'];
  const ws = ['127.0.0.1:4201'];
  const out = renderNginxConfig(template, { listen: 18080, web, ws });
  assert.deepEqual(servers(upstream(out, 'xiaoer_web')), web);
  assert.deepEqual(servers(upstream(out, 'xiaoer_ws')), ws);
  assert.match(upstream(out, 'xiaoer_web'), /server 10\.0\.0\.2:4102 max_fails=1 fail_timeout=5s;/);
  assert.doesNotMatch(out, /:300\d/);
  assert.match(out, /^\s*listen 18080; # xiaoer:listen$/m);
  assert.equal([...out.matchAll(/^\s*listen\s/gm)].length, 1);
  // Everything but the marked lines is the template's.
  const unmarked = (s: string) => s.split('\n').filter((l) => !/^\s*(server\s+[\d.]+:\d+|listen\s)/.test(l));
  assert.deepEqual(unmarked(out), unmarked(template));
  // The markers stay, so a rendered config renders again.
  const again = renderNginxConfig(out, {
    listen: '127.0.0.1:18081',
    web: ['127.0.0.1:1'],
    ws: ['127.0.0.1:2'],
  });
  assert.deepEqual(servers(upstream(again, 'xiaoer_web')), ['127.0.0.1:1']);
  assert.match(again, /listen 127\.0\.0\.1:18081;/);
});

test('renderNginxConfig refuses a template without markers and nodes that are not host:port', () => {
  assert.throws(
    () => renderNginxConfig('upstream x { server a:1; }', { listen: 1, web: ['a:1'], ws: ['a:1'] }),
    /web-nodes/,
  );
  const opts = { listen: 1, web: ['127.0.0.1:1'], ws: ['127.0.0.1:1'] };
  assert.throws(() => renderNginxConfig(template, { ...opts, web: [] }), /no nodes/);
  assert.throws(() => renderNginxConfig(template, { ...opts, ws: ['127.0.0.1:1; evil'] }), /host:port/);
  assert.throws(() => renderNginxConfig(template.replace('; # xiaoer:listen', ';'), opts), /xiaoer:listen/);
});

test('nginx -t accepts the rendered config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-nginx-t-'));
  try {
    writeNginxConfig(dir, { listen: '127.0.0.1:18080', web: ['127.0.0.1:4101', '127.0.0.1:4102'] });
    assert.match(testNginxConfig(dir), /test is successful/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A node stand-in: GET /who answers its name; Socket.IO (WebSocket only) says hello. */
async function tinyNode(name: string): Promise<{ addr: string; close(): Promise<void> }> {
  const http: HttpServer = createServer((req, res) => res.end(req.url === '/who' ? name : ''));
  const sio = new SocketServer(http, { transports: ['websocket'] });
  sio.on('connection', (s) => s.emit('hello', name));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const address = http.address();
  assert.ok(address && typeof address === 'object');
  return {
    addr: `127.0.0.1:${address.port}`,
    close: async () => {
      sio.disconnectSockets(true);
      http.closeAllConnections();
      await new Promise<void>((r) => sio.close(() => r()));
    },
  };
}

function hello(url: string): Promise<string> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 5000 });
  return new Promise((resolve, reject) => {
    socket.once('hello', (name: string) => {
      socket.close();
      resolve(name);
    });
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

test('startNginx: HTTP and WebSocket reach both nodes; with one gone, every request goes to the other', async () => {
  const a = await tinyNode('A');
  const b = await tinyNode('B');
  const nginx = await startNginx({ web: [a.addr, b.addr] });
  try {
    const who = async () => {
      const res = await fetch(`${nginx.url}/who`);
      assert.equal(res.status, 200);
      return res.text();
    };
    const names = await Promise.all(Array.from({ length: 10 }, who));
    assert.deepEqual(new Set(names), new Set(['A', 'B']));
    const socketNames = await Promise.all(Array.from({ length: 6 }, () => hello(nginx.url)));
    assert.deepEqual(new Set(socketNames), new Set(['A', 'B']));

    await a.close();
    assert.deepEqual(new Set(await Promise.all(Array.from({ length: 10 }, who))), new Set(['B']));
    assert.deepEqual(
      new Set(await Promise.all(Array.from({ length: 6 }, () => hello(nginx.url)))),
      new Set(['B']),
    );
  } finally {
    await nginx.stop();
    await a.close().catch(() => {});
    await b.close();
  }
});
