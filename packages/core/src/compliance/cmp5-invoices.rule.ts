/**
 * CMP-5 invoices: refusing one, tying it to a minimum amount, charging tax points or postage
 * for it (seed 001, Tmall: 6 points per complaint upheld). Refusing an invoice is against
 * Chinese tax rules on every platform, so the entries are `generic` as well as `taobao-tmall`.
 */
import { endsClause, negated, reason, type LexRule } from './lexicon';

const OFFER = '发票可以开的，请您提供抬头和税号，我们按规定为您开具';
const REFUSE = reason(
  '拒绝开发票：商家必须按规定开具发票（天猫：投诉成立扣 6 分）。',
  'Refuses an invoice: the shop must issue one (Tmall: 6 points when a complaint is upheld).',
);
const CONDITION = reason(
  '给开发票设条件或另收费用（满额才开、加税点、邮费自理）：违规（天猫：投诉成立扣 6 分）。',
  'Puts conditions or charges on an invoice (minimum amount, tax points, postage): not allowed (Tmall: 6 points).',
);
const NUM = '(?:\\d{1,7}|[一二两三四五六七八九十几百千]{1,6})';

/** The CMP-5 lexicon. */
export const CMP5_RULES: readonly LexRule[] = [
  {
    id: 'cmp5.refuse',
    rule: 'CMP-5',
    verdict: 'block',
    packs: ['generic', 'taobao-tmall'],
    anchors: ['发票', '开票', '票'],
    pattern:
      /(?:不|没法|无法|不能|不给|不可以|不支持|没办法|开不了|不予)(?:开|提供|开具|给开|给您开|给你开|补开|出|寄)?(?:具)?(?:发票|票)|特价(?:商品|产品|的)?(?:没有|不开|不提供|无)(?:发票|票)/,
    // "不开发票" and "不提供发票" refuse; "不需要发票吗" (the buyer's choice) and "如果不开" do not.
    accept: (m) => {
      const s = m.match[0];
      if (/^不(?:发票|票)$/.test(s)) return false;
      return !negated(m, ['如果', '若', '是否', '需不需要', '要不要', '会不会', '不会']);
    },
    reason: REFUSE,
    rewrite: OFFER,
    examples: ['不开发票的哦', '特价商品不提供发票', '开不了发票'],
  },
  {
    id: 'cmp5.none',
    rule: 'CMP-5',
    verdict: 'block',
    packs: ['generic', 'taobao-tmall'],
    anchors: ['没有发票', '没发票', '无发票', '发票没有', '发票开不', '发票不', '发票无法', '发票没法'],
    pattern:
      /(?:没有|没|无)(?:发票|票)|发票(?:开不了|开不出来?|不能开|没法开|无法开具?|不开|不提供|不给开|没有)/,
    accept: (m) => {
      const t = m.norm.text;
      // "有没有发票" asks; "发票没有问题" reassures.
      if (t[m.index - 1] === '有' || t[m.index - 1] === '还') return false;
      if (m.match[0].endsWith('没有') && !endsClause(m)) return false;
      if (/^(?:没有|没|无)/.test(m.match[0]) && /^(?:问题|关系|影响|区别)/.test(t.slice(m.end, m.end + 2)))
        return false;
      return !negated(m, ['如果', '若', '是否', '是不是', '有没有']);
    },
    reason: REFUSE,
    rewrite: OFFER,
    examples: ['这边没有发票的哦', '发票开不了，抱歉'],
  },
  {
    id: 'cmp5.minimum',
    rule: 'CMP-5',
    verdict: 'block',
    packs: ['generic', 'taobao-tmall'],
    anchors: ['满'],
    pattern: new RegExp(
      `满${NUM}(?:元|块|块钱|件|单)?(?:以上)?(?:才|才能|才可以|可以|能)(?:开|提供|开具|给开)(?:具)?(?:发票|票)?|满${NUM}(?:元|块)?(?:以上)?(?:开|提供)(?:具)?(?:发票|票)|(?:发票|开票)(?:要|需要|得|须|必须)?满${NUM}(?:元|块)?(?:以上)?(?:才|才能)?`,
    ),
    reason: CONDITION,
    rewrite: OFFER,
    examples: ['我们的发票要满100元才能提供', '满500才开发票'],
  },
  {
    id: 'cmp5.charge',
    rule: 'CMP-5',
    verdict: 'block',
    packs: ['generic', 'taobao-tmall'],
    anchors: ['发票', '开票', '税点', '点税', '含税', '含票', '带票', '个点'],
    pattern: new RegExp(
      `(?:开发票|开票|发票|要票|要发票)(?:的话)?(?:要|需要|得|须|必须|就|还)?(?:另|额外|再|另外)?(?:加|补|收|付|交|承担|补齐|加收)(?:${NUM}(?:个)?(?:点|税点|%)?|点|税点|税|钱|费|邮费|运费|手续费|快递费|差价)|(?:补|加|另付|另加|补齐|承担)(?:一下)?(?:${NUM}个?)?(?:税点|税费|点税|个点的税|点的税)|不含税(?:点)?|(?:要|开|含|带)(?:发票|票)(?:的话)?(?:价格|价钱|的价)?(?:就)?(?:不一样|要贵|贵|另算|另外算|要加|得加|加)`,
    ),
    accept: (m) => !negated(m, ['不用', '不需要', '无需', '不额外', '免费', '不收', '不会']),
    reason: CONDITION,
    rewrite: OFFER,
    examples: [
      '发票要另加6个点的税',
      '开票要加钱的，亲',
      '我们的价格不含税点，需要发票要补齐税点',
      '要发票的话得加5%',
    ],
  },
  {
    id: 'cmp5.postage',
    rule: 'CMP-5',
    verdict: 'block',
    packs: ['generic', 'taobao-tmall'],
    anchors: ['发票', '到付'],
    pattern:
      /发票(?:的)?(?:话)?(?:的)?(?:邮费|运费|快递费|寄送费)(?:需要|要|得|由)?(?:自理|自付|到付|[您你]|买家|顾客)(?:来)?(?:承担|出|付|自理)?|(?:补寄|寄|邮寄)?发票(?:的话)?(?:运费|邮费)(?:需要|要|得|由)?(?:[您你]|买家)(?:来)?(?:承担|出|付)|(?:承担|付|出)(?:一下)?(?:补寄|寄|邮寄)?发票(?:的)?(?:运费|邮费|快递费)|发票.{0,6}?(?:运费|邮费|快递费)(?:需要|要|得|由)?(?:[您你]|买家|顾客)(?:自己|自个儿?)?(?:来)?(?:承担|出|付)|(?:邮费|运费)?到付(?:寄|发)?(?:给[您你])?(?:发票)?|发票(?:走)?到付/,
    accept: (m) => {
      const s = m.match[0];
      if (/^(?:邮费|运费)?到付/.test(s)) return /发票/.test(m.norm.text);
      return true;
    },
    reason: CONDITION,
    rewrite: OFFER,
    examples: [
      '发票邮费自理哦',
      '发票要的话运费你自己出',
      '补寄发票的话运费需要您承担，或者给您到付',
      '麻烦亲承担一下补寄发票的运费',
    ],
  },
];
