/**
 * The buyer chat widget: `<script src="…/widget.js" data-shop="demo" async></script>`.
 * Optional: data-lang="zh-CN|en", data-identity='{"externalId","nick","ts","nonce","sig"}' signed by the
 * shop's server, data-open="true". Renders in a Shadow DOM; talks to the origin it was loaded from.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  BuyerClientToServerEvents,
  BuyerServerToClientEvents,
  ConversationStateDto as Conversation,
  MessageDto as Message,
} from '@xiaoer/protocol';
import { pickLang, queueLine, STRINGS, type Lang, type Strings } from './i18n';
import { errorText, type ErrorLike } from '@xiaoer/protocol/error-text';
import {
  lastSeq,
  mergeMessages,
  unreadAfter,
  type PendingMessage,
  type WidgetMessage,
} from '@xiaoer/protocol/message-list';
import { AftersalesView } from './aftersales';
import { answerOf } from './answer';
import { CSS } from './styles';
import { MAX_IMAGE_BYTES, MAX_TEXT_LENGTH } from '@xiaoer/protocol/limits';

/** The `/buyer` socket, typed with the protocol's event maps (what it hears, what it sends). */
type BuyerSocket = Socket<BuyerServerToClientEvents, BuyerClientToServerEvents>;

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  const all = Array.from(document.querySelectorAll<HTMLScriptElement>('script[src]'));
  return all.find((s) => /\/widget\.js(\?|$)/.test(s.src)) ?? null;
}

function newClientId(): string {
  return (
    globalThis.crypto?.randomUUID?.() ??
    `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`
  );
}

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

// Icons as SVG paths: no emoji font or icon font needed on the shop's page.
const CHAT_ICON = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z';
const IMAGE_ICON = 'M4 5h16v14H4z M4 16l5-5 4 4 3-3 4 4 M15.5 8.5a1.5 1.5 0 1 1 0 .01';

function icon(path: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', '24');
  svg.setAttribute('height', '24');
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '2');
  svg.setAttribute('stroke-linejoin', 'round');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', path);
  svg.appendChild(p);
  return svg;
}

/** One widget on the page. */
class Widget {
  private messages: WidgetMessage[] = [];
  /** BOT-3: the shop's welcome line, shown first to every buyer (the bot on or off). */
  private welcome = '';
  private conversation: Conversation | null = null;
  private agentReadSeq = 0;
  private buyerReadSeq = 0;
  private socket: BuyerSocket | null = null;
  private outbox: PendingMessage[] = [];
  private open = false;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private lastTypingSent = 0;
  private readonly t: Strings;
  private readonly lang: Lang;
  private readonly ui: {
    launcher: HTMLButtonElement;
    badge: HTMLSpanElement;
    panel: HTMLDivElement;
    name: HTMLDivElement;
    hours: HTMLDivElement;
    banner: HTMLDivElement;
    queue: HTMLDivElement;
    list: HTMLDivElement;
    typing: HTMLDivElement;
    rating: HTMLDivElement;
    notice: HTMLDivElement;
    input: HTMLTextAreaElement;
    send: HTMLButtonElement;
    file: HTMLInputElement;
  };

