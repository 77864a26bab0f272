import type { Message } from '@xiaoer/core';

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

/** A buyer wrote: sound, and a desktop notification when the tab is hidden or another chat is open. */
export function notifyBuyerMessage(nick: string, message: Message, isOpenConversation: boolean): void {
  if (!document.hidden && isOpenConversation) return;
  chime();
  if ('Notification' in window && Notification.permission === 'granted' && document.hidden) {
    const text = message.kind === 'text' ? message.body.text : message.kind === 'image' ? '[图片]' : '[消息]';
    new Notification(nick || '买家', { body: text.slice(0, 120), tag: message.conversationId });
  }
}
