/**
 * CMP-3 for what a QR code or barcode in an image says. The decoded text is checked like an
 * agent's text (links outside the allow-list, contact ids, bank cards…); on top of that, a code
 * is often a bare payment or contact link that no sentence wraps: `wxp://…` (WeChat Pay),
 * `weixin://…`, `alipays://…`, a WeChat `wxid_…` id. Those block here.
 */
import type { CheckResult, Finding, LocalizedText } from './compliance.types';
import { reason } from './lexicon';

/** What a log entry and a finding say about where the text came from. */
export const IMAGE_CODE_LOG_PREFIX = '[图片二维码]';

const PAYMENT_SCHEME =
  /^(?:wxp|weixin|wechat|alipays?|alipayqr|mqqapi|mqqwpa|upi|paypal|bitcoin|ethereum|unionpay|upwallet|dingtalk|taobao|tmall|openapp\.jdmobile|pinduoduo|snssdk\d*|kwai|tg|whatsapp):/i;
const WECHAT_ID = /(?<![a-z0-9])wxid_[a-z0-9_-]{4,}/i;

/** Findings for a decoded code that the text checker cannot see: a payment or app link, a WeChat id. */
export function findCodeLinks(text: string): Finding[] {
  const trimmed = text.trim();
  const scheme = PAYMENT_SCHEME.exec(trimmed);
  const findings: Finding[] = [];
  if (scheme) {
    const start = text.indexOf(trimmed);
    findings.push({
      rule: 'CMP-3',
      id: 'cmp3.payment-code',
      verdict: 'block',
      reason: reason(
        `收款码或站外应用链接（${scheme[0]}）：引导站外付款或联系，平台严禁。`,
        `A payment code or app link (${scheme[0]}): payment or contact off the platform is forbidden.`,
      ),
      span: { start, end: start + trimmed.length },
      matched: trimmed,
    });
  }
  const id = WECHAT_ID.exec(text);
  if (id)
    findings.push({
      rule: 'CMP-3',
      id: 'cmp3.contact-id',
      verdict: 'block',
      reason: reason(
        '微信号：平台禁止发布第三方联系方式。',
        'A WeChat id: third-party contact details are forbidden.',
      ),
      span: { start: id.index, end: id.index + id[0].length },
      matched: id[0],
    });
  return findings;
}

const inImage = (r: LocalizedText): LocalizedText =>
  reason(`图片中的二维码 / 条码：${r['zh-CN']}`, `A code in the image: ${r.en}`);

/**
 * The blocking findings for one decoded code: the text checker's and `findCodeLinks`, each marked
 * as coming from a code in the image (`source`, and the reason says so). An image cannot be
 * rewritten, so no rewrite is offered; warnings do not stop an image.
 */
export function imageCodeFindings(code: string, checked: CheckResult): Finding[] {
  const own = findCodeLinks(code);
  // A whole payment link says it all: the checker's readings of its parts ("wx…") add only noise.
  // A WeChat id the checker already found is not found twice.
  const all = own.some((f) => f.id === 'cmp3.payment-code')
    ? own
    : [...checked.findings, ...own.filter((f) => !checked.findings.some((c) => c.id === f.id))];
  // A code holds a link or an id, not a sentence: the statistical layer's readings of it are left
  // to the lexicons and link rules, which know the shop's own domains (issue #17).
  return all
    .filter((f) => f.verdict === 'block' && f.source !== 'model')
    .map(({ rewrite: _rewrite, ...f }) => ({ ...f, reason: inImage(f.reason), source: 'image_code', code }));
}
