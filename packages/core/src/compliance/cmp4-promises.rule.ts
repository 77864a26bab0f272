/**
 * CMP-4 over-promising. Two parts:
 * - guarantees the shop cannot keep (delivery dates, "绝对不会坏", cures, returns on custom-made
 *   goods — seed 001's first 雷区; "假一赔十" unless the shop's settings list it) block;
 * - promises that can be checked (carrier, exchange, ship-by, refund — Tmall's 违背承诺 cases,
 *   4 points) warn, and come back on the CheckResult so the server records them on the order.
 */
import { TZDate } from '@date-fns/tz';
import {
  addBusinessDays,
  addDays,
  addHours,
  addMonths,
  addWeeks,
  addYears,
  endOfDay,
  endOfMonth,
  nextDay,
  setHours,
  startOfDay,
  startOfWeek,
  type Day,
} from 'date-fns';
import type { CheckablePromise, Finding, PromiseKind, TextSpan } from './compliance.types';
import { negated, reason, type LexRule } from './lexicon';
import { canonical, normalize, originalSpan, type NormalizedText } from './normalize';

const MAKERS = '(?:定制|订制|刻字|个性化|专属定做|定做|私人订制)';

/** The CMP-4 lexicon of guarantees that block. */
export const CMP4_RULES: readonly LexRule[] = [
  {
    id: 'cmp4.guarantee',
    rule: 'CMP-4',
    verdict: 'block',
    packs: ['generic', 'taobao-tmall'],
    anchors: ['保证', '担保', '绝对', '肯定', '百分百', '百分之百', '100', '打包票', '包票'],
    pattern:
      /(?:保证|担保|绝对|肯定|百分百|百分之百|100|打包票|包票)(?:百分百|百分之百|100|是|能|会)?(?:不会|不|没有|没|零|永不)(?:有|出)?(?:任何)?(?:坏|掉色|褪色|起球|缩水|变形|过敏|出问题|质量问题|漏|生锈|售后|色差|开裂|故障)/,
    accept: (m) => !negated(m, ['如果', '是否', '能否', '不敢']),
    reason: reason(
      '过度承诺：对质量作出绝对保证，做不到会被投诉为虚假承诺。',
      'Over-promising: an absolute quality guarantee the shop cannot keep.',
    ),
    rewrite: '这款质量是有保障的，如有问题我们负责售后',
    examples: ['保证百分百不会坏', '绝对不会掉色，掉色您找我'],
  },
  {
    id: 'cmp4.durability',
    rule: 'CMP-4',
    verdict: 'block',
    packs: ['generic', 'taobao-tmall'],
    anchors: ['不会'],
    pattern: /(?:都|也|永远|绝对)?(?:不会|永不)(?:坏|掉色|褪色|起球|缩水|变形|生锈|漏|开裂|出故障)/,
    // "一般不会掉色" informs; "用十年都不会坏，我保证" guarantees.
    accept: (m) => {
      const t = m.norm.text;
      const around = t.slice(Math.max(0, m.index - 12), m.end + 12);
      return (
        /保证|打包票|包票|绝对|肯定|百分百|百分之百|永远|永不|一辈子|终身|(?:\d{1,3}|[一两三四五六七八九十百]{1,3})年/.test(
          around,
        ) && !negated(m, ['一般', '正常', '通常', '如果', '是否'])
      );
    },
    reason: reason(
      '过度承诺：对耐用性作出绝对保证（“用十年都不会坏”）。',
      'Over-promising: an absolute durability guarantee ("won\'t break in ten years").',
    ),
    rewrite: '这款质量是有保障的，正常使用很耐用，如有问题我们负责售后',
    examples: ['这个锅用十年都不会坏，我保证'],
  },
  {
    id: 'cmp4.efficacy',
    rule: 'CMP-4',
    verdict: 'block',
    packs: ['generic'],
    anchors: [
      '治好',
      '治愈',
      '根治',
      '痊愈',
      '见效',
      '有效',
      '包治',
      '药到病除',
      '副作用',
      '满意',
      '美白',
      '长高',
      '瘦',
    ],
    pattern:
      /(?:保证|绝对|百分百|百分之百|100|包|一定|肯定)(?:能|可以|会)?(?:治好|治愈|根治|痊愈|见效|有效|瘦|长高|美白|祛斑|去皱|生发|满意)|包治|根治|药到病除|(?:无|零|没有)副作用/,
    accept: (m) => !negated(m, ['不能', '不可', '无法', '不是', '如果', '不敢']),
    reason: reason(
      '过度承诺：保证疗效或效果（广告法禁止）。',
      'Over-promising: guarantees a cure or an effect (forbidden by advertising law).',
    ),
    rewrite: '效果因人而异，您可以参考详情页和评价',
    examples: ['用了这个枕头颈椎病百分百能治好'],
  },
  {
    id: 'cmp4.delivery-date',
    rule: 'CMP-4',
    verdict: 'block',
    packs: ['generic', 'taobao-tmall'],
    anchors: ['一定', '保证', '肯定', '绝对', '百分百', '包', '保准'],
    pattern:
      /(?:一定|保证|肯定|绝对|百分百|包|保准)(?:能|可以|会)?(?:在)?(?:今天|明天|后天|当天|次日|隔天|\d{1,2}天|[一二两三四五]天)(?:内|之内)?(?:就)?(?:能|可以|会)?(?:到|送到|送达|到货|收到|到达)|(?:今天|明天|后天|当天|次日)(?:一定|保证|肯定|绝对|包|保准)(?:能|可以|会)?(?:到|送到|送达|到货|收到)/,
    accept: (m) => !negated(m, ['不能', '无法', '没法', '不敢', '不一定']),
    reason: reason(
      '过度承诺：保证送达时间，物流不由店铺控制（天猫：违背承诺扣 4 分）。',
      'Over-promising: a delivery date the shop does not control (Tmall: 4 points for a broken promise).',
    ),
    rewrite: '预计明天能到，具体以物流为准，我会帮您留意',
    examples: ['一定明天到，您放心', '保证明天送到'],
  },
  {
    id: 'cmp4.custom-returns',
    rule: 'CMP-4',
    verdict: 'block',
    packs: ['generic'],
    anchors: ['定制', '订制', '刻字', '个性化', '定做'],
    pattern: new RegExp(
      `${MAKERS}(?:的|款|商品|产品|类|品|笔)?(?:也|都|照样|一样|同样)(?:是)?(?:可以|能|支持|包|给退)(?:七天)?(?:无理由)?(?:退|换|退货|退换)?|${MAKERS}(?:的|款|商品|产品)?(?:可以|能|支持)(?:七天)?(?:无理由)?(?:退|退货|退换)|${MAKERS}(?:的)?(?:也|都)?包退`,
    ),
    accept: (m) => !negated(m, ['不', '没', '无法']),
    reason: reason(
      '过度承诺：定制商品按规定不能退，承诺可退会被投诉为欺骗性交易。',
      'Over-promising: custom-made goods cannot be returned; promising it is a deceptive sale.',
    ),
    rewrite: '定制商品制作后不支持退换，下单前我帮您仔细确认一下细节',
    examples: ['定制的也可以退，您放心下单', '这款刻字笔定制的也能退货的'],
  },
  {
    id: 'cmp4.compensation',
    rule: 'CMP-4',
    verdict: 'block',
    packs: ['generic', 'taobao-tmall'],
    anchors: ['假一', '终身', '永久'],
    pattern:
      /假一(?:赔|罚)(?:十|三|万|百|千|\d{1,5})|终身(?:保修|质保|包换|免费维修|售后)|永久(?:保修|质保|包换)/,
    // Only guarantees the shop really offers (its settings) may be promised.
    accept: (m) => !m.guarantees.has(m.match[0]),
    reason: reason(
      '过度承诺：店铺未设置的赔付 / 保修承诺（如假一赔十、终身保修）。',
      "Over-promising: a compensation or warranty the shop does not offer (set it in the shop's guarantees).",
    ),
    rewrite: '我们支持平台的正品保障和售后服务',
    examples: ['假一赔十，放心买', '终身保修，坏了随时换'],
  },
];

