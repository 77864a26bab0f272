/**
 * CRM-1: tags suggested from what the buyer wrote — the facts an agent would note for the next
 * one (a mother, a gift, a student, a tight budget, in a hurry, a returning buyer, skin, size,
 * pets, elderly parents). Each suggestion carries the words it rests on; the agent accepts it or
 * not. A fact denied ("不急", "不怕冷", "皮肤不敏感", "不是送人") suggests nothing, nor does a fact
 * of the body or home told of someone else ("女朋友生日，她是干皮", "我老公是油皮"). Pure.
 */

export const SUGGESTED_TAGS = [
  '宝妈',
  '孕妇',
  '送礼',
  '学生',
  '价格敏感',
  '急用',
  '老顾客',
  '怕冷',
  '敏感肌',
  '油皮',
  '干皮',
  '大码',
  '宠物',
  '长辈',
] as const;
export type SuggestedTag = (typeof SUGGESTED_TAGS)[number];

export interface TagSuggestion {
  tag: SuggestedTag;
  /** The buyer's words that suggest it. */
  evidence: string;
}

/** A child of the buyer's (not the shop's 宝贝, a 暖宝宝, a 客服宝宝, bb霜). */
const CHILD =
  /(?<![客服暖亲小]|客服|怀着|怀了|肚子里的?)宝宝(?!霜)|(?<!宝)宝贝儿子|娃(?!娃脸)|(?<!毛|救救)孩子|(?<![男女])儿子|(?<!小|俺)女儿|(?:俺|我|我家|我们)?闺女(?!朋友)|小孩|小朋友|幼儿园|奶粉|拉拉裤|辅食|宝妈|宝爸|二胎|早教|老大|老二|我家小的|(?<![a-z])bb(?![a-z ]|霜)|满月|(?<![一两二三四五六七八九十])百天|[一二三四五六]年级|\d{1,2}个月(?:大|了)?的?(?:宝|娃)|宝宝\d+个月|(?:宝宝|娃|孩子)[一二两三四五六七八九十\d]+个?月|湿疹|童装/;

/** A baby's things, which a mother-to-be buys too: a child's only when no pregnancy is named. */
const CHILD_PREP = /纸尿裤|尿不湿|哺乳|母乳|喂奶|吸奶|月子|奶瓶|婴儿|新生儿/;

/** Words a pet's owner says too (a puppy teething, 猫崽崽): a child's unless a pet is named. */
const CHILD_OR_PET = /崽崽|小崽|长牙|出牙/;

/** A young age: a child's, unless the message is about a pet. */
const CHILD_AGE = /(?<![\d十])[1-9一两二三四五六七八九]岁(?:半|多)?(?![\d十])/;

const PREGNANT =
  /(?<!备)孕(?:妇|妈|期|早期|中期|晚期|\d+周)|怀孕|怀着|怀了|怀上|怀二胎|怀二宝|预产期|待产|孕肚|大肚婆|刚查出来有了|两道杠|托腹/;
/** Asking for someone else ("帮同事问的"). */
const FOR_SOMEONE = /帮.{0,4}问|替.{0,4}问/;

const GIFT =
  /送(?:人|礼|给|女朋友|男朋友|女友|男友|老婆|老公|媳妇|闺蜜|朋友|同事|领导|客户|老师|长辈|爸|妈|父母|公婆|岳|奶奶|爷爷|外婆|外公|姥|室友|同学|她|他)|礼物|礼盒|礼品|伴手礼|贺礼|回礼|贺卡|卡片|生日(?!蛋糕店)|纪念日|情人节|七夕|教师节|母亲节|父亲节|圣诞|过年带|拜年|大寿|寿宴|寿桃|结婚|婚礼随|乔迁|随礼|随个|孝敬|送对象|520送|别放价格单|不要放?价格|包装(?:好看|精美|弄好看)|拿得出手/;
const NOT_GIFT = /不是送人|不送人|自己用|自用/;

const STUDENT =
  /学生党|(?<!学生)(?:我是|我们是|本人)?学生(?!价|款|证明)|宿舍|寝室|室友|住校|军训|考研|考公|考试周|期末考|读研|读博|论文|毕设|生活费|学校不让|大[一二三四](?![码号点些圈倍寸支个瓶盒件双条只])|研[一二三]|高[一二三](?!温|度|档|端|清|效|压)|初[一二三](?!稿)|晚自习|图书馆|新生|校园|开学|上铺|下铺/;

const PRICE =
  /便宜|优惠|(?:领|有|发个?|给个?)券|券吗|打折|打个折|几折|满减|最低(?:价)?|降价|砍价|少点|少一点|抹零|能少|包邮吗|凑多少|太贵|有点贵|好贵|贵了|价格(?:有点|太|能|劝退)|性价比|平替|预算|没啥钱|没钱|钱不多|团购价|活动价|有活动|活动不|折扣|双十一|双11|618|等活动|等等再|划算|团购|拼单价|半价|第二件|买一送一|分期|免息/;

