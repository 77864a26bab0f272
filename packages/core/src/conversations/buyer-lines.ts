/**
 * BOT-3 / BOT-5: what the buyer is told as their conversation moves, so nobody waits in silence:
 * who took them, that they wait and where, and when people are back. zh-CN (the widget shows them
 * as they are); each system message carries a code so a client may translate.
 */
export const BUYER_LINES = {
  /** A person took the conversation. */
  agentJoined: (name: string) => `客服${name}为您服务`,
  /** RT-5: nobody is online; an agent of the offline list will answer. */
  agentLater: (name: string, hours: string) =>
    `当前客服不在线，已为您转给客服${name}，上线后会第一时间回复您（服务时间 ${hours}）。`,
  /** RT-4: agents are here but busy. */
  queuedBusy: (position: number) =>
    position <= 1
      ? '客服正忙，您排在第 1 位，马上为您服务，请稍候～'
      : `客服正忙，您已进入排队，前面还有 ${position - 1} 位，请稍候～`,
  /** BOT-5: nobody is here; the conversation waits, it is not dropped. */
  queuedNobody: (position: number, hours: string) =>
    `当前没有客服在线（服务时间 ${hours}），您已进入排队（第 ${position} 位），客服上线后会第一时间回复您。`,
} as const;

/** Codes of the system messages above, for clients. */
export type BuyerLineCode = 'agent_joined' | 'agent_later' | 'queued';
