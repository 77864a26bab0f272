/**
 * Issue #19: the buyer's after-sales in the widget — 申请售后 from an order card (kind, reason,
 * amount, photos), 我的售后 with each case's status and a live countdown to its deadline, the
 * return's tracking when the shop awaits it, and a 1–5 rating once finished.
 */
import type { BuyerCaseOut } from '@xiaoer/protocol/aftersales';
import { answerOf } from './answer';
import {
  CASE_KIND_LABELS,
  CASE_STATUS_LABELS,
  clockOffset,
  deadlineLine,
  kindsForOrder,
  type CaseKind,
} from '@xiaoer/protocol/aftersales-labels';
import { errorText, type ErrorLike } from '@xiaoer/protocol/error-text';
import type { Lang, Strings } from './i18n';
import { MAX_IMAGE_BYTES } from '@xiaoer/protocol/limits';

/** What the widget lends the view: its requests (with the buyer token) and its images. */
export interface AftersalesHost {
  origin: string;
  lang: Lang;
  t: Strings;
  fetch(url: string, init: RequestInit): Promise<Response | undefined>;
  imageSrc(url: string): Promise<string>;
}

/** The case as the buyer sees it (the protocol's wire shape). */
export type BuyerCase = BuyerCaseOut;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Yuan as typed ("12.5") in cents, or null when it is not an amount. */
export function yuanToCents(text: string): number | null {
  const s = text.trim();
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return null;
  return Math.round(Number(s) * 100);
}

export class AftersalesView {
  /** The view's box (shown in place of the chat). */
  readonly root: HTMLDivElement;
  private cases: BuyerCase[] = [];
  /** The server's clock minus ours (countdowns read the server's time). */
  private offset = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The countdown lines shown, updated each second. */
  private clocks: { node: HTMLElement; deadline: { kind: string; at: number } }[] = [];

  constructor(
    private readonly host: AftersalesHost,
    private readonly onClose: () => void,
  ) {
    this.root = el('div', { class: 'as', 'data-testid': 'xiaoer-as', hidden: '' });
  }

  get shown(): boolean {
    return !this.root.hidden;
  }

