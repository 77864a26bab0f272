/**
 * CMP-3 off-platform trade: contact numbers and ids, bank cards, links outside the allow-list,
 * payment and QR-code invitations, other shops and platforms. Seed 001: Pinduoduo forbids
 * "收款二维码、支付宝账号、第三方链接、银行卡账号"; the 雷区 list forbids guiding the buyer to
 * "非官方链接、第三方店铺、非法二维码" on every platform, so the lexicon is `generic`; the packs
 * decide which platforms count as the shop's own (their domains and names pass), and the
 * `pinduoduo` pack also blocks a bare mention of another platform (third-party information).
 */
import type { CheckContext, Finding, PlatformPackId, TextSpan } from './compliance.types';
import { PLATFORM_PACK_IDS } from './compliance.types';
import { latinBounded, negated, reason, warns, type LexRule, type MatchContext } from './lexicon';
import { digitWindows, scanDigitRuns } from './digit-runs';
import { canonical, originalSpan, type NormalizedText } from './normalize';

const STAY = '有任何问题您直接在这里给我留言，我随时为您处理';
const OFF_PLATFORM = reason(
  '引导站外交易或留站外联系方式：平台严禁，情节严重直接关店。',
  'Leads the buyer off the platform: every platform forbids it (serious cases close the shop).',
);

/** Each platform's own domains: links to them pass when the pack is on. */
export const PLATFORM_DOMAINS: Record<PlatformPackId, readonly string[]> = {
  'taobao-tmall': ['taobao.com', 'tmall.com', 'tb.cn', 'tmall.hk', 'taobao.hk', 'alicdn.com', 'tbcdn.cn'],
  jd: ['jd.com', 'jd.hk', '3.cn', 'jd.cn', '360buy.com', '360buyimg.com'],
  pinduoduo: ['pinduoduo.com', 'yangkeduo.com', 'pddpic.com'],
  'douyin-kuaishou': [
    'douyin.com',
    'iesdouyin.com',
    'jinritemai.com',
    'douyinpic.com',
    'kuaishou.com',
    'kwai.com',
    'gifshow.com',
    'chenzhongtech.com',
    'kwaixiaodian.com',
  ],
};

/** Each platform's names (canonical). */
export const PLATFORM_NAMES: Record<PlatformPackId, readonly string[]> = {
  'taobao-tmall': ['淘宝', '天猫', '手淘', 'taobao', 'tmall'],
  jd: ['京东', 'jingdong'],
  pinduoduo: ['拼多多', 'pdd', 'pinduoduo'],
  'douyin-kuaishou': ['抖音', '快手', '抖店', 'douyin', 'kuaishou'],
};

/** Channels that are off-platform on every platform. */
const OTHER_CHANNELS = [
  '闲鱼',
  '咸鱼',
  '微店',
  '有赞',
  '转转',
  '小红书',
  '得物',
  '唯品会',
  '苏宁',
  '亚马逊',
  '当当',
  '1688',
  '阿里巴巴',
  '微商',
  '小程序',
  '独立站',
  '官网',
];

/** Short-link services (never allowed). */
const SHORT_LINK_HOSTS = [
  't.cn',
  'dwz.cn',
  'bit.ly',
  'url.cn',
  'suo.im',
  'tinyurl.com',
  'is.gd',
  't.co',
  'sohu.gg',
  'u.nu',
  'w.url.cn',
  'ow.ly',
  'rebrand.ly',
  'cutt.ly',
];

const TRADE =
  /搜|买|下单|拍|购|联系|加我|加一下|付款|付钱|交易|便宜|优惠|链接|私聊|找我|关注|领|进店|店铺|店里|旗舰店|有店|也有/;

const APPS =
  '微信|威信|薇信|维信|徽信|卫信|wei信|v信|vx|wx|weixin|wechat|qq|扣扣|企鹅号|企鹅|支付宝|zfb|alipay|钉钉|whatsapp|telegram|飞书|陌陌|电报';

