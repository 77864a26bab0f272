import { DomainError, type Logger } from '@xiaoer/core';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Socket } from 'socket.io';
import type { Config } from '../config';
import { RateLimitedError, toErrorResponse } from '../http/errors';

/** The budget each client event draws on; anything else draws on `events`. */
type Budget = 'typing' | 'sync' | 'read' | 'events';
const BUDGET_OF = new Map<unknown, Budget>([
  ['conversation:typing', 'typing'],
  ['messages:sync', 'sync'],
  ['conversation:read', 'read'],
]);

type LimitsConfig = Pick<
  Config,
  | 'WS_TYPING_PER_10S'
  | 'WS_SYNC_PER_10S'
  | 'WS_READ_PER_10S'
  | 'WS_EVENTS_PER_10S'
  | 'WS_TYPING_PUSH_MS'
  | 'WS_FLOOD_DISCONNECT_AFTER'
  | 'WS_FLOOD_BLOCK_SECONDS'
>;

/** The ack an over-limit event gets: the error body of every ack, with when to try again. */
export function rateLimitedAck(retryAfterMs: number) {
  const error = new RateLimitedError('too many events, slow down', Math.max(1, retryAfterMs));
  return { ok: false as const, ...toErrorResponse(error).body };
}

/**
 * Issue #14: every client event of a socket is counted against its sender — a buyer, or an agent
 * account — so opening more sockets buys no more. Over the budget the event is answered
 * `rate_limited` and dropped before any work; a sender that keeps on far past it is disconnected
 * and its new sockets refused for a while. Counted in this process, as the HTTP limits are
 * (rate-limiter-flexible's memory store).
 */
export class SocketLimits {
  private readonly budgets: Record<Budget, RateLimiterMemory>;
  /** Refused events per sender; past the count, blocked (and disconnected) for the block time. */
  private readonly refused: RateLimiterMemory;
  readonly typing: TypingCoalescer;

  constructor(config: LimitsConfig, logger: Logger) {
    const per10s = (points: number) => new RateLimiterMemory({ points, duration: 10 });
    this.budgets = {
      typing: per10s(config.WS_TYPING_PER_10S),
      sync: per10s(config.WS_SYNC_PER_10S),
      read: per10s(config.WS_READ_PER_10S),
      events: per10s(config.WS_EVENTS_PER_10S),
    };
    this.refused = new RateLimiterMemory({
      points: config.WS_FLOOD_DISCONNECT_AFTER,
      duration: 10,
      blockDuration: config.WS_FLOOD_BLOCK_SECONDS,
    });
    this.typing = new TypingCoalescer(config.WS_TYPING_PUSH_MS, logger);
  }

  /**
   * Puts a newly connected socket of `sender` (`buyer:<id>`, `agent:<account id>`) under the
   * limits; a sender blocked for flooding is disconnected at once.
   */
  guard(socket: Socket, sender: string): void {
    socket.data.sender = sender;
    void this.refused.get(sender).then((res) => {
      if (res && res.msBeforeNext > 0 && res.consumedPoints > this.refused.points) socket.disconnect(true);
    });
    socket.use((packet, next) => {
      // A Map, not an object: an event named "constructor" or "__proto__" is just another event.
      const budget = this.budgets[BUDGET_OF.get(packet[0]) ?? 'events'];
      budget.consume(sender).then(
        () => next(),
        (rejection: unknown) => {
          const retryAfterMs = rejection instanceof RateLimiterRes ? rejection.msBeforeNext : 1000;
          const ack = packet[packet.length - 1];
          if (typeof ack === 'function') (ack as (body: unknown) => void)(rateLimitedAck(retryAfterMs));
          this.refused.consume(sender).catch(() => socket.disconnect(true));
        },
      );
    });
  }

  close(): void {
    this.typing.close();
  }
}

/**
 * Typing indicators, coalesced per key (a sender in a conversation): the first goes at once, then
 * at most one per interval carrying the latest state — so "stopped typing" always arrives last,
 * and a flood becomes one push a second. One relay at a time per key, in order.
 */
export class TypingCoalescer {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Offers a state; `relay` is called with it now or with a later one. */
  offer(key: string, isTyping: boolean, relay: (isTyping: boolean) => Promise<void>): void {
    const slot = this.slots.get(key);
    if (!slot) {
      const fresh: Slot = { last: 0, pending: undefined, timer: undefined };
      this.slots.set(key, fresh);
      this.run(key, fresh, { isTyping, relay });
      return;
    }
    slot.pending = { isTyping, relay };
  }

  /** Keys with a relay pending or recent (tests and benches). */
  get size(): number {
    return this.slots.size;
  }

  close(): void {
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    this.slots.clear();
  }

  private run(key: string, slot: Slot, offer: Offer): void {
    slot.last = this.now();
    offer
      .relay(offer.isTyping)
      .catch((error: unknown) => {
        // One that cannot go (not theirs, ended) is dropped; anything else is worth a line.
        if (!(error instanceof DomainError))
          this.logger.error('ws coalesced relay failed', { key, err: error });
      })
      .finally(() => {
        // The next one (if any by then) goes an interval after this one began.
        const wait = Math.max(0, slot.last + this.intervalMs - this.now());
        slot.timer = setTimeout(() => this.due(key, slot), wait);
        slot.timer.unref?.();
      });
  }

  private due(key: string, slot: Slot): void {
    slot.timer = undefined;
    if (this.slots.get(key) !== slot) return;
    const pending = slot.pending;
    if (!pending) {
      this.slots.delete(key);
      return;
    }
    slot.pending = undefined;
    this.run(key, slot, pending);
  }
}

interface Offer {
  isTyping: boolean;
  relay: (isTyping: boolean) => Promise<void>;
}

interface Slot {
  /** When the last relay began. */
  last: number;
  pending: Offer | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}