const CARRIERS =
  '顺丰|圆通|中通|申通|韵达|邮政|ems|京东快递|京东物流|极兔|德邦|百世|天天快递|宅急送|优速|跨越|丰网|菜鸟';
const DAYNAME = '[一二三四五六日天]';
const CN_NUM = '[一二两三四五六七八九十]{1,4}';
// Hours in digits or Chinese numerals (十点, 八点半); a day's part, or "first thing" (一早, 第一批).
const HOUR = `(?:\\d{1,2}|[一二两三四五六七八九十]{1,3})点(?:半|钟)?`;
const TIME = `(?:今天|今日|今晚|明天|明早|明日|后天|大后天|周${DAYNAME}|星期${DAYNAME}|礼拜${DAYNAME}|下周${DAYNAME}?|这周|本周|月底|\\d{1,2}月\\d{1,2}[号日]|\\d{1,2}[号日])(?:上午|中午|下午|傍晚|晚上|早上|一早|一大早|下班)?(?:${HOUR})?(?:之前|以前|前|内|之内|以内)?(?:第一批|尽早)?|(?:\\d{1,3}|${CN_NUM})个?(?:小时|天|工作日)(?:之内|以内|内)|下班前|马上|立刻|立即|这就|现在就|稍后`;
const YOU = '(?:给[您你]|帮[您你]|为[您你]|替[您你])';
const SHIP = `(?:发货|发出|寄出|发走|出库|(?:发|寄)(?:新的|过去|出去)|(?:发|寄)(?=${CARRIERS}))`;

