import type { MessageDto as Message } from '@xiaoer/protocol';

let audio: AudioContext | undefined;

/** A short two-tone chime from WebAudio (no sound file to ship). */
export function chime(): void {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.2, now + i * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.11);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.12);
      osc.stop(now + i * 0.12 + 0.12);
    }
  } catch {
    // audio blocked until the page is interacted with: the notification still shows
  }
}

/** Asks once for permission to show desktop notifications. */
export function askNotificationPermission(): void {
  if ('Notification' in window && Notification.permission === 'default')
    void Notification.requestPermission();
}

let worker: Promise<ServiceWorkerRegistration | null> | null = null;

/**
 * Issue #18: registers the workbench's service worker (public/workbench/sw.js): it makes the
 * workbench installable on a phone and shows notifications where pages cannot (Android).
 */
export function registerWorkbenchWorker(): void {
  if (worker || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  worker = navigator.serviceWorker.register('/workbench/sw.js', { scope: '/workbench/' }).catch(() => null);
}

/** A tap on a notification names a conversation: the worker says so, or the page opens on `#c=`. */
export function onOpenConversation(open: (conversationId: string) => void): () => void {
  const fromHash = /^#c=([\w-]{1,64})$/.exec(location.hash)?.[1];
  if (fromHash) {
    history.replaceState(null, '', location.pathname + location.search);
    open(fromHash);
  }
  if (!('serviceWorker' in navigator)) return () => {};
  const listener = (e: MessageEvent) => {
    const data = e.data as { type?: string; conversationId?: unknown } | null;
    if (data?.type === 'open-conversation' && typeof data.conversationId === 'string')
      open(data.conversationId);
  };
  navigator.serviceWorker.addEventListener('message', listener);
  return () => navigator.serviceWorker.removeEventListener('message', listener);
}

/** A buyer wrote: sound, and a notification when the tab is hidden or another chat is open. */
export function notifyBuyerMessage(nick: string, message: Message, isOpenConversation: boolean): void {
  if (!document.hidden && isOpenConversation) return;
  chime();
  if ('Notification' in window && Notification.permission === 'granted' && document.hidden) {
    const text = message.kind === 'text' ? message.body.text : message.kind === 'image' ? '[图片]' : '[消息]';
    const title = nick || '买家';
    const options = {
      body: text.slice(0, 120),
      tag: message.conversationId,
      data: { conversationId: message.conversationId },
    };
    // Through the worker when there is one (a phone's browser refuses \`new Notification\`).
    void (worker ?? Promise.resolve(null))
      .then((reg) => {
        if (reg) return reg.showNotification(title, options);
        new Notification(title, options);
      })
      .catch(() => {
        // notifications refused by the system: the chime was heard
      });
  }
}
