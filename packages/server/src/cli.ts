/**
 * `npx xiaoer <command>`. Commands and their flags are a stable interface (README "CLI").
 *   start            run the server (same as `npm start` without building the UI)
 *   shop create|list, agent create|disable|reset-password   (team/team-cli.ts)
 *   apikey create|list|revoke --shop <slug>                  (integration/apikey-cli.ts)
 *   seed-demo        add the demo shop to the configured database if it has none
 *   bot eval --kb <kb.json> --queries <queries.jsonl> [--threshold 0.4]
 *   routing simulate --scenario <file.json>
 *   aftersales simulate --scenario <file.json>
 *   compliance check [--platform P]... <text | ->
 *   compliance eval --cases <file.jsonl> [--platform P]...
 *   metrics rebuild [--shop <slug>]
 *   help             this text
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { evalQuerySchema, evaluateBot, kbFileSchema } from './bot/bot-eval';
import { runComplianceCli } from './compliance/compliance-cli';
import { runApiKeyCli } from './integration/apikey-cli';
import { loadConfig } from './config';
import { runMetricsCli } from './metrics/metrics-cli';
import { runScenario } from './routing/routing-simulate';
import { runAftersalesScenario } from './aftersales/aftersales-simulate';
import { ScenarioError } from './scenario-file';
import { seedDemoShop } from './demo/demo-shop';
import { openStorage } from './storage';
import { runTeamCli } from './team/team-cli';

const [command = 'help', ...rest] = process.argv.slice(2);

const HELP = `xiaoer — 店小二 customer service

usage: npx xiaoer <command>

commands:
  start [--role web,ws,worker]
              run the server (config from the environment, see README)
  shop create --slug <slug> --name <name> --owner-email <email> --password-stdin
              [--owner-name <name>] [--org-name <name>] [--time-zone <zone>]
              a new organisation with its first shop and the shop's owner; the
              password is read from stdin; prints {"shop": {id, slug, name},
              "owner": {id, email}}. Exit 2 naming the field (nothing written).
  shop list   one JSON line per shop: {id, slug, name, demo, organisation}
  agent create --shop <slug> --email <email> [--name <name>] [--role <role>]
              [--cap <1-500>] [--no-routing] [--password-stdin]
              a new account in the shop (name and password needed), or an account
              of the organisation serving another shop (email alone); prints
              {"agent": {id, email, name, shop, role}}
  agent disable --shop <slug> --email <email>
              keeps their history, sends their chats back to routing, ends their
              sessions when it was their last shop
  agent reset-password --shop <slug> --email <email> --password-stdin
  apikey create --shop <slug> [--name <label>] [--scopes read,write]
              a key for the v1 API (read, write or both); prints {"id", "key"} —
              the key is shown this once, only its hash is kept
  apikey list --shop <slug>
              one JSON line per key: {id, name, prefix, scopes, createdAt,
              lastUsedAt, revokedAt} (never the key)
  apikey revoke --shop <slug> --id <id>
              the key stops working at once; prints {"revoked": true}
  seed-demo   add the demo shop 小二旗舰店 to the database if it has none
  bot eval --kb <kb.json> --queries <queries.jsonl> [--threshold <0..1>]
              run the FAQ bot over labelled queries; prints one JSON object:
              top1Accuracy, handoffRecall, falseAnswerRate, clarifyRate,
              clarifyHitRate, p50Ms, p99Ms, mistakes
  routing simulate --scenario <file.json>
              replay a routing scenario through the real engine with a virtual
              clock; prints one JSON line per decision (at, buyer, agent, queued,
              position, reason, queue, event), then {"summary": {...}}
  aftersales simulate --scenario <file.json>
              replay after-sales cases through the real case engine with a virtual
              clock (deadlines fire exactly when due); prints one JSON line per
              state change (at, case, kind, status, by, reason), then {"summary": {...}}
  compliance check [--platform <pack>]... "<text>"
              check one outgoing message against the platform rules (CMP-1 … CMP-5);
              prints one JSON object: verdict (block | warn | pass), findings [{rule,
              id, verdict, reason {zh-CN, en}, span, matched, rewrite?}], promises,
              suggestion?; "-" as the text reads it from stdin (a text that starts
              with "-": put -- before it). Exit 0 whatever the verdict, 2 on bad input.
  compliance eval --cases <file.jsonl> [--platform <pack>]...
              score the checker on labelled lines {"text", "expect": "block" |
              "warn" | "pass", "rule": "CMP-n" | null}; prints one JSON object:
              blockRecall, blockPrecision, falseBlockRate, warnRecall, perRule,
              mistakes [{text, expect, got, rule, findings}]
              --platform: taobao-tmall, jd, pinduoduo, douyin-kuaishou or generic,
              repeatable; generic always applies; default: all five packs. Both
              use the demo shop's settings (xiaoer.dev allowed, shop 小二家居旗舰店).
  metrics rebuild [--shop <slug>]
              recompute the reply-metric roll-ups of one shop (default: every shop)
              from the raw messages in DATABASE_URL; prints one JSON line per shop
              {shop, messages, ms}. Exit 2 for an unknown shop slug or a bad flag.
  help        show this text
`;

/** Reads and checks a file, naming the file, line and field on a problem. */
function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