const PROMISE_PATTERNS: { kind: PromiseKind; re: RegExp }[] = [
  {
    kind: 'carrier',
    re: new RegExp(
      `(?:${YOU}|这边|我们|我这边|可以|就|好的)(?:会|可以|都)?(?:改|安排|用|走|换)?(?:发|寄|安排|走|用|换成|改成|改为|改发)的?(${CARRIERS})|(${CARRIERS})(?:快递)?${YOU}(?:发|寄)|${YOU}(?:更换|换|改)(?:成|为)?(?:其他|别的|一家|个|另一家)(?:的)?快递`,
      'g',
    ),
  },
  {
    kind: 'ship-by',
    re: new RegExp(
      `(${TIME})(?:的话)?(?:一定|肯定|就|会|都|可以|能|保证){0,3}${YOU}?(?:安排|操作|重新)?${SHIP}|(?:我这边|这边|我们这边|我)(?:会)?${YOU}?(?:操作|安排)(?:发货|发出)`,
      'g',
    ),
  },
  {
    kind: 'exchange',
    re: new RegExp(
      `${YOU}(?:免费)?(?:换|调换|更换|换货|补发|重发|重新发|再发)(?!算|成|个说法|句话|个角度|掉|一下思路|其他快递|别的快递|一家快递|个快递|快递)`,
      'g',
    ),
  },
  {
    kind: 'refund',
    re: new RegExp(
      `${YOU}(?:处理|安排|操作|申请|办理)?(?:全额)?(?:退款|退钱|退差价|退回|退)(?!货|换|回来|回寄|出|订|货地址)|(?:马上|立刻|这就|尽快|会)(?:处理)?(?:全额)?退款|(?:马上|立刻|这就|尽快|今天|明天)(?:给[您你])?(?:退|返)(?:给[您你]|款|钱|差价)`,
      'g',
    ),
  },
];

