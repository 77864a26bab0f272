/**
 * Issue #18: the staffing planner on the server — reads the shop's history (conversations that
 * needed an agent, their handle times), its metrics settings (MET-1's reply minutes: the default
 * target), its agents' caps (RT-4: the default concurrency) and its rota, and hands them to the
 * core's planner. The simulator's check runs hour by hour with a turn of the event loop between,
 * so a plan never holds the server for more than one hour's simulation (tens of ms).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  averageHandleSeconds,
  arrivalsByHour,
  checkHourBySimulation,
  historyWindow,
  planStaffing,
  type Clock,
  type ShopId,
  type StaffingParams,
  type StaffingReport,
} from '@xiaoer/core';
import type { Storage } from '../storage';

/** What the owner may type; anything absent comes from the shop. */
export interface StaffingInput {
  /** Days of history to average (history only). */
  days: number;
  /** 24 arrivals per hour typed by the owner; absent: the shop's own history. */
  forecast?: number[];
  ahtMinutes?: number;
  targetMinutes?: number;
  serviceLevel?: number;
  concurrency?: number;
}

/** The handle time assumed while a shop has no ended human conversation yet. */
export const DEFAULT_AHT_SECONDS = 600;
/** The concurrency assumed while a shop has no agent that takes routing. */
export const DEFAULT_CONCURRENCY = 3;
/** The target share when the owner names none: at least 90 %, and at least the MET-5 threshold. */
const DEFAULT_LEVEL = 0.9;

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Plans the shop's day from its history or a typed forecast, against its rota. */
export async function planShopStaffing(
  storage: Storage,
  clock: Clock,
  shopId: ShopId,
  input: StaffingInput,
): Promise<StaffingReport> {
  const [shop, settings, agents, rota] = await Promise.all([
    storage.shops.findShop(shopId),
    storage.metrics.settings(shopId),
    storage.agents.listAgents(shopId),
    storage.staffing.findRota(shopId),
  ]);
  const timeZone = shop?.timeZone ?? 'Asia/Shanghai';
  const window = historyWindow({
    now: clock.now(),
    timeZone,
    days: input.days,
    shopCreatedAt: shop?.createdAt ?? 0,
  });

  let arrivals = input.forecast;
  let conversations = 0;
  if (!arrivals) {
    const times = await storage.staffing.humanArrivals(shopId, window.start, window.end);
    conversations = times.length;
    arrivals = arrivalsByHour(times, timeZone, window.days);
  }

  let ahtSeconds: number;
  let ahtSource: StaffingReport['ahtSource'];
  let ahtSamples = 0;
  if (input.ahtMinutes !== undefined) {
    ahtSeconds = input.ahtMinutes * 60;
    ahtSource = 'typed';
  } else {
    const own = averageHandleSeconds(await storage.staffing.handleTimes(shopId, window.start, window.end));
    ahtSamples = own.samples;
    // Bounded as a typed one would be: a shop whose agents end chats in seconds is planned at 10 s.
    ahtSeconds = own.seconds === null ? DEFAULT_AHT_SECONDS : Math.min(4 * 3600, Math.max(10, own.seconds));
    ahtSource = own.seconds === null ? 'default' : 'history';
  }

  const caps = median(
    agents.filter((a) => a.takesRouting && a.disabledAt === null).map((a) => a.maxConcurrent),
  );
  const concurrency = input.concurrency ?? caps ?? DEFAULT_CONCURRENCY;
  const concurrencySource =
    input.concurrency !== undefined ? 'typed' : caps !== undefined ? 'agents' : 'default';

  const params: StaffingParams = {
    ahtSeconds,
    // MET-1: the shop's own reply minutes (5 unless changed) is what the platform counts.
    targetSeconds: (input.targetMinutes ?? settings.replyMinutes) * 60,
    serviceLevel: input.serviceLevel ?? Math.min(0.99, Math.max(DEFAULT_LEVEL, settings.threshold)),
    concurrency,
  };
  const plan = planStaffing({ arrivals, rota: rota.hours, params, simulate: false });
  const hours = [];
  for (const hour of plan.hours) {
    hours.push(checkHourBySimulation(plan.params, hour));
    await nextTurn();
  }
  return {
    ...plan,
    hours,
    source: input.forecast ? 'forecast' : 'history',
    timeZone,
    window: input.forecast ? null : { from: window.from, to: window.to, days: window.days, conversations },
    ahtSource,
    ahtSamples,
    concurrencySource,
    rota,
  };
}
