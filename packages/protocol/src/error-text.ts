/**
 * Issue #18: what an error answer says to a person, in their language. The server's `message` is
 * English and written for developers (logs, API users); the workbench, console, setup page and
 * widget show the text this module derives from the error's stable `code`, `field` and `details`,
 * never the raw message. Free of zod and of the DOM: the widget bundles it too.
 */

import type { DomainErrorCode } from '@xiaoer/core';
import { aftersalesIssueText } from './aftersales-labels';

export type ErrorLang = 'zh-CN' | 'en';

/** The parts of an error body (`{ error: … }`) the text is made from. */
export interface ErrorLike {
  code: string;
  field?: string;
  message?: string;
  details?: unknown;
  retryAfterMs?: number;
}

type Texts = Record<ErrorLang, string>;

/** What each code means to a person when nothing more precise is known. */
const BY_CODE: Record<DomainErrorCode | 'internal_error' | 'network', Texts> = {
  validation_failed: {
    'zh-CN': '填写的内容有误，请检查后再试',
    en: 'Something you entered is not valid; check and try again',
  },
  not_found: { 'zh-CN': '找不到该内容，可能已被删除', en: 'Not found: it may have been deleted' },
  forbidden: { 'zh-CN': '没有权限执行此操作', en: 'You do not have permission to do this' },
  unauthenticated: { 'zh-CN': '登录已失效，请重新登录', en: 'Your session has ended; please log in again' },
  conflict: {
    'zh-CN': '操作与当前状态冲突，请刷新后再试',
    en: 'This clashes with the current state; reload and try again',
  },
  rate_limited: { 'zh-CN': '操作太频繁，请稍后再试', en: 'Too many attempts; please wait a moment' },
  conversation_ended: { 'zh-CN': '会话已结束', en: 'The conversation has ended' },
  conversation_not_yours: {
    'zh-CN': '该会话已由其他客服接待',
    en: 'Another agent is serving this conversation',
  },
  agent_unavailable: { 'zh-CN': '该客服当前无法接待', en: 'That agent cannot take chats right now' },
  payload_too_large: { 'zh-CN': '内容或文件太大', en: 'The content or file is too large' },
  quota_exceeded: { 'zh-CN': '上传已达上限，请稍后再试', en: 'Upload limit reached; try again later' },
  unsupported_media_type: { 'zh-CN': '不支持的文件类型', en: 'This file type is not supported' },
  compliance_blocked: { 'zh-CN': '内容不符合平台规则，未发送', en: 'Against the platform rules: not sent' },
  compliance_confirm: {
    'zh-CN': '内容可能不符合平台规则，请确认后再发送',
    en: 'This may break a platform rule; confirm before sending',
  },
  provider_unavailable: {
    'zh-CN': '模型服务暂时无响应，请稍后再试',
    en: 'The model service did not answer; try again later',
  },
  internal_error: {
    'zh-CN': '服务器出错了，请稍后再试',
    en: 'Something went wrong on our side; try again shortly',
  },
  network: {
    'zh-CN': '网络连接失败，请检查网络后重试',
    en: 'Could not reach the server; check the connection and retry',
  },
};

/**
 * Cases a code alone says too little about, keyed `code:field` (and, where one field carries
 * several cases, `code:field:message`). The message keys are the server's own wording: a test
 * reads the server's sources and fails when one of these no longer exists there.
 */
