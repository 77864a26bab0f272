/**
 * CRM-7 review replies: every review answered, personally. A draft is written from what the
 * review says — which aspects the buyer praised or complained about (delivery, packaging,
 * quality, size, colour, service, price, taste, effect), the item they bought, their rating — so
 * no two different reviews get the same reply. The agent edits the draft and sends it (through
 * the compliance guard). Pure.
 */

export interface ReviewInput {
  rating: number;
  text: string;
  buyerNick: string;
  /** The reviewed order's item. */
  item: string;
}

export type ReviewAspect =
  'delivery' | 'packaging' | 'quality' | 'size' | 'colour' | 'service' | 'price' | 'taste' | 'effect';

export interface ReviewReading {
  praised: ReviewAspect[];
  complained: ReviewAspect[];
  tone: 'positive' | 'mixed' | 'negative';
}

/** The words that name each aspect (zh first; a few English). */
const ASPECT_WORDS: Record<ReviewAspect, RegExp> = {
  delivery:
    /物流|快递|发货|送货|到货|配送|顺丰|京东|中通|圆通|韵达|冷链|隔天|次日|当天到|就到了?|才到|几天到|等了|shipping|delivery|deliver|arriv|courier/i,
  packaging: /包装|盒子|外箱|箱子|泡沫|冰袋|泡泡纸|气泡膜|塑封|鞋盒|礼盒|纸箱|严实|packag|box/i,
  quality:
    /质量|做工|材质|面料|品质|手感|用料|结实|厚实|厚|软|细腻|稳|塌|扎|货真价实|物美|耐用|掉絮|开线|起球|掉色|缩水|发黄|线头|瑕疵|正品|正版|假货|纸张|印刷|割手|边角|甲醛|异味|味道大|塑料味|裂|坏了|断了|做工|quality|material|cheaply|broke|fake|defect/i,
  size: /尺码|尺寸|大小|偏大|偏小|码数|合身|容量|码|显瘦|寸|占地方|能装|装得下|长度|太小|太大|小了|大了|size|fit|too small|too big|capacity/i,
  colour: /颜色|色差|颜值|图片|图上|实物|色号|colou?r|looks like|picture|photo/i,
  service: /客服|服务|态度|售后|卖家|商家|店家|回复|service|seller|support|customer care/i,
  price: /价格|性价比|便宜|划算|价钱|贵|实惠|块钱|元|值得|不值|price|value|cheap|worth|money|expensive/i,
  taste:
    /味道|口感|好吃|难吃|新鲜|香|甜|酸|咸|辣|脆|嫩|回甘|汤色|腥|苦|过期|临期|哈喇|发霉|tast|fresh|delicious|flavou?r|stale/i,
  effect:
    /效果|好用|难用|没用|有用|实用|方便|功能|保温|续航|电量|充电|快充|降噪|音质|声音|静音|清洁|补水|保湿|除臭|暖和|保暖|不粘|防晒|防滑|吸力|噪音|信号|卡顿|稳定|均匀|控温|亮|bright|works|effect|sound|battery|noise|warm|performance/i,
};

/** Words that carry a fault's character without meaning one (除臭: removes smells). */
const NOT_FAULTS = /除臭|除味|去味|去腥|防漏|防水|不算便宜/g;

/** A fault denied by "一点…都没有" / "…的都没有" / "没有什么…" is praise too. */
const DENIED = /一点\S{0,4}?(?:都|也)没有?|[烂坏破碎]的?(?:都|也)?没有|没有什么\S{0,3}/g;

/** A negated fault is praise ("不漏水", "没有异味", "一点也不卡"): read as a plain 好 first. */
const NEGATED_FAULT =
  /(?:一点(?:也|都)?不|一点(?:也|都)?没|完全不|完全没|从不|不会|没有|没|不|无|毫无)(?:漏水?|粘|发烫|烫手|掉絮|卡顿?|磕|紧绷|异味|味道|色差|破损?|坏|腥|苦|假|贵|差|慢|烂|起球|掉色|缩水|发黄|断|割手|油|闷|晒黑|过期|哈喇味|失望|踩雷)/g;

const NEGATIVE =
  /差|慢|破|烂|坏|不好|不行|不太|不怎么|失望|太小|太大|偏大|偏小|小了|大了|色差|不新鲜|难吃|难用|不满意|退货|退款|假|漏|脏|臭|掉色|起球|开线|缩水|发霉|过期|临期|没用|不值|贵|价格高|态度差|不理|不回|敷衍|不符|不一样|两个东西|少了|漏发|错发|磕|瘪|压坏|碎|裂|卡顿|失灵|没反应|发烫|异味|刺鼻|腥|后悔|垃圾|坑|踩雷|避雷|智商税|差评|等了|才到|无语|poor|bad|slow|broken|damaged|disappoint|wrong|late|terrible|awful|waste|cheaply|never again|refund|stale|leak/i;
