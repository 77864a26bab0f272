import type { AgentId, BuyerId, ConversationId, ShopId } from '../kernel';
import { DAY, DomainError } from '../kernel';
import type { Clock } from '../kernel/clock';
import type { Order } from '../orders/order.types';
import type {
  CheckablePromise,
  CheckContext,
  CheckResult,
  ComplianceRuleId,
  ComplianceSettings,
  Finding,
} from './compliance.types';
import { DEFAULT_PROACTIVE_SETTINGS } from './compliance.types';
import { checkProactive } from './cmp6-proactive.rule';
import { IMAGE_CODE_LOG_PREFIX, imageCodeFindings } from './image-codes.rule';

/** A compiled checker for one shop's settings. */
export interface Checker {
  check(text: string, ctx?: CheckContext): CheckResult;
}

/** The compliance log's sender for the bot's own messages (it has no agent id). */
export const BOT_SENDER = 'bot' as AgentId;

/** What the supervisor's log keeps of each block, confirmed warning and refused proactive message. */
export interface ComplianceLogEntry {
  id: string;
  shopId: ShopId;
  /** Who wrote the text: an agent, or BOT_SENDER for a bot message. */
  agentId: AgentId;
  conversationId: ConversationId | null;
  buyerId: BuyerId | null;
  /** blocked: not sent; confirmed: a warning the agent overrode; proactive_refused: CMP-6. */
  action: 'blocked' | 'confirmed' | 'proactive_refused';
  verdict: 'block' | 'warn';
  rules: ComplianceRuleId[];
  findings: Finding[];
  text: string;
  createdAt: number;
  /** Issue #17: a supervisor's judgement of the block or warning (absent until reviewed). */
  review?: 'correct' | 'wrong';
  reviewedBy?: AgentId;
  reviewedAt?: number;
}

/** CMP-4: a checkable promise, recorded against the buyer's order and shown to the next agent. */
export interface RecordedPromise extends Omit<CheckablePromise, 'span'> {
  id: string;
  shopId: ShopId;
  buyerId: BuyerId;
  orderId: string | null;
  conversationId: ConversationId;
  agentId: AgentId;
  messageSeq: number;
  createdAt: number;
}

/** Where compliance keeps its settings and records. */
export interface ComplianceStore {
  complianceSettings(shopId: ShopId): Promise<ComplianceSettings>;
  appendLog(entry: ComplianceLogEntry): Promise<void>;
  recordPromises(promises: RecordedPromise[]): Promise<void>;
  /** CMP-6: when proactive messages went to this buyer since `since`. */
  proactiveSentSince(shopId: ShopId, buyerId: BuyerId, since: number): Promise<number[]>;
}

/** The body of a compliance_blocked / compliance_confirm error: what the workbench shows. */
export interface ComplianceErrorDetails {
  verdict: 'block' | 'warn';
  findings: Finding[];
  /** The whole message with every rewrite in place, when there is one. */
  suggestion?: string;
}

/** Who is sending and where. */
export interface GuardTarget {
  shopId: ShopId;
  agentId: AgentId;
  conversationId: ConversationId;
  buyerId: BuyerId;
}

/** Reads the QR codes and barcodes in an uploaded image: their texts, or null when it cannot. */
export type ImageCodes = (shopId: ShopId, imageUrl: string) => Promise<string[] | null>;

/** A buyer's orders that the checker may see (their numbers are never phones or bank cards). */
export type BuyerOrders = (shopId: ShopId, buyerId: BuyerId) => Promise<Order[]>;

const rulesOf = (findings: Finding[]): ComplianceRuleId[] => [...new Set(findings.map((f) => f.rule))];

/** The body of a refusal: the verdict, every finding and the rewrite, when there is one. */
function detailsOf(result: CheckResult): ComplianceErrorDetails {
  return {
    verdict: result.verdict === 'block' ? 'block' : 'warn',
    findings: result.findings,
    ...(result.suggestion !== undefined ? { suggestion: result.suggestion } : {}),
  };
}

/** The findings of the worst verdict, for the error message (English; the clients localise). */
function summaryOf(result: CheckResult): string {
  return result.findings
    .filter((f) => f.verdict === result.verdict)
    .map((f) => `${f.rule} ${f.reason.en}`)
    .join('; ');
}