/** Words before a promise that make it no promise: done already, or refused. */
const NOT_A_PROMISE = ['已', '不', '没', '无法', '难以'];
/** A promise counted from an event the text does not date ("付款后 48 小时内"). */
const RELATIVE = /(?:付款|下单|拍下|收到|签收|退回|寄回|到货|确认|审核|揽收|收货)(?:货)?(?:以)?后/;

const PROMISE_REASON = reason(
  '可核查的承诺：发送后会记录到订单并提示下一位客服，未兑现会被判违背承诺（天猫扣 4 分）。',
  'A checkable promise: it is recorded on the order and shown to the next agent; breaking it counts as a broken promise (Tmall: 4 points).',
);

const WEEKDAY: Record<string, Day> = { 日: 0, 天: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6 };

function cnNumber(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  const digit: Record<string, number> = {
    一: 1,
    二: 2,
    两: 2,
    三: 3,
    四: 4,
    五: 5,
    六: 6,
    七: 7,
    八: 8,
    九: 9,
  };
  const ten = s.indexOf('十');
  if (ten < 0) return digit[s] ?? NaN;
  const tens = ten === 0 ? 1 : (digit[s.slice(0, ten)] ?? NaN);
  const ones = ten === s.length - 1 ? 0 : (digit[s.slice(ten + 1)] ?? NaN);
  return tens * 10 + ones;
}

/** When a time expression falls due, counted from now in the given zone (undefined when it cannot tell). */
export function dueAtOf(expr: string, now: number, zone: string): number | undefined {
  const base = new TZDate(now, zone);
  const span = /^(\d+|[一二两三四五六七八九十]+)个?(小时|天|工作日)/.exec(expr);
  if (span) {
    const n = cnNumber(span[1]!);
    if (!Number.isFinite(n)) return undefined;
    if (span[2] === '小时') return addHours(base, n).getTime();
    if (span[2] === '天') return endOfDay(addDays(base, n)).getTime();
    return endOfDay(addBusinessDays(base, n)).getTime();
  }
  let day: Date | undefined;
  if (/^(?:今天|今日|今晚|马上|立刻|立即|这就|现在就|稍后)/.test(expr)) day = base;
  else if (/^(?:明天|明早|明日)/.test(expr)) day = addDays(base, 1);
  else if (/^大后天/.test(expr)) day = addDays(base, 3);
  else if (/^后天/.test(expr)) day = addDays(base, 2);
  else if (/^(?:这周|本周)/.test(expr)) day = addDays(startOfWeek(base, { weekStartsOn: 1 }), 6);
  else if (/^月底/.test(expr)) day = endOfMonth(base);
  else {
    const week = /^(下周|周|星期|礼拜)([一二三四五六日天])?/.exec(expr);
    const date = /^(?:(\d{1,2})月)?(\d{1,2})[号日]/.exec(expr);
    if (week) {
      const wd = WEEKDAY[week[2] ?? '一'] ?? 1;
      if (week[1] === '下周') {
        const monday = startOfWeek(addWeeks(base, 1), { weekStartsOn: 1 });
        day = addDays(monday, (wd + 6) % 7);
      } else day = base.getDay() === wd ? base : nextDay(base, wd);
    } else if (date) {
      const month = date[1] ? Number(date[1]) - 1 : base.getMonth();
      const dom = Number(date[2]);
      let d: Date = new TZDate(base.getFullYear(), month, dom, zone);
      if (endOfDay(d).getTime() < now) d = date[1] ? addYears(d, 1) : addMonths(d, 1);
      day = d;
    }
  }
  if (!day) return undefined;
  const hour = /(\d{1,2}|[一二两三四五六七八九十]{1,3})点(半)?/.exec(expr);
  const part = /上午|中午|下午|傍晚|晚上|早上|今晚/.exec(expr)?.[0];
  if (hour) {
    let h = /\d/.test(hour[1]!) ? Number(hour[1]) : chineseHour(hour[1]!);
    if ((part === '下午' || part === '傍晚' || part === '晚上' || part === '今晚') && h < 12) h += 12;
    if (h > 23) return endOfDay(day).getTime();
    return setHours(startOfDay(day), h).getTime() + (hour[2] ? 30 * 60_000 : 0);
  }
  const partHour: Record<string, number> = { 早上: 10, 上午: 12, 中午: 14, 下午: 18, 傍晚: 19 };
  if (part && partHour[part] !== undefined) return setHours(startOfDay(day), partHour[part]).getTime();
  return endOfDay(day).getTime();
}

