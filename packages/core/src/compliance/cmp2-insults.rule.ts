/**
 * CMP-2 insults, personal attacks and defamation — of buyers and of platform staff (Pinduoduo's
 * service rules name both; seed 001). Each word carries the context that separates an insult
 * from an ordinary word: "你是不是傻" blocks, "傻瓜相机" passes; "你有病吧" blocks, "病毒",
 * "有病菌" pass; "滚！" blocks, "滚筒洗衣机" passes. All entries are `generic`.
 */
import { endsClause, latinBounded, negated, reason, startsClause, type LexRule } from './lexicon';

const CALM = '给您带来不愉快非常抱歉，我们来一起解决这个问题';
const INSULT = reason(
  '侮辱、谩骂顾客：平台对不文明用语处罚严厉（拼多多可下架商品、限制店铺）。',
  'Insulting the buyer: platforms punish abusive language hard (Pinduoduo can delist goods and restrict the shop).',
);
const YOU = '(?:你|您|你们|是不是|你是不是|你是|真是|真|太|好|有点|这么|那么|就是|个|这个|这种)';
const YOU_ONLY = '(?:你|您|你们|是不是|你是不是|你是)';

/** The CMP-2 lexicon. */
export const CMP2_RULES: readonly LexRule[] = [
  {
    id: 'cmp2.profanity',
    rule: 'CMP-2',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: [
      '傻逼',
      '傻b',
      '傻比',
      '傻x',
      '煞笔',
      '沙比',
      '煞比',
      '他妈',
      '你妈',
      '尼玛',
      '草泥马',
      '操你',
      '卧槽',
      '我靠',
      '妈的',
      '日你',
      '滚犊子',
    ],
    pattern: /傻[逼比bx叉屄]|煞[笔比]|沙比|他妈|你妈[的逼b了]|尼玛|草泥马|操你|卧槽|我靠|日你|滚犊子|妈的/,
    // "妈的" alone only at the start of a clause ("妈妈的生日" passes).
    accept: (m) => m.match[0] !== '妈的' || (startsClause(m) && m.norm.text[m.index - 1] !== '妈'),
    reason: INSULT,
    rewrite: CALM,
    examples: ['傻逼', '你妈的，退什么退', '傻 b'],
  },
  {
    id: 'cmp2.profanity-latin',
    rule: 'CMP-2',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: [
      'sb',
      'shabi',
      'tmd',
      'nmsl',
      'cnm',
      'wdnmd',
      'fuck',
      'shit',
      'idiot',
      'stupid',
      'moron',
      'nmd',
      'mlgb',
    ],
    pattern: /sb|shabi|tmd|nmsl|cnm|wdnmd|fuck(?:ing)?|shit|idiot|stupid|moron|nmd|mlgb/,
    accept: (m) => latinBounded(m),
    reason: INSULT,
    rewrite: CALM,
    examples: ['ｓｂ买家', '你个ѕb'],
  },
  {
    id: 'cmp2.stupid',
    rule: 'CMP-2',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: ['傻', '蠢', '笨', '白痴', '弱智', '智障', '脑残', '低能', '脑子', '猪'],
    pattern: new RegExp(
      `${YOU}{1,4}(?:是)?(?:个|一个)?傻(?!瓜相机|瓜式|瓜机|傻分|傻地|傻的)(?:瓜|子|帽|蛋)?|傻(?:子|帽|缺|狍子)|蠢(?:货|猪|蛋|驴|材|死|到家)|${YOU}{1,4}(?:是)?(?:个|一个)?(?:蠢|笨蛋|愚蠢|笨)(?!萌|蠢|重|拙|办法|方法|鸟|手笨脚)|笨蛋|白痴|弱智|智障|脑残|低能|猪脑子|脑子(?:进水|有病|有问题|坏了|被驴踢|秀逗|有坑|瓦特)|没(?:长)?脑子|[你您](?:是|真是|就是|简直是|跟|像)(?:个|头|只)?猪(?![年肉蹄排骨油皮毛])`,
    ),
    // "白痴都会用" as a product boast is still coarse; a plain "傻傻分不清" is not an insult.
    reason: INSULT,
    rewrite: CALM,
    examples: [
      '你是不是傻？',
      '你 是 不 是 傻',
      '你是不是智障啊',
      '你真是个蠢货',
      '白痴，看不懂中文吗',
      '你脑子进水了吧',
      '脑残才买了还嫌贵',
      '你是猪吗',
    ],
  },
  {
    id: 'cmp2.sick',
    rule: 'CMP-2',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: ['有病', '有毛病', '神经病', '精神病', '神经'],
    pattern: new RegExp(
      `(?:神经|精神)病(?!学|变|理|院|科|医)|${YOU_ONLY}{1,3}(?:真|是|真是)?有(?:病|毛病)(?!菌|毒|害|虫|变|例|史|历|号|人|房|假|症|理|因|痛|灶|原)|有(?:病|毛病)(?:吧|啊|呀|是吧)|神经兮兮`,
    ),
    accept: (m) => !/^有(?:病|毛病)(?:吧|啊|呀|是吧)$/.test(m.match[0]) || endsClause(m),
    reason: INSULT,
    rewrite: CALM,
    examples: ['你有病吧', '神经病，别来烦我', '你有毛病啊，说了不退'],
  },
  {
    id: 'cmp2.get-lost',
    rule: 'CMP-2',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: ['滚'],
    pattern:
      /滚(?:蛋|开|出去|远点|远一点|一边去|粗|吧|回去)|(?:你|您|给我|快|赶紧|你给我|都给我)滚(?!筒|轮|动|珠|刷|边|烫|水|雪球|床|针|压|子)|滚/,
    // A bare "滚" must stand alone as a clause ("滚！"); 滚筒、滚水、打滚 pass.
    accept: (m) => m.match[0] !== '滚' || (startsClause(m) && endsClause(m)),
    reason: INSULT,
    rewrite: CALM,
    examples: ['滚！', '滚远点，别来烦我'],
  },
  {
    id: 'cmp2.wish-death',
    rule: 'CMP-2',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: ['去死', '找死', '死开', '死全家', '死吧'],
    pattern: /去死|找死|死开|死全家|[你您]死吧/,
    reason: INSULT,
    rewrite: CALM,
    examples: ['去死吧'],
  },
  {
    id: 'cmp2.poor',
    rule: 'CMP-2',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: ['穷鬼', '穷逼', '穷b', '穷酸', '屌丝', '没钱'],
    pattern: /穷(?:鬼|逼|b|酸|光蛋)|屌丝|没钱(?:就)?(?:别|不要|少)(?:买|来|问|逛|废话)/,
    reason: INSULT,
    rewrite: CALM,
    examples: ['你这种穷鬼就别买了'],
  },
  {
    id: 'cmp2.no-manners',
    rule: 'CMP-2',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: ['素质', '教养', '家教', '要脸', '泼妇', '贱', '刁民', '奇葩', '无赖', '人渣', '败类'],
    pattern:
      /没(?:有)?(?:素质|教养|家教)|素质(?:真|太)?(?:低|差)|不要脸|泼妇|贱(?:人|货|骨头)|犯贱|[你您](?:真|好|这么)?贱|刁民|奇葩(?:买家|客户|顾客|人)|[你您](?:真是|这个|真)?奇葩|无赖|人渣|败类/,
    reason: INSULT,
    rewrite: CALM,
    examples: ['没素质的人我不伺候', '真不要脸'],
  },
  {
    // Issue #17: the short epithets agents throw on their own ("戏精", "事儿精", "闭嘴") — too short
    // for the statistical layer to read, exactly what a list is for.
    id: 'cmp2.name-calling',
    rule: 'CMP-2',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: [
      '事儿精',
      '事精',
      '戏精',
      '文盲',
      '二百五',
      '瓜娃子',
      '脑瘫',
      '闭嘴',
      '少bb',
      '叽叽歪歪',
      '眼瞎',
      '瞎',
      '吃相',
      '智商',
      '杠精',
      '艹',
      '蠢货',
      '矫情',
    ],
    pattern:
      /事儿?精|戏精|文盲|二百五|瓜娃子|脑瘫|闭嘴|少bb|叽叽歪歪|眼(?:睛)?瞎|瞎(?:了|啊|吗|呀)(?:眼|你的眼|狗眼)?(?!.{0,2}(?:买|说|猜|逛|操心|搞|弄|折腾))|吃相(?:真|太|很|也太)?难看|智商(?:低|不够|堪忧|有问题|欠费|捉急|感人|服务不了)|[你您]的智商|杠精|^艹$|蠢货|[你您](?:真|太|好|也太)?矫情/,
    reason: INSULT,
    rewrite: CALM,
    examples: ['事儿精', '戏精', '闭嘴吧', '瞎啊', '吃相真难看', '您的智商我们服务不了'],
  },
  {
    id: 'cmp2.trash',
    rule: 'CMP-2',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: ['垃圾', '废物'],
    pattern: new RegExp(
      `${YOU}{1,4}(?:是)?(?:个|一个|一群|一帮)?(?:垃圾|废物)(?!袋|桶|分类|箱|站|处理|回收|利用|短信|邮件)|垃圾(?:买家|客户|顾客|人)|废物(?!利用|回收|处理|排放)`,
    ),
    reason: INSULT,
    rewrite: CALM,
    examples: ['你就是个废物', '垃圾买家'],
  },
  {
    id: 'cmp2.defame',
    rule: 'CMP-2',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: ['骗子', '碰瓷', '讹', '敲诈', '勒索', '差评师', '白嫖', '薅羊毛'],
    pattern: new RegExp(
      `${YOU}{1,4}(?:人)?(?:就是|是|来){0,3}(?:个|一个)?(?:来)?(?:碰瓷|骗子|讹人|讹钱|敲诈|勒索|白嫖|薅羊毛)|(?:职业)?差评师|专业碰瓷`,
    ),
    // "谨防骗子冒充客服" warns the buyer; it names nobody.
    accept: (m) => !negated(m, ['谨防', '小心', '警惕', '防止', '提防', '冒充', '遇到']),
    reason: reason(
      '诽谤、诋毁顾客（说顾客是骗子、碰瓷）：平台禁止。',
      'Defaming the buyer (calling them a cheat): forbidden by the platforms.',
    ),
    rewrite: '我们会认真核实情况，尽快给您答复',
    examples: ['你这种人就是来碰瓷的骗子'],
  },
  {
    id: 'cmp2.staff',
    rule: 'CMP-2',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: ['小二', '平台客服', '官方客服', '审核', '平台的人', '官方的人', '平台'],
    pattern:
      /(?:小二|平台客服|官方客服|审核员?|平台的人|官方的人|平台)(?:们)?(?:就是|都是|真是|全是|是)?(?:一群|一帮)?(?:收了钱|收钱|眼瞎|瞎了|瞎子|傻|垃圾|废物|白痴|黑心|脑残|吃干饭|吃屎|不讲理|瞎搞|有病)|小二(?:是)?瞎/,
    reason: reason(
      '诋毁平台官方客服或小二：拼多多客服规则同样禁止。',
      "Insulting platform staff: Pinduoduo's service rules forbid it too.",
    ),
    rewrite: '这个问题我们会按平台流程跟进处理',
    examples: ['小二就是收了钱的，眼瞎'],
  },
];