  hide(): void {
    this.root.hidden = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private show(): void {
    this.root.hidden = false;
    if (!this.timer) this.timer = setInterval(() => this.tick(), 1000);
  }

  /** 我的售后: the buyer's cases, newest first, fetched afresh. */
  async showList(): Promise<void> {
    this.show();
    this.renderList(null);
    const res = await this.host.fetch(`${this.host.origin}/api/widget/aftersales`, { method: 'GET' });
    if (!res?.ok) {
      this.renderList(await this.failure(res));
      return;
    }
    const body = await answerOf(res, 'GET', '/api/widget/aftersales');
    this.offset = clockOffset(body.now, Date.now());
    this.cases = body.cases;
    this.renderList(null);
  }

  /** A case pushed over the socket ('aftersales:changed'): its row changes in place. */
  upsert(c: BuyerCase): void {
    const at = this.cases.findIndex((x) => x.id === c.id);
    if (at >= 0) this.cases[at] = c;
    else this.cases.unshift(c);
    if (this.shown && this.root.dataset.view === 'list') this.renderList(null);
  }

  /** 申请售后 from 我的售后: the buyer's own orders to pick from (AS-1). */
  async showOrders(): Promise<void> {
    this.show();
    const t = this.host.t;
    this.root.dataset.view = 'orders';
    const list = el('div', { class: 'as-list', 'data-testid': 'xiaoer-as-orders' });
    list.appendChild(el('div', { class: 'as-title' }, t.asPickOrder));
    this.root.replaceChildren(this.topBar(), list);
    const res = await this.host.fetch(`${this.host.origin}/api/widget/orders`, { method: 'GET' });
    if (!res?.ok) {
      list.appendChild(el('div', { class: 'as-error' }, await this.failure(res)));
      return;
    }
    const { orders } = await answerOf(res, 'GET', '/api/widget/orders');
    const open = orders.filter((o) => o.status !== 'unpaid' && o.status !== 'closed');
    if (open.length === 0) list.appendChild(el('div', { class: 'as-empty' }, t.asNoOrders));
    for (const o of open) {
      const b = el('button', {
        type: 'button',
        class: 'as-order',
        'data-testid': 'xiaoer-as-order',
        'data-order': o.orderId,
      });
      const head = el('div', { class: 'as-head' });
      head.append(
        el('span', { class: 'as-kindname' }, `${t.order} ${o.orderId}`),
        el('span', { class: 'as-status' }, t.orderStatus[o.status] ?? o.status),
      );
      b.append(
        head,
        el('div', { class: 'as-reason' }, o.items.map((i) => `${i.title} ×${i.quantity}`).join('、')),
        el('div', { class: 'as-note' }, `¥${(o.totalCents / 100).toFixed(2)}`),
      );
      b.addEventListener('click', () => this.showForm(o));
      list.appendChild(b);
    }
  }

  /** 申请售后 for an order of the card (its status decides the kinds offered). */
  showForm(order: {
    orderId: string;
    status: string;
    totalCents: number;
    /** With their product ids (from the order list), the buyer picks which items the case is for. */
    items?: { productId?: string; title: string; quantity: number }[];
  }): void {
    this.show();
    const t = this.host.t;
    this.root.dataset.view = 'form';
    const form = el('form', { class: 'as-form', 'data-testid': 'xiaoer-as-form' });
    form.append(el('div', { class: 'as-title' }, `${t.asOpen} · ${t.order} ${order.orderId}`));
    form.append(el('div', { class: 'as-label' }, t.asKind));
    const kinds = el('div', { class: 'as-kinds', role: 'radiogroup' });
    const allowed = kindsForOrder(order.status);
    let kind: CaseKind = allowed[0]!;
    for (const k of allowed) {
      const b = el(
        'button',
        {
          type: 'button',
          class: 'as-kind',
          role: 'radio',
          'data-testid': 'xiaoer-as-kind',
          'data-kind': k,
          'aria-checked': String(k === kind),
        },
        CASE_KIND_LABELS[this.host.lang][k],
      );
      b.addEventListener('click', () => {
        kind = k;
        for (const x of Array.from(kinds.children))
          x.setAttribute('aria-checked', String(x.getAttribute('data-kind') === k));
      });
      kinds.appendChild(b);
    }
    // AS-1: the items the case is about (all, unless the buyer unticks some).
    const picks = (order.items ?? []).filter((i) => i.productId !== undefined);
    const itemBox = el('div', { class: 'as-items' });
    const ticks: { id: string; box: HTMLInputElement }[] = [];
    if (picks.length > 1)
      for (const item of picks) {
        const label = el('label', { class: 'as-item' });
        const box = el('input', { type: 'checkbox', 'data-testid': 'xiaoer-as-item' });
        box.checked = true;
        ticks.push({ id: item.productId!, box });
        label.append(box, document.createTextNode(` ${item.title} ×${item.quantity}`));
        itemBox.appendChild(label);
      }
    const reason = el('textarea', {
      class: 'as-input',
      rows: '3',
      maxlength: '500',
      'data-testid': 'xiaoer-as-reason',
      placeholder: t.asReasonPh,
      'aria-label': t.asReason,
    });
    const amount = el('input', {
      class: 'as-input',
      inputmode: 'decimal',
      'data-testid': 'xiaoer-as-amount',
      placeholder: `${t.asAmountPh} ${(order.totalCents / 100).toFixed(2)}`,
      'aria-label': t.asAmount,
    });
    const photos = el('div', { class: 'as-photos' });
    const evidence: string[] = [];
    const file = el('input', {
      type: 'file',
      accept: 'image/png,image/jpeg,image/gif,image/webp',
      'data-testid': 'xiaoer-as-photo',
      hidden: '',
    });
    const add = el('button', { type: 'button', class: 'as-add' }, `+ ${t.asPhotos}`);
    add.addEventListener('click', () => file.click());
    const error = el('div', { class: 'as-error', role: 'alert', 'data-testid': 'xiaoer-as-error' });
    file.addEventListener('change', () => {
      const chosen = file.files?.[0];
      file.value = '';
      if (!chosen) return;
      if (evidence.length >= 9) return;
      void this.upload(chosen).then((outcome) => {
        if ('error' in outcome) {
          error.textContent = outcome.error;
          return;
        }
        error.textContent = '';
        evidence.push(outcome.url.replace(/^\/uploads\//, ''));
        const img = el('img', { alt: '', 'data-testid': 'xiaoer-as-thumb' });
        void this.host.imageSrc(outcome.url).then(
          (src) => img.setAttribute('src', src),
          () => undefined,
        );
        photos.insertBefore(img, add);
      });
    });
    photos.append(add, file);
    const cancel = el('button', { type: 'button', class: 'as-secondary' }, t.asCancel);
    cancel.addEventListener('click', () => void this.showList());
    const submit = el(
      'button',
      { type: 'submit', class: 'as-primary', 'data-testid': 'xiaoer-as-submit' },
      t.asSubmit,
    );
    const actions = el('div', { class: 'as-actions' });
    actions.append(cancel, submit);
    form.append(kinds);
    if (ticks.length > 0) form.append(el('div', { class: 'as-label' }, t.asItems), itemBox);
    form.append(
      el('div', { class: 'as-label' }, t.asReason),
      reason,
      el('div', { class: 'as-label' }, t.asAmount),
      amount,
      el('div', { class: 'as-label' }, t.asPhotos),
      photos,
      error,
      actions,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const why = reason.value.trim();
      if (!why) {
        error.textContent = t.asReasonMissing;
        return;
      }
      const cents = amount.value.trim() ? yuanToCents(amount.value) : undefined;
      if (cents === null) {
        error.textContent = t.asAmountInvalid;
        return;
      }
      const chosen = ticks.filter((x) => x.box.checked).map((x) => x.id);
      if (ticks.length > 0 && chosen.length === 0) {
        error.textContent = t.asItemsMissing;
        return;
      }
      submit.disabled = true;
      error.textContent = '';
      void this.post('/api/widget/aftersales', {
        orderId: order.orderId,
        ...(chosen.length > 0 && chosen.length < ticks.length ? { productIds: chosen } : {}),
        kind,
        reason: why,
        ...(cents !== undefined ? { amountCents: cents } : {}),
        evidence,
      }).then((outcome) => {
        submit.disabled = false;
        if (typeof outcome === 'string') error.textContent = outcome;
        else {
          this.upsert(outcome);
          void this.showList();
        }
      });
    });
    this.root.replaceChildren(this.topBar(), form);
    reason.focus();
  }

  private topBar(): HTMLElement {
    const bar = el('div', { class: 'as-bar' });
    const back = el(
      'button',
      { type: 'button', class: 'as-back', 'data-testid': 'xiaoer-as-back' },
      `‹ ${this.host.t.asBack}`,
    );
    back.addEventListener('click', () => {
      this.hide();
      this.onClose();
    });
    bar.append(back, el('span', { class: 'as-bar-title' }, this.host.t.asMine));
    return bar;
  }

  private renderList(problem: string | null): void {
    const t = this.host.t;
    const lang = this.host.lang;
    this.root.dataset.view = 'list';
    this.clocks = [];
    const list = el('div', { class: 'as-list' });
    // AS-1: a case can be asked for from here too, not only from an order card in the chat.
    const ask = el(
      'button',
      { type: 'button', class: 'as-primary', 'data-testid': 'xiaoer-as-new' },
      t.asOpen,
    );
    ask.addEventListener('click', () => void this.showOrders());
    list.appendChild(ask);
    if (problem) list.appendChild(el('div', { class: 'as-error' }, problem));
    else if (this.cases.length === 0) list.appendChild(el('div', { class: 'as-empty' }, t.asNone));
    for (const c of this.cases) {
      const item = el('div', {
        class: 'as-case',
        'data-testid': 'xiaoer-as-case',
        'data-id': c.id,
        'data-status': c.status,
      });
      const head = el('div', { class: 'as-head' });
      head.append(
        el('span', { class: 'as-kindname' }, `${CASE_KIND_LABELS[lang][c.kind]} · ${t.order} ${c.orderId}`),
        el(
          'span',
          { class: 'as-status', 'data-testid': 'xiaoer-as-status' },
          CASE_STATUS_LABELS[lang][c.status],
        ),
      );
      item.appendChild(head);
      item.appendChild(el('div', { class: 'as-reason' }, c.reason));
      if (c.workflow?.status === 'running')
        item.appendChild(
          el('div', { class: 'as-wait', 'data-testid': 'xiaoer-as-waiting' }, t.asWaitingPlatform),
        );
      if (c.open && c.deadline) {
        const clock = el('div', { class: 'as-clock', 'data-testid': 'xiaoer-as-countdown' });
        this.clocks.push({ node: clock, deadline: c.deadline });
        item.appendChild(clock);
      }
      if (c.refundedCents > 0)
        item.appendChild(
          el('div', { class: 'as-note' }, `${t.asRefunded} ¥${(c.refundedCents / 100).toFixed(2)}`),
        );
      if (c.evidence.length > 0) {
        const photos = el('div', { class: 'as-photos' });
        for (const e of c.evidence) {
          const img = el('img', { alt: '' });
          void this.host.imageSrc(e.url).then(
            (src) => img.setAttribute('src', src),
            () => undefined,
          );
          photos.appendChild(img);
        }
        item.appendChild(photos);
      }
      if (c.status === 'awaiting-return') item.appendChild(this.shipForm(c));
      if (!c.open) item.appendChild(this.rating(c));
      list.appendChild(item);
    }
    this.root.replaceChildren(this.topBar(), list);
    this.tick();
  }

  private tick(): void {
    const now = Date.now() + this.offset;
    for (const c of this.clocks) c.node.textContent = deadlineLine(this.host.lang, c.deadline, now) ?? '';
  }

  private shipForm(c: BuyerCase): HTMLElement {
    const t = this.host.t;
    const form = el('form', { class: 'as-ship', 'data-testid': 'xiaoer-as-ship' });
    const carrier = el('input', {
      class: 'as-input',
      placeholder: t.asCarrier,
      'aria-label': t.asCarrier,
      maxlength: '40',
    });
    const tracking = el('input', {
      class: 'as-input',
      placeholder: t.asTracking,
      'aria-label': t.asTracking,
      maxlength: '64',
    });
    const submit = el('button', { type: 'submit', class: 'as-primary' }, t.asShipSubmit);
    const error = el('div', { class: 'as-error', role: 'alert' });
    form.append(el('div', { class: 'as-label' }, t.asShipTitle), carrier, tracking, submit, error);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!carrier.value.trim() || !tracking.value.trim()) {
        error.textContent = t.asShipMissing;
        return;
      }
      submit.disabled = true;
      void this.post(`/api/widget/aftersales/${encodeURIComponent(c.id)}/actions`, {
        type: 'ship-return',
        carrier: carrier.value.trim(),
        trackingNo: tracking.value.trim(),
      }).then((outcome) => {
        submit.disabled = false;
        if (typeof outcome === 'string') error.textContent = outcome;
        else this.upsert(outcome);
      });
    });
    return form;
  }

  private rating(c: BuyerCase): HTMLElement {
    const t = this.host.t;
    const box = el('div', { class: 'as-rate', 'data-testid': 'xiaoer-as-rate' });
    if (c.rating !== null) {
      box.textContent = t.asRated.replace('{n}', String(c.rating));
      return box;
    }
    const stars = el('div', { class: 'stars' });
    const error = el('div', { class: 'as-error', role: 'alert' });
    for (let n = 1; n <= 5; n++) {
      const b = el('button', {
        type: 'button',
        class: 'star',
        'data-score': String(n),
        'aria-label': t.rateStar.replace('{n}', String(n)),
      });
      b.textContent = '★';
      b.addEventListener('click', () => {
        void this.post(`/api/widget/aftersales/${encodeURIComponent(c.id)}/actions`, {
          type: 'rate',
          score: n,
        }).then((outcome) => {
          if (typeof outcome === 'string') error.textContent = outcome;
          else this.upsert(outcome);
        });
      });
      stars.appendChild(b);
    }
    box.append(el('div', { class: 'as-label' }, t.asRateTitle), stars, error);
    return box;
  }

  private async upload(file: File): Promise<{ url: string } | { error: string }> {
    if (file.size > MAX_IMAGE_BYTES) return { error: this.host.t.imageTooLarge };
    const form = new FormData();
    form.append('file', file);
    const res = await this.host.fetch(`${this.host.origin}/api/uploads`, { method: 'POST', body: form });
    if (!res?.ok) return { error: await this.failure(res, this.host.t.uploadFailed) };
    return answerOf(res, 'POST', '/api/uploads');
  }

  /** POSTs a body; the case it answers with, or the text of the refusal. */
  private async post(
    path: '/api/widget/aftersales' | `/api/widget/aftersales/${string}/actions`,
    body: unknown,
  ): Promise<BuyerCase | string> {
    const res = await this.host.fetch(`${this.host.origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res?.ok) return this.failure(res);
    return (await answerOf(res, 'POST', path)).case;
  }

  /** The buyer's words for a refused request (issue #18: never the server's English). */
  private async failure(res: Response | undefined, fallback = this.host.t.asFailed): Promise<string> {
    const body = (await res?.json().catch(() => undefined)) as { error?: ErrorLike } | undefined;
    return body?.error?.code ? errorText(body.error, this.host.lang, res?.status) : fallback;
  }
}