/** `xiaoer <area> simulate --scenario <file.json>`: JSON lines on stdout; exit 2 naming the bad field. */
function simulateCommand(area: string, rest: string[], run: (input: unknown) => string[]): void {
  if (rest[0] !== 'simulate') {
    console.error(`unknown ${area} command: ${rest[0] ?? ''}\n\n${HELP}`);
    process.exit(2);
  }
  const { values } = parseArgs({ args: rest.slice(1), options: { scenario: { type: 'string' } } });
  if (!values.scenario) {
    console.error(`${area} simulate needs --scenario <file.json>`);
    process.exit(2);
  }
  let input: unknown;
  try {
    input = readJsonFile(values.scenario);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  try {
    for (const line of run(input)) console.log(line);
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    console.error(`${values.scenario}: ${error.message}`);
    process.exit(2);
  }
}

switch (command) {
  case 'start':
    await (await import('./main')).main(rest);
    break;
  case 'shop':
  case 'agent':
    process.exitCode = await runTeamCli(command, rest, {
      open: () => openStorage(loadConfig().DATABASE_URL),
      readStdin: async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString('utf8');
      },
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
    break;
  case 'apikey':
    process.exitCode = await runApiKeyCli(rest, {
      open: () => openStorage(loadConfig().DATABASE_URL),
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
    break;
  case 'seed-demo': {
    const config = loadConfig();
    const storage = await openStorage(config.DATABASE_URL);
    const seeded = await seedDemoShop(storage);
    console.log(seeded ? 'demo shop seeded' : 'the demo shop exists already');
    await storage.close();
    break;
  }
  case 'bot': {
    if (rest[0] !== 'eval') {
      console.error(`unknown bot command: ${rest[0] ?? ''}\n\n${HELP}`);
      process.exit(2);
    }
    const { values } = parseArgs({
      args: rest.slice(1),
      options: { kb: { type: 'string' }, queries: { type: 'string' }, threshold: { type: 'string' } },
    });
    if (!values.kb || !values.queries) {
      console.error('bot eval needs --kb <kb.json> and --queries <queries.jsonl>');
      process.exit(2);
    }
    const kb = kbFileSchema.safeParse(readJsonFile(values.kb));
    if (!kb.success) {
      const issue = kb.error.issues[0]!;
      console.error(
        `${values.kb}: entry ${String(issue.path[0])}, field ${issue.path.slice(1).join('.')}: ${issue.message}`,
      );
      process.exit(2);
    }
    const lines = readFileSync(values.queries, 'utf8').split('\n');
    const queries = [];
    for (const [i, line] of lines.entries()) {
      if (!line.trim()) continue;
      const q = evalQuerySchema.safeParse(
        (() => {
          try {
            return JSON.parse(line);
          } catch {
            return undefined;
          }
        })(),
      );
      if (!q.success) {
        console.error(
          `${values.queries}: line ${i + 1}: expected {"text": "...", "expect": "<entry id>" | "handoff" | null}`,
        );
        process.exit(2);
      }
      queries.push(q.data);
    }
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) {
      console.error('--threshold must be a number from 0 to 1');
      process.exit(2);
    }
    console.log(JSON.stringify(evaluateBot(kb.data, queries, threshold), null, 2));
    break;
  }
  case 'routing':
    simulateCommand('routing', rest, runScenario);
    break;
  case 'aftersales':
    simulateCommand('aftersales', rest, runAftersalesScenario);
    break;
  case 'compliance': {
    const outcome = runComplianceCli(rest);
    if (outcome.stdout) console.log(outcome.stdout);
    if (outcome.stderr) console.error(outcome.stderr);
    process.exitCode = outcome.code;
    break;
  }
  case 'metrics':
    process.exitCode = await runMetricsCli(rest, {
      open: () => openStorage(loadConfig().DATABASE_URL),
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
    break;
  case 'help':
  case '--help':
  case '-h':
    console.log(HELP);
    break;
  default:
    console.error(`unknown command: ${command}\n\n${HELP}`);
    process.exit(2);
}
