/** `npm start`: one process on the embedded database with the demo shop (ARCHITECTURE.md). */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createServer } from './app';
import { loadConfig } from './config';
import { DEMO_AGENT_EMAILS, DEMO_OWNER_EMAIL, DEMO_PASSWORD, seedDemoShop } from './demo/demo-shop';
import { readSetupToken } from './setup/setup-token';

// `--role web,ws,worker` (or `all`, the default) picks what this node does in a cluster.
function readArgs(argv: string[]): { role?: string } {
  try {
    return parseArgs({ args: argv, options: { role: { type: 'string' } }, strict: true }).values;
  } catch (error) {
    console.error(`xiaoer: ${(error as Error).message} (usage: npm start -- [--role web,ws,worker])`);
    process.exit(2);
  }
}

/** Runs the server with these command-line arguments until SIGINT or SIGTERM. */
export async function main(argv: string[]): Promise<void> {
  const args = readArgs(argv);
  const config = loadConfig(args.role ? { ...process.env, ROLE: args.role } : process.env);
  const server = await createServer(config);
  const { storage } = server.ctx;
  // Issue #13: the demo shop is seeded while demo mode is on (a fresh database: `npm start` shows it).
  if (await storage.demo.isOn()) await seedDemoShop(storage);
  const base = (await server.listen()).replace(/\/$/, '');
  const url = config.PUBLIC_URL?.replace(/\/$/, '') ?? base;
  const [demoOn, setupToken] = await Promise.all([storage.demo.isOn(), readSetupToken(storage)]);
  const lines = [
    '',
    '店小二 xiaoer is running',
    `  agent workbench  ${url}/workbench/`,
    `  admin console    ${url}/admin/`,
  ];
  if (demoOn) {
    lines.push(
      `  demo shop page   ${url}/demo`,
      `  demo logins      ${DEMO_AGENT_EMAILS[0]} (agent), ${DEMO_OWNER_EMAIL} (owner); password ${DEMO_PASSWORD}`,
      config.DEMO === 'on'
        ? '  demo mode        on (DEMO=true): the demo shop and its public logins are served; DEMO=false turns it off'
        : '  demo mode        on until you set up a real shop; DEMO=false turns it off now',
    );
  }
  // No real shop yet: the one-time link that creates the organisation, the first shop and its owner.
  if (setupToken && config.ROLE.has('web'))
    lines.push(
      `  set up your shop ${url}/setup?token=${setupToken}`,
      '                   (one-time link; or: npx xiaoer shop create --slug … --name … --owner-email … --password-stdin)',
    );
  lines.push(`  database         ${server.ctx.storage.db.engine}`);
  if (config.REDIS_URL)
    lines.push(`  cluster node     ${server.ctx.node.id} (${[...config.ROLE].join(', ')})`);
  lines.push('');
  console.log(lines.join('\n'));

  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      // Whatever hangs, the process is gone within 30 s (an orchestrator's kill comes later).
      setTimeout(() => {
        server.ctx.logger.error('shutdown took over 30 s, exiting');
        process.exit(1);
      }, 30_000).unref();
      server.close().then(
        () => process.exit(0),
        (error: unknown) => {
          server.ctx.logger.error('shutdown failed', { err: error });
          process.exit(1);
        },
      );
    });
  }
}

// `npm start` runs this file; `npx xiaoer start` imports it and calls main().
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  await main(process.argv.slice(2));
