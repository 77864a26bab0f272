/**
 * Issue #19: after-sales words and countdowns shared by the widget and the workbench (zh-CN and
 * en). Free of zod: the widget bundles it.
 */
type Lang = 'zh-CN' | 'en';

export type CaseKind = 'refund-only' | 'return-refund' | 'exchange' | 'reship' | 'compensation';
export type CaseStatus =
  | 'requested'
  | 'approved'
  | 'rejected'
  | 'awaiting-return'
  | 'return-shipped'
  | 'received'
  | 'refunded'
  | 'reshipped'
  | 'compensated'
  | 'closed';
export type DeadlineKind = 'merchant-answer' | 'buyer-ship' | 'merchant-refund';

export const CASE_KIND_LABELS: Record<Lang, Record<CaseKind, string>> = {
  'zh-CN': {
    'refund-only': '仅退款',
    'return-refund': '退货退款',
    exchange: '换货',
    reship: '补发',
    compensation: '补偿',
  },
  en: {
    'refund-only': 'Refund only',
    'return-refund': 'Return and refund',
    exchange: 'Exchange',
    reship: 'Reship',
    compensation: 'Compensation',
  },
};

export const CASE_STATUS_LABELS: Record<Lang, Record<CaseStatus, string>> = {
  'zh-CN': {
    requested: '待商家处理',
    approved: '已同意',
    rejected: '已拒绝',
    'awaiting-return': '待寄回',
    'return-shipped': '已寄回',
    received: '商家已收货',
    refunded: '已退款',
    reshipped: '已补发',
    compensated: '已补偿',
    closed: '已关闭',
  },
  en: {
    requested: 'Awaiting the shop',
    approved: 'Approved',
    rejected: 'Rejected',
    'awaiting-return': 'Awaiting return',
    'return-shipped': 'Return shipped',
    received: 'Received by the shop',
    refunded: 'Refunded',
    reshipped: 'Reshipped',
    compensated: 'Compensated',
    closed: 'Closed',
  },
};

/** Whose clock runs: "商家处理剩余 47:59:30". */
export const DEADLINE_LABELS: Record<Lang, Record<DeadlineKind, string>> = {
  'zh-CN': {
    'merchant-answer': '商家处理剩余',
    'buyer-ship': '寄回剩余',
    'merchant-refund': '商家退款剩余',
  },
  en: {
    'merchant-answer': 'Shop answers within',
    'buyer-ship': 'Ship the return within',
    'merchant-refund': 'Shop refunds within',
  },
};

/** The step names of a decision waiting on the shop's platform. */
export const CASE_STEP_LABELS: Record<Lang, Record<string, string>> = {
  'zh-CN': {
    approve: '同意',
    reject: '拒绝',
    restock: '入库',
    refund: '退款',
    reserve: '预留库存',
    ship: '发货',
    coupon: '发券',
    gift: '赠品',
  },
  en: {
    approve: 'approve',
    reject: 'reject',
    restock: 'restock',
    refund: 'refund',
    reserve: 'reserve stock',
    ship: 'ship',
    coupon: 'coupon',
    gift: 'gift',
  },
};

/** Who moved a case, as its history says it. */
export const CASE_BY_LABELS: Record<Lang, Record<string, string>> = {
  'zh-CN': { buyer: '买家', agent: '客服', system: '系统', platform: '平台' },
  en: { buyer: 'Buyer', agent: 'Agent', system: 'System', platform: 'Platform' },
};

/** What happened, for a history line whose status alone does not say it (the engine's reasons). */
export const CASE_REASON_LABELS: Record<Lang, Record<string, string>> = {
  'zh-CN': {
    deadline: '超时自动处理',
    escalated: '升级转交',
    urgent: '标记加急',
    taken: '接手',
    'refund-overdue': '退款已超时',
    'return-not-shipped': '买家未按时寄回',
    'workflow-failed': '平台执行失败',
    'workflow-unapplied': '平台已执行，待人工核对',
    'late-step': '平台迟到确认，待人工核对',
    'carrier-claim': '向快递索赔',
    'carrier-claim-settled': '快递赔付到账',
  },
  en: {
    deadline: 'automatic, on the deadline',
    escalated: 'escalated',
    urgent: 'marked urgent',
    taken: 'taken',
    'refund-overdue': 'refund overdue',
    'return-not-shipped': 'return not sent in time',
    'workflow-failed': 'the platform could not do it',
    'workflow-unapplied': 'done on the platform, to reconcile',
    'late-step': 'confirmed late, to reconcile',
    'carrier-claim': 'claimed from the carrier',
    'carrier-claim-settled': 'the carrier paid back',
  },
};

