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
  delivery: /物流|快递|发货|送货|到货|配送|速度|shipping|delivery/i,
  packaging: /包装|盒子|外箱|箱子|包裹|packag/i,
  quality: /质量|做工|材质|面料|品质|手感|用料|结实|quality|material/i,
  size: /尺码|尺寸|大小|偏大|偏小|码数|合身|size|fit/i,
  colour: /颜色|色差|颜值|colou?r/i,
  service: /客服|服务|态度|售后|service|support/i,
  price: /价格|性价比|便宜|划算|价钱|贵|price|value/i,
  taste: /味道|口感|好吃|难吃|新鲜|taste|fresh/i,
  effect: /效果|好用|难用|没用|有用|实用|功能|保温|续航|works|effect/i,
};

const NEGATIVE =
  /差|慢|破|烂|坏|不好|不行|失望|太小|太大|偏大|偏小|色差|不新鲜|难吃|难用|不满意|退|假|漏|脏|臭|掉色|起球|开线|没用|不值|贵|价格高|态度差|不理|poor|bad|slow|broken|damaged|disappoint|wrong|late/i;
const POSITIVE =
  /好|快|满意|喜欢|不错|赞|棒|漂亮|合适|合身|舒服|新鲜|值|划算|实惠|耐心|热情|推荐|完美|结实|精致|用心|贴心|实用|性价比高|回购|great|good|love|fast|nice|perfect|happy/i;

/** Splits into clauses, so "物流很快，但是包装破了" reads as two judgements. */
function clauses(text: string): string[] {
  return text
    .split(/[，,。.！!？?；;、\n]|但是|但|不过|就是|可惜|however|but/i)
    .map((c) => c.trim())
    .filter(Boolean);
}

/** What a review praises and complains about. */
export function readReview(review: Pick<ReviewInput, 'rating' | 'text'>): ReviewReading {
  const praised = new Set<ReviewAspect>();
  const complained = new Set<ReviewAspect>();
  for (const clause of clauses(review.text)) {
    // "不好" and "不错" both carry 不; negative words are tested first, 不错/不贵 kept positive.
    const negative = NEGATIVE.test(clause.replace(/不错|不贵|不差|不慢|没有色差|无色差/g, ''));
    const positive = !negative && POSITIVE.test(clause);
    for (const [aspect, words] of Object.entries(ASPECT_WORDS) as [ReviewAspect, RegExp][]) {
      if (!words.test(clause)) continue;
      if (negative) complained.add(aspect);
      else if (positive || /不错|不贵|不差|没有色差|无色差/.test(clause)) praised.add(aspect);
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
