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
    uploadQuota: '图片发送太多了，请稍后再试',
    signInAgain: '登录已过期，请刷新页面后继续咨询',
    hello: '您好，有什么可以帮您？',
    orderStatus: ORDER_STATUS_LABELS['zh-CN'],
    order: '订单',
    total: '合计',
    queueAhead: '正在为您转接人工客服，您前面还有 {n} 位',
    queueNext: '正在为您转接人工客服，您是下一位',
    queueEta: '，预计等待约 {m} 分钟',
    queueNoEta: '，请稍候',
    rateTitle: '请为本次服务打分',
    rateStar: '{n} 星',
    rateComment: '还有什么想说的？（选填）',
    rateSubmit: '提交',
    rateSkip: '不用了',
    rateThanks: '感谢您的评价！',
    rateFailed: '提交失败，请稍后再试',
    human: '转人工',
    humanText: '转人工',
    didYouMean: '您是想问：',
    choiceHint: '点一下即可；都不是的话可以换个说法',
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
    uploadQuota: 'Too many images for now: try again later',
    signInAgain: 'Your sign-in has expired: reload the page to continue',
    hello: 'Hello! How can we help?',
    orderStatus: ORDER_STATUS_LABELS.en,
    order: 'Order',
    total: 'Total',
    queueAhead: 'Connecting you to an agent: {n} ahead of you',
    queueNext: 'Connecting you to an agent: you are next',
    queueEta: ', about {m} min',
    queueNoEta: ', please hold on',
    rateTitle: 'Please rate this chat',
    rateStar: '{n} of 5 stars',
    rateComment: 'Anything to add? (optional)',
    rateSubmit: 'Submit',
    rateSkip: 'No thanks',
    rateThanks: 'Thank you for your rating!',
    rateFailed: 'Could not send the rating; please try again',
    human: 'Talk to a person',
    // The words the bot reads as a request for a person (BOT-2), in either language.
    humanText: 'talk to a person',
    didYouMean: 'Did you mean:',
    choiceHint: 'Tap one, or ask in other words',
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

/** RT-4: the waiting buyer's line, "您前面还有 2 位，预计等待约 3 分钟" (position 1 is next). */
export function queueLine(t: Strings, position: number, etaMinutes: number | null): string {
  const where = position <= 1 ? t.queueNext : t.queueAhead.replace('{n}', String(position - 1));
  const wait =
    etaMinutes === null ? t.queueNoEta : t.queueEta.replace('{m}', String(Math.max(1, etaMinutes)));
  return where + wait;
}