/** The static CMP-3 lexicon (contact ids, invitations, payment elsewhere, other shops). */
export const CMP3_RULES: readonly LexRule[] = [
  {
    id: 'cmp3.contact-id',
    rule: 'CMP-3',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: APPS.split('|'),
    pattern: new RegExp(
      `(?<![a-z])(?:${APPS})(号码|号|账号|帐号|id|名字|名|是|为|叫|搜索|搜){0,3}([a-z0-9]{5,32})`,
    ),
    // An id needs a digit, or a marker ("账号", "是") between the app and it ("qq音乐" passes).
    accept: (m) => !negated(m) && !warns(m) && (/\d/.test(m.match[2] ?? '') || Boolean(m.match[1])),
    reason: reason(
      '发送微信 / QQ / 支付宝等站外账号：平台禁止发布第三方联系方式。',
      'Gives a WeChat / QQ / Alipay id: third-party contact details are forbidden.',
    ),
    rewrite: STAY,
    examples: [
      '威信 tb_shop888',
      'qq号 12345678，加我细聊',
      'ＱＱ：１２３４５６７８９',
      '支付宝账号 13900001111',
    ],
  },
  {
    id: 'cmp3.contact-invite',
    rule: 'CMP-3',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: ['加', 'v我', '朋友圈', '公众号', '群', '私聊', '私信', ...APPS.split('|')],
    pattern: new RegExp(
      `加(?:我|一下|个|下|我的|我们的|一下我的|个人)?(?:${APPS}|好友|v(?![a-z])|微(?![量波调笑米小型软弱观距])|企鹅)|(?<![a-z])v我|加(?:我|个|一下)?v(?=[a-z0-9]*\\d)[a-z0-9]{4,}|(?:${APPS})(?:上|里)?(?:联系|聊|找我|私聊|细聊|详聊|沟通|付给我|付我|发你|发给你|加我|私信|下单|交易)|(?:看|发|在|加|翻|刷)(?:我|我们)?(?:的)?朋友圈|(?:关注|加|搜|搜索|进)(?:一下)?(?:我们|我)?(?:的)?(?:微信|官方)?公众号|公众号(?:领|下单|购买|付款|抢)|(?:微信|qq|vx|粉丝|福利|售后|vip|会员|买家)群|私聊我|私信我`,
    ),
    // "不加微信哦" refuses what the rule forbids: a 不 right before 加 negates it too.
    accept: (m) =>
      !negated(m) &&
      !warns(m) &&
      !/不(?:能|可以|用)?$/.test(m.norm.text.slice(Math.max(0, m.index - 3), m.index)),
    reason: OFF_PLATFORM,
    rewrite: STAY,
    examples: [
      '加我微信 abc_12345，下单便宜20',
      '亲，V我：xy888666',
      '加个vx吧，我发你实拍',
      '加 微 ： a b c 1 2 3',
      '关注我们的微信公众号领券',
      '加我好友，朋友圈有更多款',
      '加 V：shop_2024 拿内部价',
    ],
  },
  {
    id: 'cmp3.pay-elsewhere',
    rule: 'CMP-3',
    verdict: 'block',
    packs: ['generic', 'pinduoduo'],
    anchors: [
      '扫',
      '收款码',
      '付款码',
      '收钱码',
      '私下',
      '线下',
      '场外',
      '平台外',
      '私底下',
      '直接转',
      '直接汇',
      '直接打',
      '转账',
      '打款',
      '汇款',
      '转钱',
      '打钱',
      '汇钱',
      '转到',
      '转给',
      '转进',
      '转我',
      '支付宝转',
      '微信转',
      '不走平台',
      '绕过平台',
      '跳过平台',
      '避开平台',
      '红包',
    ],
    pattern:
      /(?:扫|扫描|识别)(?:这个|一下|下|我的|下面的|图中|图片)?(?:二维码|码|图)(?:付款|支付|转账|付|加|添加|联系|下单|进群|领|购买)|收款码|付款码|收钱码|(?:私下|线下|场外|平台外|私底下)(?:转账|交易|付款|汇款|打款|支付|给钱|联系|成交|买卖|交流)|直接(?:转账|汇款|打款|打钱|转钱)|(?:转账|打款|汇款|转钱|打钱|汇钱|转)(?:到|给|进)(?:我|我们)(?:的)?(?:支付宝|微信|卡|银行卡|账户|账号)?|(?:支付宝|微信)转|转我(?:支付宝|微信)|(?:不走|绕过|跳过|避开)平台|红包(?:转|发)(?:我|给我)/,
    accept: (m) => !negated(m) && !warns(m),
    reason: reason(
      '邀请顾客站外付款（收款码、私下转账）：平台严禁，顾客也失去保障。',
      'Invites payment outside the platform (QR code, private transfer): forbidden, and the buyer loses protection.',
    ),
    rewrite: '请您直接在平台下单付款，这样交易更有保障',
    examples: [
      '扫这个二维码付款，比平台便宜',
      '我们私下转账吧，不走平台可以少10块',
      '支付宝转我，再给你发货',
      '拍下不用付款，我发你收款码',
      '直接打钱到我支付宝',
    ],
  },
  {
    id: 'cmp3.other-shop',
    rule: 'CMP-3',
    verdict: 'block',
    packs: ['generic'],
    anchors: ['店', '号', '那边', '那家', '那里'],
    // "用其他账号购买" is the buyer's account: a shop's other account needs "我们 / 我的".
    pattern:
      /(?:另一家|另外一家|另外一个|另一个|其他|其它|别的|新开的|隔壁|另|新)(?:的)?(?:店|店铺|小店)|(?:我们|我|店铺|本店|店里)(?:的)?(?:另一个|另外一个|其他|其它|别的|新|小)(?:号|账号|小号)|(?:那边|那家|那个店|那里)(?:更|还|要)?(?:便宜|优惠|划算|价格低|价格更低)/,
    accept: (m) =>
      !negated(m) &&
      (/^那/.test(m.match[0]) || TRADE.test(m.norm.text.slice(Math.max(0, m.index - 8), m.end + 10))),
    reason: reason('引导顾客去其他店铺交易：属于引导非官方交易。', 'Sends the buyer to another shop to buy.'),
    rewrite: '您在本店直接下单就可以，我帮您备注好',
    examples: ['你去我们另一家店买，更便宜', '我们别处也有店，那边便宜五块'],
  },
  {
    id: 'cmp3.other-channel',
    rule: 'CMP-3',
    verdict: 'block',
    packs: ['generic'],
    anchors: OTHER_CHANNELS.map((c) => canonical(c)),
    pattern: new RegExp(OTHER_CHANNELS.join('|')),
    accept: (m) => !negated(m) && TRADE.test(m.norm.text.slice(Math.max(0, m.index - 8), m.end + 10)),
    reason: reason(
      '引导顾客去闲鱼、微店、小程序等站外渠道交易。',
      'Sends the buyer to another channel (Xianyu, Weidian, a mini program…) to buy.',
    ),
    rewrite: '您在本店直接下单就可以，我帮您备注好',
    examples: ['到闲鱼上搜我们店名，那边便宜', '你可以直接在微店下单，我们发同样的货'],
  },
];