/** The order a promise is about: the newest one still moving, else the newest. */
export function promiseOrder(orders: Order[]): Order | undefined {
  const newest = [...orders].sort((a, b) => b.createdAt - a.createdAt);
  return newest.find((o) => o.status !== 'completed' && o.status !== 'closed') ?? newest[0];
}

/**
 * CMP-1 … CMP-5 on the server, the authority: every agent text is checked before it is stored.
 * A block is never sent and is logged; a warning is sent only when the agent confirms, and the
 * confirmation is logged. Checkable promises (CMP-4) are recorded against the buyer's order
 * once the message is stored. Checkers are compiled once per shop and settings.
 */
export class ComplianceGuard {
  private readonly compiled = new Map<ShopId, { key: string; checker: Checker; at: number }>();

  constructor(
    private readonly deps: {
      store: ComplianceStore;
      compile: (settings: ComplianceSettings) => Checker;
      orders: BuyerOrders;
      clock: Clock;
      ids: { next(): string };
      /** The shop's IANA time zone, for promise due dates. */
      timeZone?: (shopId: ShopId) => Promise<string>;
      /** How long a compiled checker is trusted before the settings are read again (other nodes' edits). */
      ttlMs?: number;
      /**
       * The texts of the QR codes and barcodes in an image (`/uploads/<id>`), or null when the
       * image cannot be read (corrupt, too large, too slow): such an image is refused unchecked.
       */
      imageCodes?: ImageCodes;
      /**
       * Issue #17: the shop's model judges a warning the statistical layer is unsure of (the warn
       * band) before an agent's text goes; it returns the result to use. Optional, like the model.
       */
      secondOpinion?: (shopId: ShopId, text: string, result: CheckResult) => Promise<CheckResult>;
      /**
       * Issue #19 (CMP-4): told of promises once they are recorded, to check them against what
       * happens (timers at their due times). It must not throw: the message and the record stand.
       */
      promisesRecorded?: (promises: RecordedPromise[]) => Promise<void>;
    },
  ) {}

  /** The shop's checker, compiled from its current settings. */
  async checkerFor(shopId: ShopId): Promise<Checker> {
    const now = this.deps.clock.now();
    const cached = this.compiled.get(shopId);
    if (cached && now - cached.at < (this.deps.ttlMs ?? 5_000)) return cached.checker;
    const settings = await this.deps.store.complianceSettings(shopId);
    const key = JSON.stringify(settings);
    if (cached && cached.key === key) {
      cached.at = now;
      return cached.checker;
    }
    const checker = this.deps.compile(settings);
    this.compiled.set(shopId, { key, checker, at: now });
    return checker;
  }

  /** Forget a shop's checker (its settings changed on this node). */
  invalidate(shopId: ShopId): void {
    this.compiled.delete(shopId);
  }

  /** Checks a text for a conversation: what the workbench shows as the agent types. */
  async check(
    shopId: ShopId,
    buyerId: BuyerId | null,
    text: string,
    voice: CheckContext['voice'] = 'shop',
  ): Promise<CheckResult> {
    const checker = await this.checkerFor(shopId);
    return checker.check(text, { ...(await this.context(shopId, buyerId)), voice });
  }

  /**
   * A text the shop writes once and the bot or the widget sends to buyers later (its welcome
   * line, an FAQ answer, a quick reply…): refused when a rule blocks it, naming `field`, and the
   * refusal logged for the supervisor when an agent wrote it (`by`); warnings are the shop's call
   * (it wrote the text deliberately), and are checked again whenever it is sent. `voice` 'buyer':
   * the text is in the buyer's words (an FAQ question), read by the lexicons only.
   */
  async screenShopText(
    shopId: ShopId,
    text: string,
    field: string,
    by?: { agentId: AgentId },
    voice: CheckContext['voice'] = 'shop',
  ): Promise<void> {
    const result = await this.check(shopId, null, text, voice);
    if (result.verdict !== 'block') return;
    if (by)
      await this.log(
        { shopId, agentId: by.agentId, conversationId: null, buyerId: null },
        'blocked',
        result,
        text,
      );
    throw new DomainError('compliance_blocked', `not saved: ${summaryOf(result)}`, field, detailsOf(result));
  }

