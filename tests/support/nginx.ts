import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './cluster';

/** The documented production config; the tests run this very file. */
export const NGINX_TEMPLATE_PATH = new URL('../../deploy/nginx/xiaoer.conf', import.meta.url).pathname;

/** An nginx in front of some xiaoer nodes, on a free loopback port. */
export interface Nginx {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface NginxNodes {
  /** `host:port` of each node for the HTTP API, pages and static files. */
  web: string[];
  /** `host:port` of each node for Socket.IO (default: the web nodes). */
  ws?: string[];
}

const NODE = /^[A-Za-z0-9.\-[\]:]+:\d+$/;

function replaceNodes(config: string, marker: string, nodes: string[]): string {
  if (nodes.length === 0) throw new Error(`nginx config: no nodes for ${marker}`);
  for (const n of nodes)
    if (!NODE.test(n)) throw new Error(`nginx config: not a host:port: ${JSON.stringify(n)}`);
  const block = new RegExp(`^([ \\t]*)# xiaoer:${marker}[^\\n]*\\n([\\s\\S]*?)^[ \\t]*# end[^\\n]*$`, 'gm');
  let found = 0;
  const out = config.replace(block, (whole: string, indent: string, body: string) => {
    found++;
    // Keep the parameters the template gives its nodes (max_fails, fail_timeout, …).
    const first = /^\s*server\s+\S+?([ \t][^;]*)?;/m.exec(body);
    if (!first) throw new Error(`nginx config: no server line between # xiaoer:${marker} and # end`);
    const params = first[1] ?? '';
    const lines = nodes.map((n) => `${indent}server ${n}${params};`).join('\n');
    const [open] = whole.split('\n');
    return `${open}\n${lines}\n${indent}# end`;
  });
  if (found !== 1)
    throw new Error(`nginx config: expected one "# xiaoer:${marker}" … "# end" block, found ${found}`);
  return out;
}

/**
 * The template with the nodes of each upstream and the listen address replaced (pure).
 * `listen` is a port, or `host:port` to bind one address only.
 */
export function renderNginxConfig(
  template: string,
  opts: { listen: number | string; web: string[]; ws: string[] },
): string {
  let out = replaceNodes(template, 'web-nodes', opts.web);
  out = replaceNodes(out, 'ws-nodes', opts.ws);
  const listen = /^([ \t]*)listen[ \t]+[^;\n]+;([ \t]*# xiaoer:listen[^\n]*)$/gm;
  let found = 0;
  out = out.replace(listen, (_whole: string, indent: string, marker: string) => {
    found++;
    return `${indent}listen ${opts.listen};${marker}`;
  });
  if (found !== 1)
    throw new Error(`nginx config: expected one listen line marked "# xiaoer:listen", found ${found}`);
  return out;
}

/** Path of the nginx binary; throws saying how to install it when missing. */
export function nginxBinary(): string {
  if (existsSync('/usr/sbin/nginx')) return '/usr/sbin/nginx';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'nginx');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(
    'nginx not found (looked at /usr/sbin/nginx and PATH): install it with `apt-get install -y nginx`',
  );
}

/**
 * Writes `<dir>/nginx.conf` (a minimal main config: pid, logs and temp paths under `dir`) and
 * `<dir>/xiaoer.conf` (the rendered template) and returns the main config's path. Run it with
 * `nginx -p <dir> -c <dir>/nginx.conf -e <dir>/error.log`.
 */
export function writeNginxConfig(
  dir: string,
  opts: { listen: number | string; web: string[]; ws?: string[]; template?: string },
): string {
  const template = opts.template ?? readFileSync(NGINX_TEMPLATE_PATH, 'utf8');
  const rendered = renderNginxConfig(template, {
    listen: opts.listen,
    web: opts.web,
    ws: opts.ws ?? opts.web,
  });
  const temp = join(dir, 'temp');
  mkdirSync(temp, { recursive: true });
  // Run as root, the master switches its workers to an unprivileged user: let it in.
  chmodSync(dir, 0o777);
  chmodSync(temp, 0o777);
  writeFileSync(join(dir, 'xiaoer.conf'), rendered);
  const main = join(dir, 'nginx.conf');
  writeFileSync(
    main,
    [
      'worker_processes 1;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'error.log')} warn;`,
      'events {',
      '    worker_connections 4096;',
      '}',
      'http {',
      '    access_log off;',
      `    client_body_temp_path ${join(temp, 'body')};`,
      `    proxy_temp_path ${join(temp, 'proxy')};`,
      `    fastcgi_temp_path ${join(temp, 'fastcgi')};`,
      `    uwsgi_temp_path ${join(temp, 'uwsgi')};`,
      `    scgi_temp_path ${join(temp, 'scgi')};`,
      `    include ${join(dir, 'xiaoer.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  return main;
}

/** `nginx -t` on a config written by writeNginxConfig; returns nginx's output, throws when invalid. */
export function testNginxConfig(dir: string): string {
  const r = spawnSync(
    nginxBinary(),
    ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
    { encoding: 'utf8' },
  );
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) throw new Error(`nginx -t failed (${r.status ?? r.signal}):\n${output}`);
  return output;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

const running = new Set<ChildProcess>();
let exitHook = false;

async function launch(dir: string, opts: NginxNodes): Promise<Nginx> {
  const port = await freePort();
  writeNginxConfig(dir, { listen: `127.0.0.1:${port}`, web: opts.web, ws: opts.ws ?? opts.web });
  const errorLog = join(dir, 'error.log');
  const child = spawn(
    nginxBinary(),
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLog, '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHook) {
    exitHook = true;
    // A test process that dies without stop() must not leave nginx behind.
    process.once('exit', () => {
      for (const c of running) c.kill('SIGTERM');
    });
  }
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGTERM: fast shutdown, open WebSockets are closed rather than waited for.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (spawnError) throw spawnError;
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      const log = existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '';
      const why =
        child.exitCode !== null ? `exited with ${child.exitCode}` : 'did not accept connections in 10 s';
      const err = new Error(`nginx on 127.0.0.1:${port} ${why}\n${output}${log}`);
      (err as Error & { addressInUse?: boolean }).addressInUse = /Address already in use/.test(output + log);
      throw err;
    }
    if (await accepts(port)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}`, port, stop };
}

/**
 * Starts nginx with the shipped deploy/nginx/xiaoer.conf in front of the given nodes, on a free
 * loopback port. `stop()` shuts it down and removes its files.
 */
export async function startNginx(opts: NginxNodes): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'xiaoer-nginx-'));
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const nginx = await launch(dir, opts);
        return {
          ...nginx,
          stop: async () => {
            await nginx.stop();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      } catch (e) {
        // Another process took the free port between the probe and nginx's bind: pick again.
        if (attempt < 3 && (e as { addressInUse?: boolean }).addressInUse) {
          rmSync(join(dir, 'error.log'), { force: true });
          continue;
        }
        throw e;
      }
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