/**
 * The kinds a buyer may ask for on an order: one not shipped yet can only be refunded or
 * compensated (nothing to return, exchange or reship); a shipped one, any.
 */
export function kindsForOrder(orderStatus: string): CaseKind[] {
  if (orderStatus === 'unpaid' || orderStatus === 'paid') return ['refund-only', 'compensation'];
  return ['refund-only', 'return-refund', 'exchange', 'reship', 'compensation'];
}

/** A remaining time as H:MM:SS (hours past 24 kept: "47:59:30"); zero once passed. */
export function countdownText(remainingMs: number): string {
  const s = Math.max(0, Math.floor(remainingMs / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

/**
 * The server's clock minus ours, from a response's `now` taken at `receivedAt` (our clock):
 * countdowns read `Date.now() + offset` so that a wrong client clock does not shift them.
 */
export function clockOffset(serverNow: number, receivedAt: number): number {
  return serverNow - receivedAt;
}

/** Whether a deadline is inside the shop's alert window (its countdown turns red). */
export function deadlineNear(deadlineAt: number, now: number, alertHours: number): boolean {
  return deadlineAt - now <= alertHours * 3_600_000;
}

/** The countdown line of a case's deadline, or null when no clock runs. */
export function deadlineLine(
  lang: Lang,
  deadline: { kind: string; at: number } | null,
  now: number,
): string | null {
  if (!deadline) return null;
  const label =
    DEADLINE_LABELS[lang][deadline.kind as DeadlineKind] ?? DEADLINE_LABELS[lang]['merchant-answer'];
  return `${label} ${countdownText(deadline.at - now)}`;
}

const SCOPE_LABELS: Record<Lang, Record<string, string>> = {
  'zh-CN': { store: '全店通用', item: '指定商品', category: '指定类目' },
  en: { store: 'store-wide', item: 'on the item', category: 'on a category' },
};

/**
 * What an after-sales refusal says to a person, from the `details.issue` the engine gives it (a
 * special good, a stingy coupon, a role without the right…); undefined for any other error.
 */
export function aftersalesIssueText(details: unknown, lang: Lang): string | undefined {
  const d = details as { issue?: unknown; allowed?: unknown; min?: unknown } | undefined;
  if (!d || typeof d.issue !== 'string') return undefined;
  const zh = lang === 'zh-CN';
  const list = (words: Record<string, string>) =>
    Array.isArray(d.allowed)
      ? d.allowed.map((k) => words[String(k)] ?? String(k)).join(zh ? '、' : ', ')
      : '';
  switch (d.issue) {
    case 'aftersales_special_goods':
      return zh
        ? `特殊商品（生鲜、水果、虚拟或定制）不支持无理由退换，可申请：${list(CASE_KIND_LABELS[lang])}`
        : `Special goods (fresh, fruit, virtual or custom-made) cannot be returned; you may ask for: ${list(CASE_KIND_LABELS[lang])}`;
    case 'aftersales_role':
      return zh ? '只有店主或管理员可以做此决定' : 'Only the owner or an admin may decide this';
    case 'aftersales_actor':
      return zh ? '没有权限执行此操作' : 'You may not do this';
    case 'aftersales_kind_event':
    case 'aftersales_closed':
    case 'aftersales_step_not_waiting':
      return zh
        ? '售后单当前的状态不能这样处理，请刷新后再试'
        : 'The case cannot do this now; reload and try again';
    case 'aftersales_workflow_running':
      return zh
        ? '上一步正在等待平台确认，请稍后再试'
        : 'The last step is waiting for the platform; try again later';
    case 'aftersales_unpaid':
      return zh ? '订单尚未付款，不能申请售后' : 'The order is not paid: nothing to ask back';
    case 'aftersales_item':
      return zh ? '所选商品不在该订单中' : 'That item is not in the order';
    case 'aftersales_not_shipped':
      return zh
        ? '订单尚未发货，只能申请仅退款或补偿'
        : 'The order has not shipped: refund only or compensation';
    case 'aftersales_duplicate':
      return zh ? '该订单已有同类售后在处理中' : 'This order already has such a case open';
    case 'aftersales_amount':
      return zh ? '金额填写有误' : 'The amount is not valid';
    case 'aftersales_amount_above_paid':
      return zh ? '金额超过了订单实付金额' : 'The amount is more than was paid';
    case 'coupon_amount':
      return zh ? '优惠券面额须大于 0' : 'The coupon must be worth more than 0';
    case 'coupon_validity':
      return zh
        ? `优惠券有效期至少 ${String(d.min)} 天`
        : `The coupon must be valid for at least ${String(d.min)} days`;
    case 'coupon_scope':
      return zh
        ? `优惠券须${list(SCOPE_LABELS[lang])}可用`
        : `The coupon must be usable ${list(SCOPE_LABELS[lang])}`;
    case 'coupon_items':
      return zh ? '指定商品的优惠券须包含该商品' : 'An item coupon must name the item';
    case 'compensation_empty':
      return zh
        ? '请至少填写一种补偿：金额、优惠券或赠品'
        : 'Give at least one of: an amount, a coupon, a gift';
    case 'aftersales_rate_open':
      return zh ? '售后完成后才能评价' : 'Rate the case once it is finished';
    case 'aftersales_rated':
      return zh ? '您已评价过' : 'You have rated this already';
    default:
      return undefined;
  }
}

/** The step names a decision waits on ("退款、入库"): shown after 等待平台确认. */
export function waitingStepsText(lang: Lang, steps: readonly { name: string; status: string }[]): string {
  return steps
    .filter((s) => s.status === 'waiting' || s.status === 'pending')
    .map((s) => CASE_STEP_LABELS[lang][s.name] ?? s.name)
    .join(lang === 'zh-CN' ? '、' : ', ');
}

export type CaseAction =
  | 'approve'
  | 'reject'
  | 'receive'
  | 'refund'
  | 'reship'
  | 'compensate'
  | 'escalate'
  | 'take'
  | 'mark-urgent'
  | 'claim-carrier'
  | 'claim-settle';

/**
 * The actions an agent may take on a case now, by its kind and status and whether the agent
 * decides (owner, admin, cs_admin: AS-6) — the engine's transitions, so no button leads to a
 * refusal the agent could have been spared.
 */
export function caseActions(
  c: {
    kind: CaseKind;
    status: CaseStatus;
    open: boolean;
    holder: string | null;
    urgent: boolean;
    claim?: { status: 'open' | 'settled' } | null;
  },
  me: { id: string; decides: boolean },
): CaseAction[] {
  const d = me.decides;
  if (!c.open) {
    // AS-4: once the buyer is made whole, the shop chases the carrier.
    const remedied = c.status === 'refunded' || c.status === 'reshipped' || c.status === 'compensated';
    if (remedied && !c.claim) return ['claim-carrier'];
    if (c.claim?.status === 'open' && d) return ['claim-settle'];
    return [];
  }
  const out: CaseAction[] = [];
  if (c.status === 'requested') {
    if (d) out.push('approve', 'reject');
    if (d && c.kind === 'compensation') out.push('compensate');
  }
  if (c.status === 'approved') {
    if (d && c.kind === 'refund-only') out.push('refund');
    if (c.kind === 'reship') out.push('reship');
    if (d && c.kind === 'compensation') out.push('compensate');
  }
  if (c.status === 'awaiting-return' || c.status === 'return-shipped') out.push('receive');
  if (c.status === 'received') {
    if (d && c.kind === 'return-refund') out.push('refund');
    if (c.kind === 'exchange') out.push('reship');
  }
  // AS-6: a held case is moved on by its holder or a supervisor.
  if (c.holder === null || c.holder === me.id || d) out.push('escalate');
  if (c.holder !== me.id && (c.holder === null || d)) out.push('take');
  if (d && !c.urgent) out.push('mark-urgent');
  return out;
}