const URGENT =
  /(?<!不|别|不用|不太)(?:着?急(?!诊|救|性)|加急)|赶时间|来不及|来得及|必须到|一定要到|(?:明天|明早|今天|今晚|后天|周[一二三四五六日末]|礼拜[一二三四五六天]|星期[一二三四五六天日])(?:之?前)?(?:能|可以|必须|一定)?(?:到|送到|发|发出|发货|寄出|寄|要用)|(?:这两天|马上)就?要(?:用|换)|今天能发|今天发得|明天发得|尽快发|快点(?:发|到)|早点(?:发|到)|\d{1,2}(?:号|日)(?:之?前)(?:能|可以|必须|一定)?(?:到|送到|收到)|(?:今晚|今天|明天|明早|周[一二三四五六日末])就?(?:得|要|必须)(?:用|穿|戴)/;
// (a parcel late in coming is a complaint about the shop, not the buyer's deadline)
const NOT_URGENT = /不急|不着急|不赶|慢慢发|不用急|好久了|还没发|还不发|怎么还没/;

const RETURNING =
  /回购|回头客|老粉|铁粉|又双叒叕|又来(?:了|啦|买)|又买|再来(?:一|两|几)|再买|再给.{0,4}(?:拍|买)|第[二三四五六七八九十\d]+(?:次|回)(?:买|来|了)?|上[次回](?:在你家|在你们家|买|拍|给.{0,4}买|那个|的)|(?:之前|以前|去年|前年|上个月|上周)(?:在|从)?(?:你家|你们家|这家|店里)?(?:买|拍)(?:的|过)|从你家开店|老顾客|老客户|老客|一直(?:在你家|在你们家|用你家|买你家|吃|用|在这)|买过好几次/;
const NOT_RETURNING = /上次问过|咨询过|没下单|第一次买|头一回/;

const COLD =
  /(?<!不)怕冷|(?:手|脚)(?:脚)?(?:就|都|总是|老是|一直|常年)?(?:跟|像)?(?:冰棍|冰块|冰坨|冰凉|冰冷|发凉|冰(?![丝袖箱淇激种川蓝]))|冰凉|冰冷|体寒|宫寒|畏寒|容易冷|冻手|冻脚|不抗冻|嫌冷|(?:夏天|三伏天)都得?穿袜子|捂不热|冻得|冻死星人|怕冷星人|打哆嗦|火力(?:弱|不行|不足)/;

const SENSITIVE =
  /敏感肌|敏感皮|干敏|油敏|(?<!不)(?:皮肤|脸)?(?:很|特别|比较)?敏感(?!度)|容易过敏|过敏体质|(?:对.{1,6})?过敏|泛红|红血丝|屏障受损|刺痛|一用就(?:红|起痘|过敏)|就红|闷出?闭口|(?<!油)痘肌|爆痘|起痘|烂脸|激素脸|玫瑰痤疮|皮炎|就(?:发炎|痒)|起(?:小)?(?:疹子|红疹|疙瘩)/;
const NOT_SENSITIVE = /不敏感|皮实/;

const OILY =
  /油皮|油田|油性|出油|油光|一手油|混油|油痘|T区|(?:皮肤|脸)(?:偏|很|特别|比较|超|太)?油(?=得|光|腻|乎|大|多|[，。,.!！?？~～\s]|$)/;
/** A question about which skin a product is for ("适合油皮还是干皮"): words that are no fact. */
const SKIN_QUESTION = /(?:油皮|干皮|油性|干性|混油|混干)(?:还是|或者|或)(?:油皮|干皮|油性|干性|混油|混干)/g;
const DRY =
  /干皮|干性|起皮|脱皮|掉白屑|沙漠皮|混干|干敏|(?:皮肤|脸|嘴)(?:偏|很|特别|比较|好|超|太)?干(?![净货吗])|手(?:偏|很|特别|比较|好|超|太)?干(?:得|裂|燥|巴巴)|脸干|绷得|紧绷|卡粉|卡纹|拔干/;

const PLUS =
  /大码|加大码|加肥|特大号|最大(?:码|号)|(?<!不)胖|肉多|肉肉|(?:胳膊|大腿|腿)粗|脚大|[4-9]XL|XXXL|(?:1[6-9]\d|[2-9]\d\d)斤|(?:[二两]百|一百[六七八九]十)(?:来|多)?斤|腰围?(?:二尺[五六七八九]|三尺)|更大(?:的|码|号)|[3-9]XL|肚子(?:比较|很|有点)?大|胯宽|脚(?:又宽又肥|肥)|4[5-9]码/i;

const PET =
  /(?<![图印熊])猫(?!眼|王|耳朵|腻|爪杯)|(?<![研身班])狗(?!尾巴|狗图案|图案)|兔兔|主子|铲屎|喵星人|汪星人|仓鼠|兔子|鹦鹉|金毛|泰迪|柯基|布偶|英短|哈士奇|拉布拉多|萨摩|比熊|柴犬|毛孩子|宠物/;
const NOT_PET = /猫眼|狗尾巴|图案|印花|造型|摆件|公仔|玩偶/;