  constructor(
    private readonly origin: string,
    private readonly shop: string,
    lang: string | undefined,
    private readonly identity: unknown,
  ) {
    this.lang = pickLang(lang, document.documentElement.lang || navigator.language);
    this.t = STRINGS[this.lang];
    const host = el('div', { id: 'xiaoer-widget' });
    document.body.appendChild(host);
    const root = host.attachShadow({ mode: 'open' });
    const style = el('style');
    style.textContent = CSS;
    root.appendChild(style);

    const launcher = el('button', {
      class: 'launcher',
      'data-testid': 'xiaoer-launcher',
      'aria-label': this.t.title,
    });
    launcher.appendChild(icon(CHAT_ICON));
    const badge = el('span', { class: 'badge', 'data-testid': 'xiaoer-unread', hidden: '' });
    launcher.appendChild(badge);
    const panel = el('div', { class: 'panel', 'data-testid': 'xiaoer-panel', hidden: '', role: 'dialog' });
    const header = el('div', { class: 'header' });
    const titles = el('div');
    const name = el('div', { class: 'name' }, this.t.title);
    const hours = el('div', { class: 'hours' });
    titles.append(name, hours);
    const close = el('button', { 'aria-label': this.t.close }, '×');
    // Issue #15: a person, in one tap, whatever the bot is doing.
    const human = el(
      'button',
      { class: 'human', 'data-testid': 'xiaoer-human', title: this.t.human },
      this.t.human,
    );
    // Issue #19: the buyer's after-sales cases, one tap from the header.
    const mine = el('button', { class: 'mine', 'data-testid': 'xiaoer-as-mine' }, this.t.asMine);
    const actions = el('div', { class: 'actions' });
    actions.append(mine, human, close);
    header.append(titles, actions);
    const banner = el('div', { class: 'banner', hidden: '' }, this.t.reconnecting);
    const queue = el('div', {
      class: 'queue',
      'data-testid': 'xiaoer-queue',
      hidden: '',
      'aria-live': 'polite',
    });
    const list = el('div', { class: 'list', 'aria-live': 'polite' });
    const typing = el('div', { class: 'typing' });
    const rating = el('div', {
      class: 'rating',
      'data-testid': 'xiaoer-rating',
      role: 'group',
      'aria-label': this.t.rateTitle,
      hidden: '',
    });
    const notice = el('div', { class: 'notice' });
    const composer = el('div', { class: 'composer' });
    const file = el('input', {
      type: 'file',
      accept: 'image/png,image/jpeg,image/gif,image/webp',
      hidden: '',
    });
    const attach = el('button', { class: 'attach', title: this.t.image, 'aria-label': this.t.image });
    attach.appendChild(icon(IMAGE_ICON));
    const input = el('textarea', {
      'data-testid': 'xiaoer-input',
      placeholder: this.t.placeholder,
      rows: '1',
    });
    const send = el('button', { class: 'send', 'data-testid': 'xiaoer-send' }, this.t.send);
    composer.append(file, attach, input, send);
    this.aftersales = new AftersalesView(
      {
        origin: this.origin,
        lang: this.lang,
        t: this.t,
        fetch: (url, init) => this.authedFetch(url, init),
        imageSrc: (url) => this.imageSrc(url),
      },
      () => this.showChat(true),
    );
    this.chatParts = [list, typing, rating, notice, composer];
    panel.append(header, banner, queue, this.aftersales.root, list, typing, rating, notice, composer);
    root.append(launcher, panel);
    this.ui = {
      launcher,
      badge,
      panel,
      name,
      hours,
      banner,
      queue,
      list,
      typing,
      rating,
      notice,
      input,
      send,
      file,
    };

    launcher.addEventListener('click', () => this.setOpen(!this.open));
    close.addEventListener('click', () => this.setOpen(false));
    human.addEventListener('click', () => this.say(this.t.humanText));
    mine.addEventListener('click', () => {
      if (this.aftersales.shown) {
        this.aftersales.hide();
        this.showChat(true);
      } else {
        this.showChat(false);
        void this.aftersales.showList();
      }
    });
    send.addEventListener('click', () => this.sendText());
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.sendText();
      }
    });
    input.addEventListener('input', () => this.typed());
    attach.addEventListener('click', () => file.click());
    file.addEventListener('change', () => {
      const chosen = file.files?.[0];
      file.value = '';
      if (chosen) void this.sendImage(chosen);
    });
  }

  /** Issue #19: 申请售后 and 我的售后, shown in place of the chat. */
  private readonly aftersales: AftersalesView;
  private readonly chatParts: HTMLElement[];

  private showChat(shown: boolean): void {
    for (const part of this.chatParts) part.style.display = shown ? '' : 'none';
    if (shown) this.scrollDown();
  }

  private get tokenKey(): string {
    return `xiaoer.token.${this.shop}`;
  }

  /** Opens the session over HTTP, then the socket. */
  async start(): Promise<void> {
    if (await this.openSession(false)) this.connect();
  }

  /**
   * POST /api/widget/session with the stored token (renewed each time: it expires, issue #14) and
   * the shop page's identity. `renewing`: the token was refused, so it is not sent again.
   */
  private async openSession(renewing: boolean): Promise<boolean> {
    let stored: string | null = null;
    try {
      stored = renewing ? null : localStorage.getItem(this.tokenKey);
      if (renewing) localStorage.removeItem(this.tokenKey);
    } catch {
      // storage may be blocked (private mode): an anonymous session each time
    }
    const res = await fetch(`${this.origin}/api/widget/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        shop: this.shop,
        ...(stored ? { token: stored } : {}),
        ...(this.identity ? { identity: this.identity } : {}),
      }),
    }).catch(() => undefined);
    if (!res?.ok) {
      // An identity is used once: only the shop's page can sign a new one (a reload).
      this.ui.notice.textContent =
        res?.status === 401 && this.identity ? this.t.signInAgain : `${res?.status ?? this.t.reconnecting}`;
      return false;
    }
    const session = await answerOf(res, 'POST', '/api/widget/session');
    try {
      localStorage.setItem(this.tokenKey, session.token);
    } catch {
      // see above
    }
    this.token = session.token;
    this.ui.name.textContent = session.shop.name;
    this.ui.hours.textContent = session.shop.serviceHours;
    this.welcome = session.shop.welcome;
    if (renewing) {
      // Perhaps another buyer now (a visitor whose token expired): what is shown is theirs.
      this.conversation = null;
      this.messages = this.messages.filter((m) => m.pending);
    }
    this.setConversation(session.conversation);
    this.messages = mergeMessages(
      this.messages.filter((m) => m.pending),
      session.messages,
    );
    this.render();
    return true;
  }

  /** The pending renewal, so that several refusals at once open one session. */
  private renewing: Promise<boolean> | null = null;

  /**
   * Issue #14: the server refused the token (expired, revoked, or of an older format): a new
   * session by itself, and the socket reconnects with its token.
   */
  private renew(): Promise<boolean> {
    this.renewing ??= this.openSession(true)
      .then((ok) => {
        if (ok && this.socket) {
          this.socket.auth = { token: this.token };
          if (!this.socket.connected) this.socket.connect();
        }
        return ok;
      })
      .finally(() => (this.renewing = null));
    return this.renewing;
  }

  /** fetch with the buyer token; on a 401 the session is renewed and the request sent once more. */
  private async authedFetch(url: string, init: RequestInit): Promise<Response | undefined> {
    const send = () =>
      fetch(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${this.token}` },
      }).catch(() => undefined);
    const res = await send();
    if (res?.status === 401 && (await this.renew())) return send();
    return res;
  }

  private token = '';
  /** Blob URLs of the images shown (issue #14: fetched with the token). */
  private readonly images = new Map<string, Promise<string>>();

  private connect(): void {
    const socket: BuyerSocket = io(`${this.origin}/buyer`, {
      auth: { token: this.token },
      // WebSocket first (a cluster needs no sticky sessions); long-polling where it cannot get through.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.ui.banner.hidden = true;
      void this.catchUp();
      for (const p of this.outbox.splice(0)) this.emitSend(p);
    });
    socket.on('disconnect', (reason) => {
      this.ui.banner.hidden = false;
      // Closed by the server (issue #14: the buyer's tokens were revoked), which socket.io does not
      // retry: connect again; a refused token then renews the session (connect_error below).
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', (error: Error) => {
      this.ui.banner.hidden = false;
      // Refused by the server (not a network failure): socket.io does not retry that by itself.
      if (/^unauthenticated/.test(error.message)) void this.renew();
    });
    socket.on('message:new', ({ message, conversation }) => {
      this.setConversation(conversation);
      this.messages = mergeMessages(this.messages, [message]);
      if (message.sender === 'agent') this.showTyping(false);
      this.render();
      this.markReadIfOpen();
    });
    socket.on('conversation:updated', ({ conversation }) => this.setConversation(conversation));
    socket.on('conversation:read', (e) => {
      if (e.reader === 'agent' && e.conversationId === this.conversation?.id) {
        this.agentReadSeq = Math.max(this.agentReadSeq, e.seq);
        this.render();
      }
    });
    socket.on('queue:position', (e) => {
      this.queuePlace = e;
      this.renderQueue();
    });
    // Issue #19: a case of mine moved (approved, refunded…): its row changes live.
    socket.on('aftersales:changed', ({ case: c }) => this.aftersales.upsert(c));
    socket.on('conversation:typing', (e) => {
      if (e.who === 'agent') this.showTyping(e.isTyping);
    });
  }

  /** After (re)connecting: everything after the last seq seen, each once. */
  private async catchUp(): Promise<void> {
    if (!this.conversation || !this.socket) return;
    const res = await this.socket
      .timeout(10_000)
      .emitWithAck('messages:sync', {
        conversationId: this.conversation.id,
        afterSeq: lastSeq(this.messages),
      })
      .catch(() => undefined);
    if (res?.ok) {
      this.messages = mergeMessages(this.messages, res.data.messages);
      this.render();
      this.markReadIfOpen();
    }
  }

  /** RT-4: where the buyer waits, shown while the conversation is queued. */
  private queuePlace: { conversationId: string; position: number; etaMinutes: number | null } | null = null;

  private renderQueue(): void {
    const p = this.queuePlace;
    const waiting =
      this.conversation?.status === 'queued' && p !== null && p.conversationId === this.conversation.id;
    this.ui.queue.hidden = !waiting;
    this.ui.queue.textContent = waiting ? queueLine(this.t, p.position, p.etaMinutes) : '';
  }

  private setConversation(conversation: Conversation | null): void {
    if (!conversation) return;
    if (this.conversation && this.conversation.id !== conversation.id) {
      // A new conversation after the last one ended: its seqs start again.
      this.messages = this.messages.filter((m) => m.pending);
    }
    this.conversation = conversation;
    this.agentReadSeq = Math.max(
      conversation.agentReadSeq,
      this.conversation.id === conversation.id ? this.agentReadSeq : 0,
    );
    this.buyerReadSeq = Math.max(this.buyerReadSeq, conversation.buyerReadSeq);
    this.renderQueue();
    this.renderRating();
  }

  /** The conversation the rating row belongs to (null: no row). */
  private ratingFor: string | null = null;
  /** Asked and answered or declined, when storage is blocked. */
  private readonly ratedHere = new Set<string>();

  private get ratedKey(): string {
    return `xiaoer.rated.${this.shop}`;
  }

  /** Conversations already rated or declined on this browser: never asked again. */
  private wasAsked(conversationId: string): boolean {
    if (this.ratedHere.has(conversationId)) return true;
    try {
      const ids: unknown = JSON.parse(localStorage.getItem(this.ratedKey) ?? '[]');
      return Array.isArray(ids) && ids.includes(conversationId);
    } catch {
      return false;
    }
  }

  private rememberAsked(conversationId: string): void {
    this.ratedHere.add(conversationId);
    try {
      const ids: unknown = JSON.parse(localStorage.getItem(this.ratedKey) ?? '[]');
      const kept = (Array.isArray(ids) ? ids : []).filter(
        (id): id is string => typeof id === 'string' && id !== conversationId,
      );
      localStorage.setItem(this.ratedKey, JSON.stringify([...kept, conversationId].slice(-100)));
    } catch {
      // storage blocked: remembered for this page only
    }
  }

  /** After the conversation ends, once: 1–5 stars and an optional comment (MET-6 satisfaction). */
  private renderRating(): void {
    const c = this.conversation;
    if (c && c.id === this.ratingFor) return; // the row (or its thank-you) stays as it is
    const row = this.ui.rating;
    if (!c || c.status !== 'ended' || this.wasAsked(c.id)) {
      this.ratingFor = null;
      row.hidden = true;
      row.replaceChildren();
      return;
    }
    this.ratingFor = c.id;
    const conversationId = c.id;
    let score = 0;
    const title = el('div', { class: 'rating-title' }, this.t.rateTitle);
    const stars = el('div', { class: 'stars' });
    const buttons = [1, 2, 3, 4, 5].map((n) => {
      const b = el('button', {
        type: 'button',
        class: 'star',
        'data-testid': 'xiaoer-rating-star',
        'data-score': String(n),
        'aria-label': this.t.rateStar.replace('{n}', String(n)),
        'aria-pressed': 'false',
      });
      b.textContent = '★';
      stars.appendChild(b);
      return b;
    });
    const light = (upTo: number) => buttons.forEach((b, i) => b.classList.toggle('on', i < upTo));
    const comment = el('textarea', {
      class: 'rating-comment',
      maxlength: '200',
      rows: '2',
      placeholder: this.t.rateComment,
      'aria-label': this.t.rateComment,
      hidden: '',
    });
    const skip = el('button', { type: 'button', class: 'rating-skip' }, this.t.rateSkip);
    const submit = el(
      'button',
      { type: 'button', class: 'rating-submit', 'data-testid': 'xiaoer-rating-submit', disabled: '' },
      this.t.rateSubmit,
    );
    const actions = el('div', { class: 'rating-actions' });
    actions.append(skip, submit);
    const error = el('div', { class: 'rating-error', role: 'alert' });
    buttons.forEach((b, i) => {
      b.addEventListener('mouseenter', () => light(i + 1));
      b.addEventListener('mouseleave', () => light(score));
      b.addEventListener('click', () => {
        score = i + 1;
        buttons.forEach((x, k) => x.setAttribute('aria-pressed', String(k === i)));
        light(score);
        comment.hidden = false;
        submit.disabled = false;
      });
    });
    skip.addEventListener('click', () => {
      this.rememberAsked(conversationId);
      row.hidden = true;
      row.replaceChildren();
    });
    submit.addEventListener('click', () => {
      if (score === 0) return;
      submit.disabled = true;
      error.textContent = '';
      void this.sendRating(conversationId, score, comment.value.trim()).then((outcome) => {
        if (outcome === 'done') {
          this.rememberAsked(conversationId);
          row.replaceChildren(el('div', { class: 'rating-thanks' }, this.t.rateThanks));
        } else {
          error.textContent = outcome;
          submit.disabled = false;
        }
      });
    });
    row.replaceChildren(title, stars, comment, actions, error);
    row.hidden = false;
  }

  /** POST /api/widget/rating: 'done' when stored or already rated, else the message to show. */
  private async sendRating(conversationId: string, score: number, comment: string): Promise<string> {
    const res = await this.authedFetch(`${this.origin}/api/widget/rating`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId, score, ...(comment ? { comment } : {}) }),
    });
    if (res?.ok || res?.status === 409) return 'done';
    const body = (await res?.json().catch(() => undefined)) as { error?: ErrorLike } | undefined;
    // Issue #18: the buyer's language, never the server's English.
    return body?.error?.code ? errorText(body.error, this.lang, res?.status) : this.t.rateFailed;
  }

  private setOpen(open: boolean): void {
    this.open = open;
    this.ui.panel.hidden = !open;
    if (open) {
      this.ui.input.focus();
      this.scrollDown();
      this.markReadIfOpen();
    }
    this.render();
  }

  private markReadIfOpen(): void {
    if (!this.open || !this.conversation || !this.socket?.connected) return;
    const seq = lastSeq(this.messages);
    if (seq <= this.buyerReadSeq) return;
    this.buyerReadSeq = seq;
    this.socket.emit('conversation:read', { conversationId: this.conversation.id, seq });
    this.renderBadge();
  }

  private sendText(): void {
    const text = this.ui.input.value.trim();
    if (!text) return;
    this.ui.input.value = '';
    this.say(text);
  }

  /**
   * Sends a buyer text (typed, or a tap on a choice, an order card or 转人工: the bot reads a tap as
   * the words it puts in the buyer's mouth, issue #15).
   */
  private say(text: string): void {
    if (text.length > MAX_TEXT_LENGTH) {
      this.ui.notice.textContent = this.t.tooLong;
      return;
    }
    this.ui.notice.textContent = '';
    this.queue({
      pending: true,
      clientId: newClientId(),
      kind: 'text',
      body: { text },
      sender: 'buyer',
      createdAt: Date.now(),
    });
  }

  private async sendImage(file: File): Promise<void> {
    if (file.size > MAX_IMAGE_BYTES) {
      this.ui.notice.textContent = this.t.imageTooLarge;
      return;
    }
    const form = new FormData();
    form.append('file', file);
    const res = await this.authedFetch(`${this.origin}/api/uploads`, { method: 'POST', body: form });
    if (!res?.ok) {
      const body = (await res?.json().catch(() => undefined)) as { error?: ErrorLike } | undefined;
      // Issue #14: past the upload quota, said in the buyer's language.
      this.ui.notice.textContent =
        body?.error?.code === 'quota_exceeded'
          ? this.t.uploadQuota
          : body?.error?.code
            ? errorText(body.error, this.lang, res?.status)
            : this.t.uploadFailed;
      return;
    }
    const { url } = await answerOf(res, 'POST', '/api/uploads');
    this.ui.notice.textContent = '';
    this.queue({
      pending: true,
      clientId: newClientId(),
      kind: 'image',
      body: { url },
      sender: 'buyer',
      createdAt: Date.now(),
    });
  }

  private queue(p: PendingMessage): void {
    this.messages = [...this.messages, p];
    this.render();
    if (this.socket?.connected) this.emitSend(p);
    else this.outbox.push(p);
  }

  /** Sends (or resends) with the same client id: the server stores it once. */
  private emitSend(p: PendingMessage): void {
    const socket = this.socket!;
    const { pending: _pending, sender: _sender, createdAt: _createdAt, error: _error, ...send } = p;
    socket
      .timeout(15_000)
      .emitWithAck('message:send', send)
      .then((res) => {
        if (res.ok) {
          this.setConversation(res.data.conversation);
          this.messages = mergeMessages(this.messages, [res.data.message]);
        } else {
          p.error = errorText(res.error, this.lang);
        }
        this.render();
      })
      .catch(() => {
        // No answer in time: keep it pending and send again on the next connect.
        if (!this.outbox.includes(p)) this.outbox.push(p);
      });
  }

  private typed(): void {
    if (!this.conversation || !this.socket?.connected) return;
    const now = Date.now();
    if (now - this.lastTypingSent < 2000) return;
    this.lastTypingSent = now;
    this.socket.emit('conversation:typing', { conversationId: this.conversation.id, isTyping: true });
  }

  private showTyping(on: boolean): void {
    clearTimeout(this.typingTimer);
    this.ui.typing.textContent = on ? this.t.agentTyping : '';
    if (on) this.typingTimer = setTimeout(() => (this.ui.typing.textContent = ''), 5000);
  }

  private renderBadge(): void {
    const unread = this.open ? 0 : unreadAfter(this.messages, this.buyerReadSeq);
    this.ui.badge.hidden = unread === 0;
    this.ui.badge.textContent = unread > 99 ? '99+' : String(unread);
  }

  private scrollDown(): void {
    this.ui.list.scrollTop = this.ui.list.scrollHeight;
  }

  private render(): void {
    const list = this.ui.list;
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    list.replaceChildren();
    // BOT-3: the shop greets every buyer first, before anyone else says a word.
    const hello = this.row('theirs', el('div', { class: 'who' }, this.ui.name.textContent ?? ''));
    hello.appendChild(el('div', { class: 'bubble' }, this.welcome || this.t.hello));
    hello.setAttribute('data-testid', 'xiaoer-welcome');
    list.appendChild(hello);
    // BOT-3: each agent's messages carry their name, as the system line that brought them said it.
    const names = new Map<string, string>();
    for (const m of this.messages) {
      if (m.kind === 'system' && m.body.agentId && m.body.agentName)
        names.set(m.body.agentId, m.body.agentName);
      list.appendChild(this.renderMessage(m, names));
    }
    if (nearBottom || this.messages.at(-1)?.sender === 'buyer') this.scrollDown();
    this.renderBadge();
  }

  /**
   * Issue #14: an upload is served only to those who may see it — this buyer by its bearer token —
   * so an image is fetched with the token and shown from a blob URL (once per image).
   */
  private imageSrc(url: string): Promise<string> {
    let src = this.images.get(url);
    if (!src) {
      src = fetch(`${this.origin}${url}`, { headers: { authorization: `Bearer ${this.token}` } })
        .then((res) => (res.ok ? res.blob() : Promise.reject(new Error(`image ${res.status}`))))
        .then((blob) => URL.createObjectURL(blob));
      // A failed fetch is tried again at the next render.
      src.catch(() => this.images.delete(url));
      this.images.set(url, src);
    }
    return src;
  }

  private row(kind: 'mine' | 'theirs' | 'system', ...children: HTMLElement[]): HTMLDivElement {
    const row = el('div', { class: `row ${kind}` });
    row.append(...children);
    return row;
  }

  private renderMessage(m: WidgetMessage, names: ReadonlyMap<string, string>): HTMLElement {
    const mine = m.sender === 'buyer';
    const kind = m.sender === 'system' ? 'system' : mine ? 'mine' : 'theirs';
    const bubble = el('div', { class: 'bubble' });
    // Message content is always set as text or as an attribute, never as HTML.
    const choices = m.kind === 'text' && m.sender === 'bot' ? m.body.choices : undefined;
    if (choices && choices.length > 0) {
      // Issue #15: "您是想问" with the entries as buttons; a tap asks that question.
      bubble.appendChild(el('div', {}, this.t.didYouMean));
      const list = el('div', { class: 'choices' });
      for (const c of choices) {
        const button = el('button', { class: 'choice', 'data-testid': 'xiaoer-choice' }, c.question);
        button.addEventListener('click', () => this.say(c.question));
        list.appendChild(button);
      }
      bubble.append(list, el('div', { class: 'hint' }, this.t.choiceHint));
    } else if (m.kind === 'text' || m.kind === 'system')
      bubble.textContent = (m.body as { text: string }).text;
    else if (m.kind === 'image') {
      const img = el('img', { alt: '' });
      this.imageSrc((m.body as { url: string }).url).then(
        (src) => img.setAttribute('src', src),
        () => undefined,
      );
      bubble.appendChild(img);
    } else if (m.kind === 'order_card' && !m.pending) {
      const card = this.orderCard(m.body);
      // BOT-4 (issue #15): the bot's cards ask which order; a tap names it. CRM-1 (issue #21): so do
      // the cards an agent sends to ask which order the buyer means.
      if (m.sender === 'bot' || m.sender === 'agent') {
        card.classList.add('pick');
        card.setAttribute('role', 'button');
        card.setAttribute('tabindex', '0');
        card.setAttribute('data-testid', 'xiaoer-order-pick');
        const orderId = m.body.orderId;
        card.addEventListener('click', () => this.say(`${this.t.order} ${orderId}`));
        card.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') this.say(`${this.t.order} ${orderId}`);
        });
      }
      bubble.appendChild(card);
    } else if (m.kind === 'product_card') {
      const card = el('div', { class: 'card' });
      card.append(
        el('div', { class: 't' }, m.body.title),
        el('div', {}, `¥${(m.body.priceCents / 100).toFixed(2)}`),
      );
      bubble.appendChild(card);
    }
    const row = this.row(kind);
    row.setAttribute('data-testid', 'xiaoer-message');
    row.setAttribute('data-sender', m.sender);
    if (!m.pending) row.setAttribute('data-seq', String(m.seq));
    if (kind === 'theirs')
      row.appendChild(
        el(
          'div',
          { class: 'who' },
          m.sender === 'bot'
            ? this.t.bot
            : 'senderId' in m && m.senderId && names.has(m.senderId)
              ? `${this.t.agent} ${names.get(m.senderId)}`
              : this.t.agent,
        ),
      );
    row.appendChild(bubble);
    if (m.pending) {
      row.appendChild(
        el(
          'div',
          { class: m.error ? 'meta error' : 'meta' },
          m.error ? `${this.t.failed}: ${m.error}` : this.t.sending,
        ),
      );
    } else if (mine && m.seq <= this.agentReadSeq) {
      row.appendChild(el('div', { class: 'meta' }, this.t.read));
    }
    return row;
  }

  private orderCard(body: Extract<Message, { kind: 'order_card' }>['body']): HTMLElement {
    const card = el('div', { class: 'card' });
    // Issue #18: the number and the status side by side, each in its own box — a long order
    // number wraps on its side instead of running into the status.
    const head = el('div', { class: 't' });
    head.appendChild(
      el('span', { class: 'n', 'data-testid': 'xiaoer-order-no' }, `${this.t.order} ${body.orderId}`),
    );
    head.appendChild(
      el(
        'span',
        { class: 's', 'data-testid': 'xiaoer-order-status' },
        this.t.orderStatus[body.status] ?? body.status,
      ),
    );
    card.appendChild(head);
    for (const item of body.items) card.appendChild(el('div', {}, `${item.title} ×${item.quantity}`));
    card.appendChild(el('div', {}, `${this.t.total} ¥${(body.totalCents / 100).toFixed(2)}`));
    if (body.carrier) card.appendChild(el('div', {}, `${body.carrier} ${body.trackingNo ?? ''}`));
    // Issue #19 (AS-1): after-sales from the order itself — the order, nothing asked twice.
    const open = el(
      'button',
      { type: 'button', class: 'as-open', 'data-testid': 'xiaoer-as-open' },
      this.t.asOpen,
    );
    open.addEventListener('click', (e) => {
      e.stopPropagation();
      this.showChat(false);
      this.aftersales.showForm({ orderId: body.orderId, status: body.status, totalCents: body.totalCents });
    });
    open.addEventListener('keydown', (e) => e.stopPropagation());
    card.appendChild(open);
    return card;
  }

  /** For tests: what the widget holds. */
  state() {
    return {
      connected: this.socket?.connected ?? false,
      conversationId: this.conversation?.id ?? null,
      seqs: this.messages.flatMap((m) => (m.pending ? [] : [m.seq])),
    };
  }

  /** Opens or closes the panel. */
  show(open: boolean): void {
    this.setOpen(open);
  }
}

function boot(): void {
  const script = findScript();
  const shop = script?.dataset.shop;
  if (!script || !shop) {
    console.error('xiaoer widget: add data-shop="<shop>" to the script tag');
    return;
  }
  const origin = new URL(script.src, location.href).origin;
  let identity: unknown;
  if (script.dataset.identity) {
    try {
      identity = JSON.parse(script.dataset.identity);
    } catch {
      console.error('xiaoer widget: data-identity is not JSON; chatting anonymously');
    }
  }
  const start = () => {
    const widget = new Widget(origin, shop, script.dataset.lang, identity);
    (window as unknown as { XiaoerWidget: unknown }).XiaoerWidget = {
      open: () => widget.show(true),
      close: () => widget.show(false),
      __state: () => widget.state(),
    };
    void widget.start().then(() => {
      if (script.dataset.open === 'true') widget.show(true);
    });
  };
  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
}

boot();
