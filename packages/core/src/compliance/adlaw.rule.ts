/**
 * 广告法 (Advertising Law art. 9): absolute claims about goods — 最好, 全网最低, 第一, 顶级, 国家级,
 * 绝对, 100% 有效, 史上最… — are fined when a shop makes them, in chat as on the product page. They
 * warn (issue #17): the agent sees why and a softer wording, and may send it after a second look.
 * Neutral uses of the same characters pass: 第一时间, 最近, 最后一件, 最快明天到, 最新款, 最大码,
 * 最多三件, 第一次, 您最好先量一下 (advice, not a claim), 100% 纯棉 (a composition, a fact).
 */
import { endsClause, reason, type LexRule, type MatchContext } from './lexicon';

const ABSOLUTE = reason(
  '绝对化用语（最、第一、顶级、国家级、绝对、100% 等）：广告法禁止用于商品宣传，平台会处罚。请换成具体、可证明的描述。',
  'An absolute claim (best, No. 1, top-grade, national-level, absolutely, 100% …): the Advertising Law forbids it in product claims and platforms fine it. Say something specific you can show instead.',
);

/** 最 + a quality: a superlative claim ("最好用", "最便宜的", "质量最好"). */
const SUPERLATIVE =
  '(?:好用|好吃|好看|好喝|好|佳|优|强|棒|牛|便宜|低价|实惠|划算|正宗|高端|高级|顶级|安全|健康|有效|专业|权威|先进|时尚|流行|受欢迎|畅销|火爆|火|热销|舒服|舒适|耐用|保暖|漂亮|美|白|香|纯|新鲜|天然|靠谱|超值|值|完美|稳定|结实|好评|正)';

/** What a claim becomes: a softer, checkable wording of the same clause. */
function soften(claim: string): string {
  if (/^全网(?:最低|最便宜|底价)/.test(claim)) return '很优惠';
  if (/^史上最/.test(claim)) return `非常${claim.slice(3)}`;
  if (/^最/.test(claim)) return `很${claim.slice(1)}`;
  if (/^绝对/.test(claim)) return claim.slice(2);
  if (/^(?:100|百分百|百分之百)/.test(claim)) return claim.replace(/^(?:100|百分百|百分之百)/, '');
  if (/第一|冠军|no1|top1/.test(claim)) return '很受欢迎';
  if (/^(?:独一无二|绝无仅有)/.test(claim)) return '很有特色';
  if (/^(?:万能|特效|神效)/.test(claim)) return '实用';
  if (/^永(?:久|不)/.test(claim)) return '耐用';
  return '优质';
}

/** "最好" as advice ("您最好先量一下") is not a claim; "这款最好" and "最好的" are. */
function superlativeAccept(m: MatchContext): boolean {
  const s = m.match[0];
  const next = m.norm.text.slice(m.end, m.end + 3);
  if (s === '最好' || s === '最正' || s === '最值') return next.startsWith('的') || endsClause(m);
  // "最白" in "最白的一款" is a claim, "最美" too; "最火" as well — but not before 时候/时间.
  return !/^的?(?:时候|时间)/.test(next);
}

const rule = (
  id: string,
  anchors: string[],
  pattern: RegExp,
  examples: string[],
  accept?: (m: MatchContext) => boolean,
): LexRule => ({
  id: `adlaw.${id}`,
  rule: 'AD-LAW',
  verdict: 'warn',
  packs: ['generic'],
  anchors,
  pattern,
  ...(accept ? { accept } : {}),
  reason: ABSOLUTE,
  rewriteOf: soften,
  examples,
});

/** The 广告法 pack (always on: the law applies on every platform). */
export const ADLAW_RULES: readonly LexRule[] = [
  rule(
    'superlative',
    ['最'],
    new RegExp(`(?<!史上)最${SUPERLATIVE}`),
    ['这款是我们家最好用的', '质量最好', '这个价格最划算了', '最正宗的西湖龙井'],
    superlativeAccept,
  ),
  rule('lowest', ['全网'], /全网(?:最低|最便宜|底价|第一|独家)/, ['全网最低价', '全网最便宜，放心拍']),
  rule('ever', ['史上'], /史上最\S{1,4}/, ['史上最好用的吹风机']),
  rule(
    'first',
    ['第一', '冠军', 'no1', 'top1'],
    /(?:行业|全国|全网|全球|世界|销量|品类|同类|类目|网红|国内)(?:第一|冠军|no1|top1)|(?:第一品牌|no1|top1|销冠)/,
    ['销量第一', '行业第一品牌', '我们是NO.1'],
  ),
  rule(
    'grade',
    ['顶级', '极品', '国家级', '世界级', '宇宙级', '殿堂级', '至尊', '王牌'],
    /顶级|极品|国家级|世界级|宇宙级|殿堂级|至尊|王牌/,
    ['国家级品质', '顶级面料', '极品好茶'],
  ),
  rule(
    'unique',
    ['独一无二', '绝无仅有', '万能', '特效', '神效', '祖传', '秘方', '永久', '永不'],
    /独一无二|绝无仅有|万能|特效|神效|祖传秘?方?|秘方|永久|永不(?:褪色|变形|坏|过时|磨损)/,
    ['独一无二的设计', '万能清洁剂', '永不褪色'],
  ),
  rule('absolute', ['绝对'], /绝对(?:正品|安全|有效|好用|划算|值|放心|纯|天然|无毒|健康|管用|耐用|靠谱)/, [
    '绝对正品',
    '绝对安全无副作用',
  ]),
  rule(
    'hundred',
    ['100', '百分百', '百分之百'],
    /(?:100|百分百|百分之百)(?:纯天然|天然|有效|正品|安全|无添加|好评|满意|不过敏|见效)/,
    ['100%纯天然', '百分百有效'],
  ),
];
