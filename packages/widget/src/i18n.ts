import { ORDER_STATUS_LABELS } from '@xiaoer/protocol/labels';

/** The widget's words, zh-CN first. */
export const STRINGS = {
  'zh-CN': {
    title: '在线客服',
    placeholder: '请输入消息…',
    send: '发送',
    image: '发送图片',
    close: '关闭',
    reconnecting: '连接中…',
    read: '已读',
    sending: '发送中',
    failed: '发送失败',
    agentTyping: '客服正在输入…',
    agent: '客服',
    bot: '机器人',
    tooLong: '消息太长了（最多 5000 字）',
    imageTooLarge: '图片不能超过 10 MB',
    uploadFailed: '图片上传失败',
    hello: '您好，有什么可以帮您？',
    orderStatus: ORDER_STATUS_LABELS['zh-CN'],
    order: '订单',
    total: '合计',
  },
  en: {
    title: 'Customer service',
    placeholder: 'Type a message…',
    send: 'Send',
    image: 'Send an image',
    close: 'Close',
    reconnecting: 'Reconnecting…',
    read: 'Read',
    sending: 'Sending',
    failed: 'Not sent',
    agentTyping: 'Agent is typing…',
    agent: 'Agent',
    bot: 'Bot',
    tooLong: 'Message too long (5000 characters at most)',
    imageTooLarge: 'Images must be 10 MB or smaller',
    uploadFailed: 'Image upload failed',
    hello: 'Hello! How can we help?',
    orderStatus: ORDER_STATUS_LABELS.en,
    order: 'Order',
    total: 'Total',
  },
};

/** A language the widget speaks. */
export type Lang = keyof typeof STRINGS;
/** The strings of one language. */
export type Strings = (typeof STRINGS)['zh-CN'];

/** Picks the language: the tag's data-lang, else the page's or the browser's, Chinese first. */
export function pickLang(requested: string | undefined, browser: string | undefined): Lang {
  const tag = (requested || browser || 'zh-CN').toLowerCase();
  return tag.startsWith('en') ? 'en' : 'zh-CN';
}