export const PRECISE: Record<string, Texts> = {
  'unauthenticated:password': { 'zh-CN': '邮箱或密码不正确', en: 'Wrong email or password' },
  'unauthenticated:authorization': {
    'zh-CN': 'API 密钥无效或已吊销',
    en: 'The API key is unknown or revoked',
  },
  'forbidden:currentPassword': { 'zh-CN': '当前密码不正确', en: 'The current password is wrong' },
  'forbidden:email': { 'zh-CN': '该账号已停用', en: 'This account is disabled' },
  'forbidden:agentId': { 'zh-CN': '不能修改自己的权限', en: 'You cannot change your own access' },
  'forbidden:role': { 'zh-CN': '一个店铺只能有一位店主', en: 'A shop has one owner' },
  'forbidden:personal': {
    'zh-CN': '只有管理员可以创建或共享团队快捷回复',
    en: 'Only admins create or share team quick replies',
  },
  'forbidden:buyerId': {
    'zh-CN': '只有接待过该买家的客服可以查看',
    en: 'Only agents who served this buyer may see this',
  },
  'forbidden:shop': {
    'zh-CN': '演示模式已关闭，演示店铺不接待买家',
    en: 'Demo mode is off: the demo shop takes no buyers',
  },
  'forbidden:authorization': { 'zh-CN': '该 API 密钥没有写入权限', en: 'This API key may not write' },
  'conflict:email': { 'zh-CN': '该邮箱已有账号', en: 'An account with this email exists' },
  'conflict:ownerEmail': { 'zh-CN': '该邮箱已有账号', en: 'An account with this email exists' },
  'conflict:slug': {
    'zh-CN': '该店铺标识已被占用，请换一个',
    en: 'This shop handle is taken; choose another',
  },
  'conflict:token': {
    'zh-CN': '初始化正在进行中，请稍候刷新',
    en: 'A setup is under way: wait a moment and reload',
  },
  'conflict:baseUrl': { 'zh-CN': '请先填写模型服务的地址', en: 'Set the provider’s base URL first' },
  'conflict:buyerId': {
    'zh-CN': '买家刚刚发起了会话，请在该会话中回复',
    en: 'The buyer has just opened a conversation: reply there',
  },
  'conflict:conversationId:this conversation is rated already': {
    'zh-CN': '您已评价过本次服务',
    en: 'You have rated this conversation already',
  },
  'conflict:conversationId:the conversation is not set aside as spam': {
    'zh-CN': '该会话不在疑似骚扰中',
    en: 'This conversation is not set aside as spam',
  },
  'conflict:conversationId:the conversation is already routed': {
    'zh-CN': '该会话已分配给客服',
    en: 'This conversation is already with an agent',
  },
  'conflict:conversationId:the buyer has asked nothing yet': {
    'zh-CN': '买家还没有提问',
    en: 'The buyer has asked nothing yet',
  },
  'conflict::this install is set up already: log in to the admin console': {
    'zh-CN': '系统已完成初始化，请登录管理后台',
    en: 'This install is set up already: log in to the admin console',
  },
  'validation_failed:file': {
    'zh-CN': '文件无法读取：请上传 CSV 或 Excel 文件（含表头和数据行）',
    en: 'The file could not be read: upload a CSV or Excel file with a header and rows',
  },
  'unsupported_media_type:file': { 'zh-CN': '请选择一个文件上传', en: 'Choose a file to upload' },
  'payload_too_large:file': { 'zh-CN': '文件太大', en: 'The file is too large' },
};

