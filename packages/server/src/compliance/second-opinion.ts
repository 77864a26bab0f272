import {
  applySecondOpinion,
  isInWarnBand,
  modelWarnings,
  readSecondOpinion,
  secondOpinionPrompt,
  type ChatTurn,
  type CheckResult,
  type Logger,
  type ModelSettings,
  type ShopId,
} from '@xiaoer/core';

/** `work`, or a rejection once `ms` have passed (the provider's own timeout, made certain). */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a second opinion needs of the shop's model provider (ShopModels gives both). */
export interface SecondOpinionProvider {
  /** The shop's model settings (briefly cached). */
  settingsOf(shopId: ShopId): Promise<ModelSettings>;
  /** The chat model's reply, the call bounded by the settings' timeoutMs; throws when it fails. */
  chat(settings: ModelSettings, turns: ChatTurn[]): Promise<string>;
}

/** The guard's second-opinion dependency: the result to use for a text in the warn band. */
export type SecondOpinionJudge = (shopId: ShopId, text: string, result: CheckResult) => Promise<CheckResult>;

/**
 * Issue #17: the compliance guard's second opinion from the shop's own chat model. Off (the
 * local result) unless the shop's provider is enabled with a base URL and a chat model and
 * `judgeCompliance` is on; a result outside the warn band is never sent. A failure — slower than
 * the shop's timeout, down, or a reply not in the format — keeps the local verdict, and is logged
 * once per shop and minute (as ShopModels does).
 */
export function complianceSecondOpinion(
  provider: SecondOpinionProvider,
  logger: Logger,
  now: () => number = Date.now,
): SecondOpinionJudge {
  const warned = new Map<ShopId, number>();
  const warn = (shopId: ShopId, error: unknown) => {
    const last = warned.get(shopId);
    if (last !== undefined && now() - last < 60_000) return;
    warned.set(shopId, now());
    // The reason only: a malformed reply may quote the agent's text.
    logger.warn('model provider (compliance second opinion) failed', {
      shop: shopId,
      reason: (error as Error).message,
    });
  };
  return async (shopId, text, result) => {
    if (!isInWarnBand(result)) return result;
    try {
      const s = await provider.settingsOf(shopId);
      if (!s.enabled || !s.judgeCompliance || !s.baseUrl || !s.chatModel) return result;
      const reply = await within(
        s.timeoutMs,
        provider.chat(s, secondOpinionPrompt(text, modelWarnings(result))),
      );
      const opinion = readSecondOpinion(reply);
      // The reply itself is not logged: it may repeat the agent's text.
      if (!opinion) {
        warn(shopId, new Error('the reply was not one line of JSON in the asked format'));
        return result;
      }
      return applySecondOpinion(result, opinion);
    } catch (error) {
      warn(shopId, error);
      return result;
    }
  };
}