/**
 * CMP-3 rules that depend on which platforms are the shop's own: naming another platform to
 * trade there blocks; with the `pinduoduo` pack on, naming one at all does.
 */
export function platformRules(own: ReadonlySet<PlatformPackId>, strictMention: boolean): LexRule[] {
  if (own.size === 0) return [];
  const others = PLATFORM_PACK_IDS.filter((p) => !own.has(p)).flatMap((p) => PLATFORM_NAMES[p]);
  if (others.length === 0) return [];
  // 京东快递 / 京东物流 is a carrier, not a shop.
  const pattern = new RegExp(`(?:${others.join('|')})(?!快递|物流|配送|到家)`);
  return [
    {
      id: 'cmp3.other-platform',
      rule: 'CMP-3',
      verdict: 'block',
      packs: ['generic'],
      anchors: others,
      pattern,
      accept: (m) =>
        (m.match[0].length > 2 || latinBoundedOrCjk(m)) &&
        !negated(m) &&
        (strictMention || TRADE.test(m.norm.text.slice(Math.max(0, m.index - 8), m.end + 10))),
      reason: strictMention
        ? reason(
            '拼多多：未经许可不得发布第三方平台信息。',
            'Pinduoduo: no third-party platform information without permission.',
          )
        : reason('引导顾客去其他平台交易。', 'Sends the buyer to another platform to buy.'),
      rewrite: '您在本店直接下单就可以，我帮您备注好',
      examples: [],
    },
  ];
}

