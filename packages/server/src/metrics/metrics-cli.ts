/**
 * `npx xiaoer metrics rebuild [--shop <slug>]` (README "CLI"): recomputes the reply-metric
 * roll-ups (MET-1 … MET-4) of one shop, or of every shop, from the raw messages in the configured
 * database — the same rebuild that saving a new consultation window starts. cli.ts only passes the
 * arguments, how to open the storage and where to print; the tests call these functions directly.
 *
 * Output: one JSON line per shop as it finishes, `{"shop": "<slug>", "messages": <n>, "ms": <n>}`
 * (messages: the buyer, agent and bot messages replayed; ms: wall time of that shop's rebuild).
 * Exit 0; 2 on bad input (an unknown shop slug, subcommand or flag), naming it; 1 when the
 * rebuild itself fails.
 */
import { parseArgs } from 'node:util';
import { systemClock, type ShopId } from '@xiaoer/core';
import type { Storage } from '../storage';
import { MetricsService } from './metrics.service';

export const METRICS_USAGE = 'usage: npx xiaoer metrics rebuild [--shop <slug>]';

/** Bad input: the message names the subcommand, flag or shop; the command exits with code 2. */
export class MetricsCliError extends Error {}

/** What `metrics rebuild` prints for one shop (one JSON line). */
export interface RebuildLine {
  /** The shop's slug (as in the widget's `shop` and `--shop`). */
  shop: string;
  /** Buyer, agent and bot messages replayed (system messages do not count). */
  messages: number;
  /** Wall time of the shop's rebuild, whole milliseconds. */
  ms: number;
}

/** Reads the arguments after `metrics`; throws a MetricsCliError naming what is wrong. */
export function parseMetricsArgs(args: readonly string[]): { command: 'rebuild'; shop?: string } {
  const [sub, ...rest] = args;
  if (sub !== 'rebuild')
    throw new MetricsCliError(
      `${sub === undefined ? 'metrics needs a command' : `unknown metrics command: ${sub}`}\n${METRICS_USAGE}`,
    );
  let parsed: { values: { shop?: string | undefined }; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: { shop: { type: 'string' } }, allowPositionals: true });
  } catch (error) {
    throw new MetricsCliError(`metrics rebuild: ${(error as Error).message}\n${METRICS_USAGE}`);
  }
  if (parsed.positionals.length > 0)
    throw new MetricsCliError(
      `metrics rebuild: unexpected argument "${parsed.positionals[0]}"\n${METRICS_USAGE}`,
    );
  const shop = parsed.values.shop;
  if (shop !== undefined && shop.trim() === '')
    throw new MetricsCliError(`metrics rebuild: --shop needs a shop slug\n${METRICS_USAGE}`);
  return shop === undefined ? { command: 'rebuild' } : { command: 'rebuild', shop };
}

/**
 * Rebuilds the roll-ups of the shop with `slug`, or of every shop (by slug) when it is undefined,
 * one shop after the other; `onLine` hears of each shop as it finishes. Throws a MetricsCliError
 * before touching anything when no shop has that slug.
 */
export async function rebuildShops(
  storage: Storage,
  slug?: string,
  onLine: (line: RebuildLine) => void = () => {},
): Promise<RebuildLine[]> {
  let shops: { id: ShopId; slug: string }[];
  if (slug !== undefined) {
    const shop = await storage.shops.findShopBySlug(slug);
    if (!shop) {
      const known = (await allShops(storage)).map((s) => s.slug);
      const list =
        known.length === 0
          ? 'the database has no shop'
          : `shops: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}`;
      throw new MetricsCliError(`metrics rebuild: no shop with slug "${slug}" (${list})`);
    }
    shops = [{ id: shop.id, slug: shop.slug }];
  } else {
    shops = await allShops(storage);
  }
  // The service's rebuild: the shop's settings and time zone, under its lock. The clock is not
  // read by a rebuild (the roll-ups hold times, not states).
  const metrics = new MetricsService(storage, systemClock);
  const lines: RebuildLine[] = [];
  for (const shop of shops) {
    const started = performance.now();
    const { messages } = await metrics.rebuild(shop.id);
    const line = { shop: shop.slug, messages, ms: Math.round(performance.now() - started) };
    lines.push(line);
    onLine(line);
  }
  return lines;
}

async function allShops(storage: Storage): Promise<{ id: ShopId; slug: string }[]> {
  const shops = [];
  for (const id of await storage.shops.listShopIds()) {
    const shop = await storage.shops.findShop(id);
    if (shop) shops.push({ id, slug: shop.slug });
  }
  return shops.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}

/** Where `metrics` gets its storage and prints. */
export interface MetricsCliIo {
  /** Opens the configured database (called once the arguments are known to be good). */
  open: () => Promise<Storage>;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs `metrics <args>` and returns the exit code (0, 1 when a rebuild fails, 2 on bad input). */
export async function runMetricsCli(args: readonly string[], io: MetricsCliIo): Promise<0 | 1 | 2> {
  let shop: string | undefined;
  try {
    shop = parseMetricsArgs(args).shop;
  } catch (error) {
    if (!(error instanceof MetricsCliError)) throw error;
    io.err(error.message);
    return 2;
  }
  const storage = await io.open();
  try {
    const lines = await rebuildShops(storage, shop, (line) => io.out(JSON.stringify(line)));
    if (lines.length === 0) io.err('metrics rebuild: the database has no shop');
    return 0;
  } catch (error) {
    if (error instanceof MetricsCliError) {
      io.err(error.message);
      return 2;
    }
    io.err(`metrics rebuild failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await storage.close();
  }
}
