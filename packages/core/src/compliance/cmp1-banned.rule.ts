/**
 * CMP-1 banned phrases: the JD list of seed 001 (written there in a machine-converted wording —
 * "我也没方法", "不晓得(不分明)" — so both that wording and the everyday one are matched) and the
 * "雷区" of the same seed (questioning and ordering the buyer about).
 *
 * Packs: the JD list is rude on every platform, so its entries are `generic`; only the bare
 * "不知道 / 不清楚" answer, which JD names and other platforms tolerate when followed by help, is
 * `jd` only.
 */
import {
  endsClause,
  negated,
  nextClause,
  reason,
  startsClause,
  type LexRule,
  type MatchContext,
} from './lexicon';

const CHECK = '这个问题我帮您确认一下，请稍等';
const HELP = [
  '帮您',
  '给您',
  '帮你',
  '给你',
  '问一下',
  '问问',
  '确认',
  '核实',
  '查一下',
  '查询',
  '咨询',
  '马上',
];

/** The CMP-1 lexicon. */
export const CMP1_RULES: readonly LexRule[] = [
  {
    id: 'cmp1.ask-me',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['问谁'],
    pattern: /[你您]问我[那我还又也]{0,3}问谁/,
    reason: reason(
      '京东禁用语“你问我，我问谁”：推卸责任。',
      'JD banned phrase "you ask me, who do I ask": shifts the blame.',
    ),
    rewrite: CHECK,
    examples: ['你问我，我问谁？', '你 问 我 我 问 谁 啊', '妳問我，我問誰'],
  },
  {
    id: 'cmp1.are-you-kidding',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['搞错'],
    pattern: /[你您](?:有没有|有没|搞没|是不是|到底有没有)搞错|[你您]搞错了?没有?/,
    reason: reason(
      '京东禁用语“你有没有搞错”：质问顾客。',
      'JD banned phrase "are you kidding me?": interrogates the buyer.',
    ),
    rewrite: '麻烦您再核对一下，我这边也帮您确认',
    examples: ['你有没有搞错？'],
  },
  {
    id: 'cmp1.dont-bother',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['就不要', '就别'],
    pattern:
      /(?:搞|弄|看|用|想)不(?:分明|明白|清楚|懂|来)就(?:不要|别)(?:搞|弄|买|用|问|看)了?|(?:用|买)不起就(?:不要|别)(?:用|买)了?/,
    reason: reason(
      '京东禁用语“你搞不清楚就不要买了 / 用不起就不要用”：贬低顾客。',
      'JD banned phrase "if you can\'t figure it out / afford it, don\'t": belittles the buyer.',
    ),
    rewrite: '没关系，我给您详细介绍一下',
    examples: ['你搞不清楚就不要买了', '用不起就不要用', '你搞不分明就不要搞了'],
  },
  {
    id: 'cmp1.already-said',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['还问', '还在问', '遍了', '多少遍', '几遍'],
    pattern:
      /(?:刚才|方才|之前|已经|都|曾经|不是)(?:已经|曾经|都|跟你|和你){0,3}(?:说|讲|告诉你|回答|回复)(?:过)?了?(?:\d{1,3}|[一两三四五六七八九十几]{1,3}|多少|好几)?遍?了?吧?(?:你)?(?:怎么|怎样|咋|为什么|干嘛|为啥)?(?:又|还)(?:在)?问|(?:说|讲)了?(?:\d{1,3}|[一两三四五六七八九十几]{1,3}|多少|好几|八百|n)遍/,
    reason: reason(
      '京东禁用语“刚才已经说过了，怎么还问”：不耐烦。',
      'JD banned phrase "I already told you, why ask again?": impatient.',
    ),
    rewrite: '我再给您详细说明一下',
    examples: [
      '刚才已经说过了吧，怎么还问啊？',
      '方才曾经说过了吧,怎样还问啊?',
      '说了多少遍了，还问',
      '我都说了三遍了，怎么还问',
    ],
  },
  {
    id: 'cmp1.dont-know',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['jd'],
    anchors: ['不知道', '不清楚', '不晓得', '不分明', '不明白'],
    pattern: /(?:我们|我|也|都){0,3}不(?:太|是很)?(?:知道|清楚|晓得|分明|明白)/,
    // JD: a bare "不知道" answer; "不清楚，我帮您问一下" offers help and passes.
    accept: (m) =>
      startsClause(m, ['这个', '这', '那个', '那', '嗯', '额', '呃', '亲', '这边', '这事']) &&
      endsClause(m) &&
      !HELP.some((w) => nextClause(m).includes(w)),
    reason: reason(
      '京东禁用语“不知道 / 不清楚”：不能只说不知道，应帮顾客确认。',
      'JD banned phrase "don\'t know": offer to find out instead.',
    ),
    rewrite: CHECK,
    examples: ['不知道。', '这个我也不知道呢', '不晓得(不分明)'],
  },
  {
    id: 'cmp1.how-would-i-know',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['哪知道', '哪晓得', '鬼知道', '谁知道', '没得商量', '没商量', '好商量', '能商量'],
    pattern:
      /(?:我|我们|谁)(?:怎么|哪)(?:会)?(?:知道|晓得)|鬼知道|谁知道(?:呢|啊)?$|没得商量|没(?:有)?(?:什么)?(?:好)?商量|不(?:接受|能|用)商量/,
    accept: (m) => !/^(?:谁知道)/.test(m.match[0]) || endsClause(m),
    reason: reason(
      '京东禁用语的同类：“我哪知道 / 没得商量”，冷淡、推诿。',
      'Like the JD banned phrases: "how would I know / no discussion" brushes the buyer off.',
    ),
    rewrite: CHECK,
    examples: ['我哪知道啊', '这是规矩，没得商量'],
  },
  {
    id: 'cmp1.no-way',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['没办法', '没方法', '没有办法', '没有方法'],
    pattern: /(?:不行)?(?:我们|我这边|这边|我)?也?没有?(?:办法|方法)/,
    // "不行没办法" always; otherwise only as a curt clause on its own ("我也没办法。").
    accept: (m) =>
      m.match[0].startsWith('不行') || (startsClause(m, ['这个', '这', '那', '亲']) && endsClause(m)),
    reason: reason(
      '京东禁用语“我也没办法 / 不行没办法”：拒绝时要说明原因并给出替代方案。',
      'JD banned phrase "nothing I can do": explain why and offer an alternative.',
    ),
    rewrite: '非常抱歉，这个情况我帮您想想其他办法',
    examples: ['我也没办法，这不是我的错。', '不行，没办法。', '不行没方法'],
  },
  {
    id: 'cmp1.not-my-fault',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['不是我', '不关我', '没关系', '没有关系'],
    pattern:
      /(?:这|这个|那|又|也)?不是我(?:们)?的?(?:错|问题|责任)|不关我(?:们)?(?:的)?事|(?:跟|和|与)我(?:们)?(?:没|没有)(?:关系|关)/,
    accept: (m) => !negated(m, ['如果', '若', '要是', '假如', '是否', '是不是', '如']),
    reason: reason(
      '京东禁用语“这不是我的错 / 这不是我们的问题”：推卸责任。',
      'JD banned phrase "not my fault / not our problem": shifts the blame.',
    ),
    rewrite: '给您带来不便非常抱歉，我来帮您处理',
    examples: ['这不是我的错', '这不是我们的问题', '跟我们没关系'],
  },
  {
    id: 'cmp1.go-complain',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['投诉', '打官司', '告我'],
    pattern:
      /(?:随便|随意|爱|尽管|有本事)(?:你|您)?(?:到|去)?(?:哪里|哪儿|哪)?(?:去)?(?:投诉|告)|打官司(?:也|都)?(?:可以|行|随便|能够|没问题)|有本事(?:你)?(?:去)?(?:投诉|告)|[你您](?:去|就去)?投诉(?:吧|去吧|好了|啊)/,
    reason: reason(
      '京东禁用语“随便你到哪里去投诉”：激化矛盾。',
      'JD banned phrase "complain wherever you like": escalates the conflict.',
    ),
    rewrite: '给您带来不好的体验非常抱歉，我一定尽力帮您解决',
    examples: ['随便你到哪里去投诉，打官司也可以', '有本事你去投诉啊', '随意你到哪里去投诉,就是打官司也能够'],
  },
  {
    id: 'cmp1.see-yourself',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['自己', '本人看', '不会看', '看不懂', '不识字', '不懂'],
    pattern:
      /[你您](?:自己|本人)(?:去)?看(?:吧|去|呗|详情|说明|图)|(?:你|您)?自己(?:不会|不能|没)看|(?:你|您)?(?:是)?(?:不会看|看不懂|不识字)(?:吗|啊|嘛|中文|字)|我也不(?:是很|太)?懂/,
    accept: (m) => !m.match[0].startsWith('我也') || endsClause(m),
    reason: reason(
      '京东禁用语“你自己看吧，我也不是很懂”：敷衍、不专业。',
      'JD banned phrase "look it up yourself, I don\'t really know": dismissive.',
    ),
    rewrite: '我来给您详细说明一下',
    examples: [
      '你自己看吧，我也不是很懂',
      '详情页写得清清楚楚，你自己不会看吗？',
      '你本人看吧,我也不是很懂',
      '你自己去看详情页吧',
    ],
  },
  {
    id: 'cmp1.not-only-you',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['一个人', '一个客', '一个顾客', '一个买家'],
    pattern:
      /不是(?:只)?(?:为|给)[你您]一个(?:人|客人|顾客|买家)?(?:服务|效劳)|不是(?:只)?(?:服务|伺候|接待)[你您]一个/,
    reason: reason(
      '京东禁用语“我不是为你一个人服务的”：冷落顾客。',
      'JD banned phrase "I don\'t serve only you": brushes the buyer off.',
    ),
    rewrite: '让您久等了，非常抱歉，我马上为您处理',
    examples: ['我不是为你一个人服务的，请排队', '我不是为你一个人效劳的'],
  },
  {
    id: 'cmp1.rules-are-rules',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['规则', '规定', '规矩'],
    pattern:
      /这(?:是|就是|都是|本来就是)(?:平台|我们|公司|店铺|店里|官方|上面|系统|我们店)?(?:的)?(?:规则|规定|规矩)|规定就是规定|规则就是规则|规矩就是规矩/,
    // "这是规则。" refuses; "这是规则说明页" is a page: only a clause ending at the word blocks.
    accept: (m) => endsClause(m),
    reason: reason(
      '京东禁用语“这是规定”：用规定搪塞顾客，应解释原因。',
      'JD banned phrase "those are the rules": explain the reason instead.',
    ),
    rewrite: '根据平台的相关要求，这个情况需要这样处理，给您带来不便还请谅解',
    examples: ['这是规则。', '这是规定，没办法。', '这是平台的规定哦', '這是規定', '这是规矩，没得商量'],
  },
  {
    id: 'cmp1.do-you-know',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['懂不懂', '懂吗', '懂什么', '用过这个牌子'],
    pattern: /[你您](?:到底|究竟)?(?:懂不懂|懂吗|懂什么)|[你您]用过这个牌子(?:的产品)?(?:吗|没有)/,
    reason: reason(
      '京东禁用语“你懂不懂”：质问顾客。',
      'JD banned phrase "do you even understand?": interrogates the buyer.',
    ),
    rewrite: '我给您介绍一下这款产品的特点',
    examples: ['你用过这个牌子吗？你懂不懂？'],
  },
  {
    id: 'cmp1.go-find',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['去找', '得找'],
    pattern: /[你您](?:得|要|自己|去)(?:去)?找(?:快递|厂家|平台|别人|他们|物流|售后|客服|商家)?/,
    accept: (m) => endsClause(m),
    reason: reason(
      '京东禁用语“这个问题你得去找……”：推给别人。',
      'JD banned phrase "go and ask someone else": passes the buck.',
    ),
    rewrite: '这个问题我来帮您联系处理',
    examples: ['这个问题你得去找，这不是我们的问题'],
  },
  {
    id: 'cmp1.anything-fixed',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['问题都', '事情都'],
    pattern:
      /(?:只要|只需|只需要)?(?:找客服)?(?:什么|任何|所有)(?:问题|事情)都(?:能|可以|会)(?:帮[你您])?(?:处理|解决|搞定|摆平)/,
    reason: reason(
      '京东禁用语“只要找客服，什么问题都能处理”：承诺做不到的事。',
      'JD banned phrase "anything can be fixed": promises what cannot be kept.',
    ),
    rewrite: '有问题您随时联系我，我会尽力帮您处理',
    examples: ['只要找客服，什么问题都能处理！', '只需找客服,什么问题都能处理!'],
  },
  {
    id: 'cmp1.start-work',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic', 'jd'],
    anchors: ['上班'],
    pattern: /就这点(?:开端|开始)上班|(?:还)?没(?:到)?上班(?:呢)?(?:急什么|催什么|催啥)/,
    reason: reason(
      '京东禁用语“就这点开始上班”：冷淡、不耐烦。',
      'JD banned phrase about working hours: curt.',
    ),
    rewrite: '您好，我们的服务时间是……，届时第一时间为您处理',
    examples: ['就这点开端上班!'],
  },
  {
    id: 'cmp1.buy-or-not',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic'],
    anchors: ['买不买', '要不要', '不买'],
    pattern: /爱买不买|(?:到底|究竟)(?:还)?(?:买不买|要不要)|不买(?:就)?(?:拉倒|算了|别问|别废话|滚)/,
    reason: reason(
      '雷区：命令、催促顾客（“爱买不买 / 你到底买不买”）。',
      'Pitfall: ordering the buyer about ("buy it or don\'t").',
    ),
    rewrite: '您可以再考虑一下，有任何疑问随时问我',
    examples: ['爱买不买', '你到底买不买啊'],
  },
  {
    id: 'cmp1.annoyed',
    rule: 'CMP-1',
    verdict: 'block',
    packs: ['generic'],
    anchors: ['烦不烦', '烦死', '别问', '别再问', '废话', '烦人'],
    pattern:
      /[你您]?(?:烦不烦|真烦人|好烦人)|烦死(?:了|人)?|(?:能不能|可不可以|你)?别(?:再)?问了|(?:少|别)(?:说)?废话|废话(?:真|太)?多/,
    reason: reason(
      '雷区：对顾客不耐烦（“你烦不烦 / 别问了”）。',
      'Pitfall: impatience with the buyer ("stop asking").',
    ),
    rewrite: '不好意思，我再给您仔细说明一下',
    examples: ['你烦不烦啊', '别再问了'],
  },
];

/** Canonical default reason of a shop's own phrase. */
export const CUSTOM_PHRASE_REASON = reason('本店设置的禁用语。', 'A phrase this shop does not allow.');

/** True when a match of a custom phrase stands as its own word (Latin phrases are not cut out of longer words). */
export function customPhraseAccept(m: MatchContext): boolean {
  const t = m.norm.text;
  const alnum = (c: string | undefined) => c !== undefined && /[a-z0-9]/.test(c);
  const left = !alnum(t[m.index]) || !alnum(t[m.index - 1]) || m.norm.gapBefore[m.index] === 1;
  const right = !alnum(t[m.end - 1]) || !alnum(t[m.end]) || m.norm.gapBefore[m.end] === 1;
  return left && right;
}