const POSITIVE =
  /好|快|满意|喜欢|爱了|不错|赞|棒|漂亮|合适|合身|刚好|舒服|新鲜|值|划算|实惠|便宜|耐心|热情|及时|推荐|完美|结实|厚实|精致|用心|贴心|精美|严实|完好|一致|一样|准|足|强|绝|香|甜|嫩|脆|暖和|耐用|回购|超出预期|惊喜|yyds|great|good|love|fast|nice|perfect|happy|excellent|quick|amazing|recommend|worth/i;

/** Splits into clauses, so "物流很快，但是包装破了" reads as two judgements. */
function clauses(text: string): string[] {
  return text
    .split(/[，,。.！!？?；;、~～\n]|但是|但|不过|就是|可惜|唯一不足|however|but/i)
    .map((c) => c.trim())
    .filter(Boolean);
}

/**
 * What a review praises and complains about. A clause that names an aspect and carries no word
 * either way takes the rating's side (4–5 stars: praise, 1–2: complaint).
 */
export function readReview(review: Pick<ReviewInput, 'rating' | 'text'>): ReviewReading {
  const praised = new Set<ReviewAspect>();
  const complained = new Set<ReviewAspect>();
  for (const raw of clauses(review.text)) {
    const clause = raw.replace(NOT_FAULTS, '').replace(DENIED, '好').replace(NEGATED_FAULT, '好');
    const negative = NEGATIVE.test(clause.replace(/不错|不贵|不差|不慢/g, '好'));
    const positive = !negative && POSITIVE.test(clause);
    const side = negative ? -1 : positive ? 1 : review.rating >= 4 ? 1 : review.rating <= 2 ? -1 : 0;
    if (side === 0) continue;
    for (const [aspect, words] of Object.entries(ASPECT_WORDS) as [ReviewAspect, RegExp][]) {
      if (!words.test(raw)) continue;
      if (side < 0) complained.add(aspect);
      else praised.add(aspect);
    }
  }
  for (const a of complained) praised.delete(a);
  const tone =
    review.rating <= 2 || (complained.size > 0 && praised.size === 0)
      ? 'negative'
      : complained.size > 0 || review.rating === 3
        ? 'mixed'
        : 'positive';
  return { praised: [...praised], complained: [...complained], tone };
}

const PRAISE: Record<ReviewAspect, (item: string) => string> = {
  delivery: () => '包裹这么快到您手上，我们也替您开心',
  packaging: () => '打包的同事知道您满意包装，一定很高兴',
  quality: (item) => `「${item}」的做工和用料是我们最用心的地方，谢谢您注意到`,
  size: () => '尺码合适是我们最想听到的',
  colour: () => '颜色和您期待的一样，太好了',
  service: () => '客服同事会很高兴听到您的肯定',
  price: () => '能让您觉得物有所值，是我们一直努力的',
  taste: () => '合您的口味就好',
  effect: (item) => `「${item}」好用就是对我们最好的回报`,
};

const SORRY: Record<ReviewAspect, (item: string) => string> = {
  delivery: () => '物流慢让您久等了，我们会和快递核实这一单的时效，并考虑为您所在的地区换更快的快递',
  packaging: () => '包装没保护好商品是我们的疏忽，已反馈仓库加固打包',
  quality: (item) => `「${item}」的质量问题我们非常重视，请联系客服，我们为您退换或补偿`,
  size: () => '尺码不合适给您添麻烦了，可以联系客服免费换码',
  colour: () => '颜色与图片有差异，我们会重新核对商品图片；如不满意可联系客服退换',
  service: () => '客服没有让您满意，我们会认真复盘这次沟通，改进服务',
  price: () => '价格上的意见我们记下了，老顾客会有专属优惠，欢迎关注',
  taste: () => '口味没有让您满意很抱歉，请联系客服为您处理',
  effect: (item) => `「${item}」没有达到您的期待，请联系客服，我们一步步帮您看看问题在哪里`,
};

/** A reply drafted from the review's own content, for the agent to edit and send. */
export function draftReviewReply(
  review: ReviewInput,
  shopName: string,
): { text: string; reading: ReviewReading } {
  const reading = readReview(review);
  const nick = review.buyerNick || '亲';
  const parts: string[] = [];
  if (reading.tone === 'negative') parts.push(`${nick}您好，非常抱歉这次购物没有让您满意。`);
  else if (reading.tone === 'mixed') parts.push(`${nick}您好，感谢您认真的评价，好的和不好的我们都看到了。`);
  else parts.push(`${nick}您好，谢谢您的好评！`);
  const praise = reading.praised.map((a) => PRAISE[a](review.item));
  if (praise.length > 0) parts.push(`${praise.join('；')}。`);
  const sorry = reading.complained.map((a) => SORRY[a](review.item));
  if (sorry.length > 0) parts.push(`${sorry.join('；')}。`);
  if (praise.length === 0 && sorry.length === 0)
    parts.push(
      reading.tone === 'positive'
        ? `希望「${review.item}」一直陪伴您。`
        : `您遇到的问题请直接联系客服，我们会为「${review.item}」负责到底。`,
    );
  parts.push(
    reading.tone === 'positive'
      ? `${shopName}期待您再次光临～`
      : `${shopName}会做得更好，期待给您更好的体验。`,
  );
  return { text: parts.join(''), reading };
}