/** What people call the fields the API names (the path's last segment is looked up). */
export const FIELD_LABELS: Record<string, Texts> = {
  email: { 'zh-CN': '邮箱', en: 'Email' },
  ownerEmail: { 'zh-CN': '店主邮箱', en: 'Owner email' },
  password: { 'zh-CN': '密码', en: 'Password' },
  newPassword: { 'zh-CN': '新密码', en: 'New password' },
  currentPassword: { 'zh-CN': '当前密码', en: 'Current password' },
  // AS-2, AS-5: the shop's after-sales settings (issue #19)
  merchantAnswerHours: { 'zh-CN': '商家答复时限（小时）', en: 'Merchant answer time (hours)' },
  buyerShipDays: { 'zh-CN': '买家寄回时限（天）', en: 'Buyer return shipping time (days)' },
  merchantRefundDays: { 'zh-CN': '收货后退款时限（天）', en: 'Refund time after receipt (days)' },
  overdueRefund: { 'zh-CN': '退款超时处理', en: 'Overdue refund' },
  couponMinValidDays: {
    'zh-CN': '补偿券最短有效期（天）',
    en: 'Compensation coupon minimum validity (days)',
  },
  couponScopes: { 'zh-CN': '补偿券适用范围', en: 'Compensation coupon scope' },
  stepTimeoutMinutes: {
    'zh-CN': '平台操作确认时限（分钟）',
    en: 'Platform step confirmation time (minutes)',
  },
  alertHours: { 'zh-CN': '到期前提醒（小时）', en: 'Alert before deadline (hours)' },
  name: { 'zh-CN': '名称', en: 'Name' },
  displayName: { 'zh-CN': '昵称', en: 'Display name' },
  ownerName: { 'zh-CN': '店主姓名', en: 'Owner name' },
  orgName: { 'zh-CN': '公司名称', en: 'Company name' },
  slug: { 'zh-CN': '店铺标识', en: 'Shop handle' },
  timeZone: { 'zh-CN': '时区', en: 'Time zone' },
  serviceHours: { 'zh-CN': '服务时间', en: 'Service hours' },
  welcomeMessage: { 'zh-CN': '欢迎语', en: 'Welcome message' },
  text: { 'zh-CN': '内容', en: 'Text' },
  title: { 'zh-CN': '标题', en: 'Title' },
  question: { 'zh-CN': '问题', en: 'Question' },
  similar: { 'zh-CN': '相似问法', en: 'Similar questions' },
  answer: { 'zh-CN': '答案', en: 'Answer' },
  category: { 'zh-CN': '分类', en: 'Category' },
  note: { 'zh-CN': '备注', en: 'Note' },
  url: { 'zh-CN': '地址', en: 'URL' },
  baseUrl: { 'zh-CN': '服务地址', en: 'Base URL' },
  apiKey: { 'zh-CN': 'API 密钥', en: 'API key' },
  role: { 'zh-CN': '角色', en: 'Role' },
  groups: { 'zh-CN': '分组', en: 'Groups' },
  maxConcurrent: { 'zh-CN': '同时接待上限', en: 'Chat limit' },
  threshold: { 'zh-CN': '阈值', en: 'Threshold' },
  answerThreshold: { 'zh-CN': '回答阈值', en: 'Answer threshold' },
  handoffPhrases: { 'zh-CN': '转人工用语', en: 'Hand-over phrases' },
  blockedBuyers: { 'zh-CN': '屏蔽的买家', en: 'Blocked buyers' },
  synonyms: { 'zh-CN': '同义词', en: 'Synonyms' },
  windowStart: { 'zh-CN': '统计开始时间', en: 'Window start' },
  windowEnd: { 'zh-CN': '统计结束时间', en: 'Window end' },
  replyMinutes: { 'zh-CN': '回复时限', en: 'Reply minutes' },
  from: { 'zh-CN': '开始日期', en: 'From' },
  to: { 'zh-CN': '结束日期', en: 'To' },
  date: { 'zh-CN': '日期', en: 'Date' },
  file: { 'zh-CN': '文件', en: 'File' },
  events: { 'zh-CN': '事件', en: 'Events' },
  scopes: { 'zh-CN': '权限范围', en: 'Scopes' },
  allowList: { 'zh-CN': '允许词表', en: 'Allow list' },
  allowedDomains: { 'zh-CN': '允许的域名', en: 'Allowed domains' },
  customPhrases: { 'zh-CN': '自定义词', en: 'Custom phrases' },
  chatModel: { 'zh-CN': '对话模型', en: 'Chat model' },
  embeddingModel: { 'zh-CN': '向量模型', en: 'Embedding model' },
  timeoutMs: { 'zh-CN': '超时', en: 'Timeout' },
  comment: { 'zh-CN': '评价内容', en: 'Comment' },
  statuses: { 'zh-CN': '订单状态', en: 'Order statuses' },
  lingerMinutes: { 'zh-CN': '结束后保留时长', en: 'Linger minutes' },
  returningBuyerHours: { 'zh-CN': '老买家识别时长', en: 'Returning buyer hours' },
  weights: { 'zh-CN': '权重', en: 'Weights' },
  shopName: { 'zh-CN': '店铺名称', en: 'Shop name' },
  score: { 'zh-CN': '评分', en: 'Score' },
  // Issue #21: journeys (the path's last segment)
  template: { 'zh-CN': '消息内容', en: 'Message' },
  hours: { 'zh-CN': '等待时长', en: 'Wait' },
  amountCents: { 'zh-CN': '优惠券面额', en: 'Coupon amount' },
  minSpendCents: { 'zh-CN': '消费门槛', en: 'Minimum spend' },
  validDays: { 'zh-CN': '有效天数', en: 'Valid days' },
  attributionDays: { 'zh-CN': '转化归因天数', en: 'Attribution days' },
  discountPercent: { 'zh-CN': '折扣', en: 'Discount' },
  defaultGapHours: { 'zh-CN': '默认时长', en: 'Default hours' },
};

/** The label of a field path (`settings.groups.0.name` → 名称), or undefined when unknown. */
export function fieldLabel(field: string | undefined, lang: ErrorLang): string | undefined {
  if (!field) return undefined;
  const parts = field.split('.').filter((p) => !/^\d+$/.test(p));
  for (let i = parts.length - 1; i >= 0; i--) {
    const label = FIELD_LABELS[parts[i]!];
    if (label) return label[lang];
  }
  return undefined;
}

/** The variable a journey template's refusal names. */
function variableOf(details: unknown): string {
  const v = (details as { variable?: unknown } | undefined)?.variable;
  return typeof v === 'string' ? v : '?';
}