function latinBoundedOrCjk(m: MatchContext): boolean {
  return !/^[a-z]/.test(m.match[0]) || latinBounded(m);
}

/** Luhn checksum (bank-card numbers pass it; most order numbers do not). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const ORDER_WORDS =
  /订单|单号|运单|快递单|物流单|编号|条码|条形码|批次|货号|型号|序列号|sn|工单|售后单|退款单|商品码|追踪号|验证码|取件码|批号|码是|码为/;
const CONTACT_WORDS = /电话|手机|联系|打|拨|call|tel|微信|vx|wx|qq|加|号码|热线|座机|找我|v我/;
const BANK_WORDS = /卡|银行|转账|汇款|打款|开户|户名|收款|账户|帐户|建行|工行|农行|中行|招行|交行|邮储/;
const CONTACT_LATIN = /^(?:tel|phone|mobile|mob|vx|wx|qq|v|call|no|num|whatsapp)$/;
const BANK_PREFIX = /^(?:62|4|5[1-5]|2[2-7]|3[47]|35|60|65|9558|95)/;

type NumberKind = 'mobile' | 'landline' | 'hotline' | 'bank-card';

function classify(d: string, context: string): NumberKind | undefined {
  if (/^(?:0086|86)?1[3-9]\d{9}$/.test(d)) return 'mobile';
  if (/^[48]00\d{7}$/.test(d)) return 'hotline';
  if (/^0[1-9]\d{8,10}$/.test(d)) return 'landline';
  if (d.length >= 16 && d.length <= 19 && luhnValid(d) && (BANK_PREFIX.test(d) || BANK_WORDS.test(context)))
    return 'bank-card';
  return undefined;
}

/**
 * Finds phone, hotline and bank-card numbers in the loose view, spelled with spaces, dashes,
 * full-width, circled or Chinese digits. An order number (of this buyer, or introduced as one)
 * is not a phone or a card; a long number that fails the Luhn check is no card.
 */
export function findNumbers(
  loose: NormalizedText,
  original: string,
  ctx: CheckContext,
  skip: readonly TextSpan[],
): Finding[] {
  const t = loose.text;
  const known = new Set(
    [...(ctx.orderIds ?? []), ...(ctx.knownNumbers ?? [])].map((s) => s.replace(/\D/g, '')),
  );
  const findings: Finding[] = [];
  for (const run of scanDigitRuns(loose)) {
    const prefix = /[a-z]+$/.exec(t.slice(Math.max(0, run.from - 8), run.from))?.[0] ?? '';
    const suffixLetter = /^[a-z]/.test(t.slice(run.to, run.to + 1));
    // Tracking and product codes (SF1234…, YT…) are no phone numbers.
    if ((prefix && !CONTACT_LATIN.test(prefix)) || suffixLetter) continue;
    const beforeText = t.slice(Math.max(0, run.from - 12), run.from);
    const afterText = t.slice(run.to, run.to + 6);
    const contact = CONTACT_WORDS.test(beforeText);
    const orderish =
      !contact && (ORDER_WORDS.test(beforeText) || /^(?:这一?单|的订单|号订单|这个订单)/.test(afterText));
    const context = t.slice(Math.max(0, run.from - 30), run.to + 30);
    const taken = run.groups.map(() => false);
    for (const w of digitWindows(run, 10, 19)) {
      if (taken.slice(w.a, w.b + 1).some(Boolean)) continue;
      const kind = classify(w.digits, context);
      if (!kind || known.has(w.digits)) continue;
      if (orderish && !(kind === 'bank-card' && BANK_WORDS.test(context))) continue;
      const sp = originalSpan(loose, run.groups[w.a]!.from, run.groups[w.b]!.to);
      if (skip.some((s) => sp.start < s.end && s.start < sp.end)) continue;
      for (let x = w.a; x <= w.b; x++) taken[x] = true;
      findings.push(numberFinding(kind, sp, original));
    }
  }
  return findings;
}