  /**
   * Screens a bot message before it is stored: a block is never sent and is logged (sender
   * BOT_SENDER); a warning goes out, since the shop saved the text knowing it. The bot hands the
   * buyer to a person instead (BOT-3: never silent).
   */
  async screenBot(
    target: { shopId: ShopId; conversationId: ConversationId; buyerId: BuyerId },
    text: string,
  ): Promise<CheckResult> {
    const result = await this.check(target.shopId, target.buyerId, text);
    if (result.verdict !== 'block') return result;
    await this.log({ ...target, agentId: BOT_SENDER }, 'blocked', result, text);
    throw new DomainError('compliance_blocked', `not sent: ${summaryOf(result)}`, 'text', detailsOf(result));
  }

  /**
   * Screens an agent's text before it is stored. Throws compliance_blocked (logged) or, for a
   * warning not confirmed, compliance_confirm; a confirmed warning is logged as an override.
   */
  async screen(
    /** conversationId null: a text that leaves the shop outside a chat (a review's reply). */
    target: Omit<GuardTarget, 'conversationId'> & { conversationId: ConversationId | null },
    text: string,
    confirmWarnings: boolean,
  ): Promise<CheckResult> {
    const result = await this.judged(
      target.shopId,
      text,
      await this.check(target.shopId, target.buyerId, text),
    );
    if (result.verdict === 'pass') return result;
    const details = detailsOf(result);
    const summary = summaryOf(result);
    if (result.verdict === 'block') {
      await this.log(target, 'blocked', result, text);
      throw new DomainError('compliance_blocked', `not sent: ${summary}`, 'text', details);
    }
    if (!confirmWarnings)
      throw new DomainError('compliance_confirm', `confirm to send: ${summary}`, 'text', details);
    await this.log(target, 'confirmed', result, text);
    return result;
  }

  /**
   * Logs a block the workbench stopped before it reached the server's send (the agent pressed
   * Enter on a blocked text, or picked a blocked quick reply): supervisors see attempts, not
   * keystrokes. Returns the check it logged.
   */
  async logAttempt(target: GuardTarget, text: string): Promise<CheckResult> {
    const result = await this.judged(
      target.shopId,
      text,
      await this.check(target.shopId, target.buyerId, text),
    );
    if (result.verdict === 'block') await this.log(target, 'blocked', result, text);
    return result;
  }

  /**
   * CMP-3 for images: every QR code and barcode in the image is decoded and its text checked like
   * an agent's; a blocking finding blocks the image (logged as `[图片二维码] <text>`, thrown as
   * compliance_blocked naming `field`). An image that cannot be read is refused (validation_failed).
   */
  async screenImage(target: GuardTarget, imageUrl: string, field = 'body.url'): Promise<void> {
    const found = await this.imageFindings(target.shopId, target.buyerId, imageUrl, field);
    if (!found) return;
    await this.log(target, 'blocked', { verdict: 'block', findings: found.findings }, found.text);
    throw found.error;
  }

  /**
   * An image the shop saves to send to many buyers (a quick reply's): refused like `screenImage`,
   * and logged against the agent who tried (`by`), as `screenShopText` does.
   */
  async screenShopImage(
    shopId: ShopId,
    imageUrl: string,
    field: string,
    by?: { agentId: AgentId },
  ): Promise<void> {
    const found = await this.imageFindings(shopId, null, imageUrl, field);
    if (!found) return;
    if (by)
      await this.log(
        { shopId, agentId: by.agentId, conversationId: null, buyerId: null },
        'blocked',
        { verdict: 'block', findings: found.findings },
        found.text,
      );
    throw found.error;
  }

  private async imageFindings(
    shopId: ShopId,
    buyerId: BuyerId | null,
    imageUrl: string,
    field: string,
  ): Promise<{ findings: Finding[]; text: string; error: DomainError } | undefined> {
    if (!this.deps.imageCodes) return undefined;
    const codes = await this.deps.imageCodes(shopId, imageUrl);
    if (codes === null)
      throw new DomainError(
        'validation_failed',
        `${field}: the image could not be read to check it for QR codes (corrupt, or too large)`,
        field,
      );
    if (codes.length === 0) return undefined;
    const checker = await this.checkerFor(shopId);
    const ctx = await this.context(shopId, buyerId);
    const blocked = codes.flatMap((code) => {
      const findings = imageCodeFindings(code, checker.check(code, ctx));
      return findings.length ? [{ code, findings }] : [];
    });
    if (blocked.length === 0) return undefined;
    const findings = blocked.flatMap((b) => b.findings);
    const details: ComplianceErrorDetails = { verdict: 'block', findings };
    const summary = findings.map((f) => `${f.rule} ${f.reason.en}`).join('; ');
    return {
      findings,
      text: blocked.map((b) => `${IMAGE_CODE_LOG_PREFIX} ${b.code}`).join('\n'),
      error: new DomainError('compliance_blocked', `not sent: ${summary}`, field, details),
    };
  }