/** The validation issue of a 400 (what `zodErrorBody` puts in details), said plainly. */
function issueText(details: unknown, lang: ErrorLang): string | undefined {
  const d = details as
    | {
        issue?: string;
        minimum?: number;
        maximum?: number;
        origin?: string;
        format?: string;
        expected?: string;
        received?: string;
      }
    | undefined;
  if (!d || typeof d.issue !== 'string') return undefined;
  const zh = lang === 'zh-CN';
  const n = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  switch (d.issue) {
    case 'too_small':
      if (d.origin === 'string')
        return n(d.minimum) === 1 || n(d.minimum) === undefined
          ? zh
            ? '不能为空'
            : 'is required'
          : zh
            ? `至少 ${d.minimum} 个字`
            : `needs at least ${d.minimum} characters`;
      if (d.origin === 'array' || d.origin === 'set')
        return zh ? `至少需要 ${d.minimum ?? 1} 项` : `needs at least ${d.minimum ?? 1} items`;
      return n(d.minimum) !== undefined
        ? zh
          ? `不能小于 ${d.minimum}`
          : `must be at least ${d.minimum}`
        : undefined;
    case 'too_big':
      if (d.origin === 'string')
        return zh ? `最多 ${d.maximum} 个字` : `takes at most ${d.maximum} characters`;
      if (d.origin === 'array' || d.origin === 'set')
        return zh ? `最多 ${d.maximum} 项` : `takes at most ${d.maximum} items`;
      return n(d.maximum) !== undefined
        ? zh
          ? `不能大于 ${d.maximum}`
          : `must be at most ${d.maximum}`
        : undefined;
    case 'invalid_type':
      return d.received === 'undefined' || d.received === 'null'
        ? zh
          ? '不能为空'
          : 'is required'
        : zh
          ? '格式不正确'
          : 'has the wrong type';
    case 'invalid_format':
      if (d.format === 'email') return zh ? '不是有效的邮箱地址' : 'is not a valid email address';
      if (d.format === 'url') return zh ? '不是有效的网址' : 'is not a valid URL';
      if (d.format === 'time') return zh ? '须为 HH:MM 格式的时间' : 'must be a time HH:MM';
      return zh ? '格式不正确' : 'is not in the right format';
    case 'invalid_value':
    case 'invalid_union':
      return zh ? '不是可选的值' : 'is not one of the allowed values';
    case 'length':
      return zh
        ? `须为 ${d.minimum ?? 1}–${d.maximum} 个字`
        : `must be ${d.minimum ?? 1}–${d.maximum} characters`;
    case 'whole_range':
      return zh
        ? `须为 ${d.minimum}–${d.maximum} 的整数`
        : `must be a whole number ${d.minimum}–${d.maximum}`;
    case 'share':
      return zh ? '须为 0 到 1 之间的比例' : 'must be a share from 0 to 1';
    case 'slug':
      return zh
        ? '须为 3–40 位小写字母、数字或单个连字符（不在开头或结尾）'
        : 'must be 3–40 lowercase letters, digits or single hyphens (not at either end)';
    case 'reserved':
      return zh ? '是系统保留的，请换一个' : 'is reserved; choose another';
    case 'time_zone':
      return zh ? '须为时区，如 Asia/Shanghai' : 'must be a time zone such as Asia/Shanghai';
    case 'not_after_start':
      return zh ? '须晚于开始时间（同一天内）' : 'must be after the start (the same day)';
    case 'all_zero':
      return zh ? '至少一项须大于 0' : 'needs at least one above 0';
    case 'duplicate':
      return zh ? '有重复' : 'is a duplicate';
    case 'status_bound':
      return zh ? '其中的订单状态已绑定到另一个分组' : 'holds an order status another group is bound to';
    case 'account_exists':
      return zh
        ? '该账号已在别的店铺使用，保留原密码（无需填写）'
        : 'this account exists (it serves another shop) and keeps its own password';
    case 'url_format':
      return zh
        ? '不是完整的网址，例如 https://erp.example.com/xiaoer'
        : 'is not an absolute URL, such as https://erp.example.com/xiaoer';
    case 'url_scheme':
      return zh ? '只能用 http 或 https' : 'must use http or https';
    case 'url_credentials':
      return zh
        ? '不能包含用户名或密码（请用签名校验）'
        : 'must not hold a user name or password (check the signature instead)';
    case 'url_self':
      return zh
        ? '指向了店小二自己：请填写接收系统的地址'
        : 'points at xiaoer itself: give the address of the receiving system';
    case 'url_private':
      return zh
        ? '是内网或本机地址，本服务器不向其发送'
        : 'is a loopback or private address, which this server does not deliver to';
    case 'url_unresolvable':
      return zh ? '域名无法解析' : 'cannot be resolved';
    case 'weak_password':
      return zh
        ? '太容易被猜到：请用更长的、不是常见词语、姓名或数字的密码'
        : 'is too easy to guess: use a longer password that is not a common word, name or number';
    // Issue #21: journeys, segments, the loyalty ladder, the logistics watch.
    case 'unknown_variable':
      return zh
        ? `用了不存在的变量 {${variableOf(details)}}`
        : `uses {${variableOf(details)}}, which is not a variable`;
    case 'variable_unavailable':
      return zh
        ? `变量 {${variableOf(details)}} 在这个触发或这一步还没有（优惠券变量需先有发券步骤）`
        : `{${variableOf(details)}} is not known here (coupon variables need a coupon step before)`;
    case 'proactive_cap':
      return zh
        ? '会超过主动消息的频次上限（CMP-6），请在两条消息之间等待更久'
        : 'would exceed the proactive message caps (CMP-6): wait longer between messages';
    case 'coupon_validity':
      return zh
        ? `有效期须不少于店铺规定的 ${(details as { min?: number }).min ?? ''} 天`
        : `must stay valid at least the shop's ${(details as { min?: number }).min ?? ''} days`;
    case 'coupon_threshold':
      return zh ? '门槛须为 0（无门槛）或高于面额' : 'must be 0 (none) or more than the amount';
    case 'coupon_amount':
      return zh ? '面额须大于 0' : 'must be more than 0';
    case 'unreachable':
      return zh ? '在“结束”之后，永远不会执行' : 'comes after a stop and never runs';
    case 'no_message':
      return zh ? '至少需要一个发消息的步骤' : 'needs at least one message step';
    case 'trigger':
      return zh ? '只能用于由买家评价触发的旅程' : 'works only in a journey started by a review';
    case 'ladder_order':
      return zh ? '须比上一级要求更高' : 'must ask more than the tier before';
    case 'range':
      return zh ? '超出允许的范围' : 'is out of range';
    case 'empty_segment':
    case 'unknown_field':
      return zh ? '不是可用的筛选条件' : 'is not a segment field';
    case 'unrecognized_keys':
      return zh ? '包含不认识的项' : 'has fields that are not known';
    default:
      return zh ? '填写有误' : 'is not valid';
  }
}