function numberFinding(kind: NumberKind, span: TextSpan, original: string): Finding {
  const card = kind === 'bank-card';
  return {
    rule: 'CMP-3',
    id: card ? 'cmp3.bank-card' : 'cmp3.phone-number',
    verdict: 'block',
    reason: card
      ? reason(
          '发送银行卡号：引导站外付款，平台严禁。',
          'Gives a bank-card number: payment off the platform is forbidden.',
        )
      : reason(
          '发送手机号 / 电话号码：平台禁止留站外联系方式。',
          'Gives a phone number: contact details off the platform are forbidden.',
        ),
    span,
    matched: original.slice(span.start, span.end),
    rewrite: card ? '请您直接在平台下单付款，这样交易更有保障' : STAY,
  };
}

const TLDS =
  'com\\.cn|net\\.cn|org\\.cn|gov\\.cn|com|cn|net|org|top|xyz|cc|co|io|me|vip|shop|store|club|site|online|info|biz|ly|gl|tv|link|app|ink|wang|ren|fun|live|tech|pro|hk|tw|us|uk|jp|kr|so|la|im|dev|ai|to|gd|su|ru|de|icu|asia|mobi|work|cloud|xin|red|kim|ltd|group|love|art|news|life|world|today|website|space|host|page|one|plus|cool|nu|gg';
const LINK = new RegExp(
  `(?<![a-z0-9@._-])(?:(https?:\\/\\/)(\\d{1,3}(?:\\.\\d{1,3}){3})|(?:https?:\\/\\/)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.|点))+(?:${TLDS})))(?![a-z0-9-])(?::\\d{1,5})?(?:[/?#][\\x21-\\x7e]*)?`,
  'g',
);
// Starts only at the beginning of a token, so a long run of letters is scanned once (linear).
const EMAIL = /(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}@((?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,24})/g;

/** The hosts a shop may link to: its own domains and those of the platforms it is on. */
export function allowedHosts(allowedDomains: readonly string[], own: ReadonlySet<PlatformPackId>): string[] {
  const platforms = own.size ? [...own] : PLATFORM_PACK_IDS;
  return [...allowedDomains, ...platforms.flatMap((p) => PLATFORM_DOMAINS[p])];
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  return allowed.some((d) => host === d || host.endsWith(`.${d}`));
}

/**
 * Finds links, bare domains and e-mail addresses outside the allow-list. Returns the findings
 * and the original spans of every link seen (allowed or not), so digits inside are not numbers.
 */
export function findLinks(
  loose: NormalizedText,
  original: string,
  allowed: readonly string[],
): { findings: Finding[]; spans: TextSpan[] } {
  const t = loose.text;
  const findings: Finding[] = [];
  const spans: TextSpan[] = [];
  const emailRanges: [number, number][] = [];
  for (const m of t.matchAll(EMAIL)) {
    const from = m.index;
    const to = from + m[0].length;
    emailRanges.push([from, to]);
    const sp = originalSpan(loose, from, to);
    spans.push(sp);
    if (hostAllowed(m[1]!, allowed)) continue;
    findings.push({
      rule: 'CMP-3',
      id: 'cmp3.email',
      verdict: 'block',
      reason: reason(
        '发送站外邮箱：平台禁止留站外联系方式。',
        'Gives an e-mail address: contact details off the platform are forbidden.',
      ),
      span: sp,
      matched: original.slice(sp.start, sp.end),
      rewrite: STAY,
    });
  }
  for (const m of t.matchAll(LINK)) {
    const from = m.index;
    const to = from + m[0].length;
    if (emailRanges.some(([a, b]) => from < b && a < to)) continue;
    const host = (m[2] ?? m[3] ?? '').replace(/点/g, '.');
    const sp = originalSpan(loose, from, to);
    spans.push(sp);
    if (!m[2] && hostAllowed(host, allowed)) continue;
    const short = SHORT_LINK_HOSTS.includes(host);
    findings.push({
      rule: 'CMP-3',
      id: short ? 'cmp3.short-link' : 'cmp3.link',
      verdict: 'block',
      reason: short
        ? reason(
            '短链接会隐藏真实地址，属于第三方链接：平台禁止。',
            'A short link hides where it goes: third-party links are forbidden.',
          )
        : reason(
            `第三方链接（${host}）不在本店允许的域名内：平台禁止引导站外。`,
            `Third-party link (${host}) outside the shop's allowed domains.`,
          ),
      span: sp,
      matched: original.slice(sp.start, sp.end),
      rewrite: '商品链接请直接在平台内发送，这样更有保障',
    });
  }
  return { findings, spans };
}