/** 八 → 8, 十 → 10, 十一 → 11, 二十 → 20 (an hour of the day in Chinese numerals). */
function chineseHour(s: string): number {
  const digit = (c: string | undefined) => (c ? '〇一二三四五六七八九'.indexOf(c === '两' ? '二' : c) : -1);
  const ten = s.indexOf('十');
  if (ten < 0) return digit(s[0]);
  const tens = ten === 0 ? 1 : digit(s[0]);
  const ones = ten === s.length - 1 ? 0 : digit(s[ten + 1]);
  return tens * 10 + ones;
}

function clauseBounds(norm: NormalizedText, i: number): [number, number] {
  let a = i;
  while (a > 0 && !norm.breakBefore[a]) a--;
  let b = i + 1;
  while (b < norm.text.length && !norm.breakBefore[b]) b++;
  return [a, Math.min(b, norm.text.length)];
}

/** Finds checkable promises in a flat-normalised message. */
export function findPromises(
  norm: NormalizedText,
  original: string,
  now: number,
  zone: string,
): CheckablePromise[] {
  const t = norm.text;
  const out: CheckablePromise[] = [];
  for (const { kind, re } of PROMISE_PATTERNS) {
    re.lastIndex = 0;
    for (let m = re.exec(t); m; m = re.exec(t)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const [cs, ce] = clauseBounds(norm, m.index);
      // Done already ("已经给您发了") or refused ("不能给您换"): no promise.
      const near = t.slice(Math.max(cs, m.index - 3), m.index);
      if (NOT_A_PROMISE.some((w) => near.includes(w))) continue;
      if (t.slice(Math.max(cs, m.index - 8), m.index).includes('已经')) continue;
      const span: TextSpan = originalSpan(norm, m.index, m.index + m[0].length);
      const promise: CheckablePromise = { kind, detail: original.slice(span.start, span.end), span };
      if (kind === 'carrier')
        promise.detail = (m[1] ?? m[2] ?? promise.detail).replace('京东物流', '京东快递');
      // Due date: the time expression of the match, or one earlier in the same clause.
      const time = kind === 'ship-by' ? m[1] : new RegExp(TIME).exec(t.slice(cs, ce))?.[0];
      const head = t.slice(cs, m.index + m[0].length);
      if (time && !RELATIVE.test(head)) {
        const due = dueAtOf(time, now, zone);
        if (due !== undefined) promise.dueAt = due;
      }
      out.push(promise);
    }
  }
  return out.sort((a, b) => a.span.start - b.span.start);
}

/**
 * The checkable promises in a message (CMP-4): "明天给您发顺丰" gives a carrier and a ship-by
 * promise, "48小时内发货" a ship-by with its due time, "给您换一个" an exchange.
 */
export function extractPromises(text: string, now: number, tz = 'Asia/Shanghai'): CheckablePromise[] {
  return findPromises(normalize(text), text, now, tz);
}

/** The warn finding of one promise. */
export function promiseFinding(p: CheckablePromise, original: string): Finding {
  return {
    rule: 'CMP-4',
    id: `cmp4.promise.${p.kind}`,
    verdict: 'warn',
    reason: PROMISE_REASON,
    span: p.span,
    matched: original.slice(p.span.start, p.span.end),
  };
}

/** Canonical guarantees from the settings, for the compensation rule. */
export function canonicalGuarantees(list: readonly string[] | undefined): Set<string> {
  return new Set((list ?? []).map((g) => canonical(g)));
}