function retryText(ms: number | undefined, lang: ErrorLang): string | undefined {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) return undefined;
  const s = Math.max(1, Math.ceil(ms / 1000));
  if (s >= 120) {
    const m = Math.ceil(s / 60);
    return lang === 'zh-CN'
      ? `操作太频繁，请 ${m} 分钟后再试`
      : `Too many attempts; try again in ${m} minutes`;
  }
  return lang === 'zh-CN' ? `操作太频繁，请 ${s} 秒后再试` : `Too many attempts; try again in ${s} s`;
}

/**
 * The text to show for an error answer. Never the server's raw message: a code this module
 * does not know reads as a generic failure (with the HTTP status class when given).
 */
export function errorText(error: ErrorLike, lang: ErrorLang, status?: number): string {
  // Issue #19: an after-sales refusal says what its details name (the allowed kinds, the floor).
  const aftersales = aftersalesIssueText(error.details, lang);
  if (aftersales) return aftersales;
  const field = error.field ?? '';
  const precise =
    PRECISE[`${error.code}:${field}:${error.message ?? ''}`] ??
    (field ? PRECISE[`${error.code}:${field}`] : undefined);
  if (precise) return precise[lang];
  if (error.code === 'validation_failed') {
    const label = fieldLabel(error.field, lang);
    const issue = issueText(error.details, lang);
    if (label && issue) return lang === 'zh-CN' ? `「${label}」${issue}` : `${label} ${issue}`;
    if (label) return lang === 'zh-CN' ? `「${label}」填写有误` : `${label} is not valid`;
    if (issue && lang === 'zh-CN') return `有一项${issue}`;
  }
  if (error.code === 'rate_limited') {
    const seconds = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    const retry = retryText(
      error.retryAfterMs ?? (typeof seconds === 'number' ? seconds * 1000 : undefined),
      lang,
    );
    if (retry) return retry;
  }
  const known = (BY_CODE as Record<string, Texts | undefined>)[error.code];
  if (known) return known[lang];
  if (status !== undefined && status >= 500) return BY_CODE.internal_error[lang];
  return lang === 'zh-CN' ? '操作失败，请稍后再试' : 'That did not work; try again later';
}