  /** CMP-4: records the message's checkable promises against the buyer's order. */
  async recordPromises(target: GuardTarget, result: CheckResult, messageSeq: number): Promise<void> {
    if (result.promises.length === 0) return;
    const order = promiseOrder(await this.deps.orders(target.shopId, target.buyerId));
    const now = this.deps.clock.now();
    const recorded: RecordedPromise[] = result.promises.map(({ span: _span, ...p }) => ({
      ...p,
      id: this.deps.ids.next(),
      shopId: target.shopId,
      buyerId: target.buyerId,
      orderId: order?.id ?? null,
      conversationId: target.conversationId,
      agentId: target.agentId,
      messageSeq,
      createdAt: now,
    }));
    await this.deps.store.recordPromises(recorded);
    await this.deps.promisesRecorded?.(recorded);
  }

  /** CMP-6: may a proactive message go to this buyer now? Logged and thrown when not. */
  async screenProactive(
    target: Omit<GuardTarget, 'conversationId'> & { conversationId: ConversationId | null },
    text: string,
    timeZone: string,
  ): Promise<void> {
    const settings = await this.deps.store.complianceSettings(target.shopId);
    const now = this.deps.clock.now();
    const sent = await this.deps.store.proactiveSentSince(target.shopId, target.buyerId, now - 7 * DAY);
    const result = checkProactive({
      sentTimestamps: sent,
      now,
      tz: timeZone,
      settings: settings.proactive ?? DEFAULT_PROACTIVE_SETTINGS,
    });
    if (result.verdict === 'pass') return;
    await this.log(target, 'proactive_refused', { verdict: 'block', findings: result.findings }, text);
    const details: ComplianceErrorDetails & { nextAllowedAt?: number } = {
      verdict: 'block',
      findings: result.findings,
      ...(result.nextAllowedAt !== undefined ? { nextAllowedAt: result.nextAllowedAt } : {}),
    };
    throw new DomainError(
      'compliance_blocked',
      `not sent: ${result.findings.map((f) => `CMP-6 ${f.reason.en}`).join('; ')}`,
      'text',
      details,
    );
  }

  /**
   * Issue #17: a result in the warn band (its worst verdict a warning, at least one of them the
   * statistical layer's; see isInWarnBand) with the shop's second opinion applied. Not asked
   * while the agent types (`check`); any failure keeps the local result.
   */
  private async judged(shopId: ShopId, text: string, result: CheckResult): Promise<CheckResult> {
    const judge = this.deps.secondOpinion;
    if (
      !judge ||
      result.verdict !== 'warn' ||
      !result.findings.some((f) => f.source === 'model' && f.verdict === 'warn')
    )
      return result;
    try {
      return await judge(shopId, text, result);
    } catch {
      return result;
    }
  }

  private async context(shopId: ShopId, buyerId: BuyerId | null): Promise<CheckContext> {
    const ctx: CheckContext = { now: this.deps.clock.now() };
    if (this.deps.timeZone) ctx.tz = await this.deps.timeZone(shopId);
    if (buyerId) {
      const orders = await this.deps.orders(shopId, buyerId);
      ctx.orderIds = orders.map((o) => o.id);
      ctx.knownNumbers = orders.flatMap((o) => (o.trackingNo ? [o.trackingNo] : []));
    }
    return ctx;
  }

  private async log(
    target: Omit<GuardTarget, 'conversationId' | 'buyerId'> & {
      conversationId: ConversationId | null;
      buyerId: BuyerId | null;
    },
    action: ComplianceLogEntry['action'],
    result: Pick<CheckResult, 'verdict' | 'findings'>,
    text: string,
  ): Promise<void> {
    await this.deps.store.appendLog({
      id: this.deps.ids.next(),
      shopId: target.shopId,
      agentId: target.agentId,
      conversationId: target.conversationId,
      buyerId: target.buyerId,
      action,
      verdict: result.verdict === 'block' ? 'block' : 'warn',
      rules: rulesOf(result.findings),
      findings: result.findings,
      text,
      createdAt: this.deps.clock.now(),
    });
  }
}