const ELDER =
  /爸妈|父母|我爸|我妈|老爸|老妈|给爸|给妈|婆婆|公公|公婆|岳父|岳母|丈母娘|老丈人|奶奶|爷爷|外婆|外公|姥姥|姥爷|老人|老年|长辈|老爷子|老太太|父亲|母亲|七十多|八十多|六十多|大寿/;

/**
 * Who the words before a fact are about: someone else (group 1: "我老公", "她", "闺蜜" …) or the
 * buyer (group 2: "我", "自己"); the last one named before the fact decides.
 */
const PERSON =
  /(我家(?:那个|这个|那位|这位|那口子)|我(?:家|们家)?(?:妈妈?|爸爸?|老婆|老公|媳妇|女朋友|男朋友|女友|男友|对象|闺蜜|朋友|同事|室友|婆婆|公公|孩子|儿子|女儿|老人|奶奶|爷爷|外婆|外公)|她|(?<![其吉])他|妈妈|爸爸|老婆|老公|媳妇|女朋友|男朋友|女友|男友|对象|闺蜜|朋友|同事|室友|婆婆|公公|孩子|儿子|女儿|老人|奶奶|爷爷|外婆|外公|家里人)|(我|本人|自己)/g;

/** The tags that are the buyer's own (body, skin, pets): not taken from facts about others. */
const OWN: ReadonlySet<SuggestedTag> = new Set(['怕冷', '敏感肌', '油皮', '干皮', '大码', '宠物']);

/** The people a message names, in order: where each name ends, and whether it is someone else. */
function peopleIn(text: string): { end: number; other: boolean }[] {
  return [...text.matchAll(PERSON)].map((m) => ({ end: m.index + m[0].length, other: m[1] !== undefined }));
}

/** A message's matches looked at, at most (a flood of one word costs no more than this). */
const MAX_MATCHES = 20;

interface Rule {
  tag: SuggestedTag;
  find: RegExp;
  /** Words in the same message that take the suggestion back. */
  unless?: RegExp;
  /** Words (global) that are read as no words at all: a question, not a fact. */
  mask?: RegExp;
}

const RULES: readonly Rule[] = [
  { tag: '宝妈', find: CHILD },
  { tag: '宝妈', find: CHILD_PREP, unless: PREGNANT },
  { tag: '宝妈', find: CHILD_AGE, unless: PET },
  { tag: '宝妈', find: CHILD_OR_PET, unless: PET },
  { tag: '孕妇', find: PREGNANT, unless: FOR_SOMEONE },
  { tag: '送礼', find: GIFT, unless: NOT_GIFT },
  // A child's school (开学, 住校) is the parent's news, not the buyer's studies.
  { tag: '学生', find: STUDENT, unless: CHILD },
  { tag: '价格敏感', find: PRICE },
  { tag: '急用', find: URGENT, unless: NOT_URGENT },
  { tag: '老顾客', find: RETURNING, unless: NOT_RETURNING },
  { tag: '怕冷', find: COLD },
  { tag: '敏感肌', find: SENSITIVE, unless: NOT_SENSITIVE },
  { tag: '油皮', find: OILY, mask: SKIN_QUESTION },
  { tag: '干皮', find: DRY, mask: SKIN_QUESTION },
  { tag: '大码', find: PLUS },
  { tag: '宠物', find: PET, unless: NOT_PET },
  { tag: '长辈', find: ELDER },
];

/**
 * The tags the buyer's messages suggest, each once with the first words that suggest it, in the
 * order of SUGGESTED_TAGS; tags in `has` (the buyer carries them already) are left out.
 */
export function suggestTags(messages: readonly string[], has: readonly string[] = []): TagSuggestion[] {
  const out: TagSuggestion[] = [];
  // Who each message names, read once (for the facts of the buyer's own body and home).
  const people = new Map<number, { end: number; other: boolean }[]>();
  const peopleOf = (i: number) => {
    let list = people.get(i);
    if (!list) people.set(i, (list = peopleIn(messages[i]!)));
    return list;
  };
  for (const rule of RULES) {
    if (has.includes(rule.tag) || out.some((s) => s.tag === rule.tag)) continue;
    const every = new RegExp(rule.find.source, `${rule.find.flags}g`);
    found: for (const [i, raw] of messages.entries()) {
      if (rule.unless?.test(raw)) continue;
      const text = rule.mask ? raw.replace(rule.mask, (w) => ' '.repeat(w.length)) : raw;
      // Whose fact: the person last named before it, in this message or (none yet) the one before.
      const named = OWN.has(rule.tag) ? peopleOf(i) : [];
      let other = OWN.has(rule.tag) && i > 0 ? (peopleOf(i - 1).at(-1)?.other ?? false) : false;
      let next = 0;
      let seen = 0;
      for (const m of text.matchAll(every)) {
        if (++seen > MAX_MATCHES) break;
        while (next < named.length && named[next]!.end <= m.index) other = named[next++]!.other;
        if (other) continue;
        out.push({ tag: rule.tag, evidence: m[0] });
        break found;
      }
    }
  }
  return out;
}
