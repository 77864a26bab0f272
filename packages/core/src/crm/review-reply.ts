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
    /物流|快递|发货|送货|到货|配送|顺丰|京东|中通|圆通|韵达|冷链|隔天|次日|当天到|就到了?|才到|几天到|等了|神速|运输|派送|送到|shipping|delivery|deliver|arriv|courier/i,
  packaging:
    /包装|盒子|外箱|箱子|泡沫|冰袋|泡泡纸|气泡膜|塑封|鞋盒|礼盒|纸箱|严实|包得|袋子|格子装|罐子|packag|box/i,
  quality:
    /质量|做工|材质|面料|料子|品质|手感|用料|结实|厚实|厚|软|细腻|稳|塌|扎|舒服|舒适|轻便|很轻|超轻|摸着|廉价|怪味|没反应|碎末|气泡|太薄|很薄|薄了|透得|硬|难拧|歪|磨脚|跑绒|掉毛|不牢|卡扣|开胶|精致|涂层|粗糙|小洞|漏水|橡胶味|羽毛味|皮革味|化学味|货真价实|物美|耐用|掉絮|开线|起球|掉色|缩水|发黄|线头|瑕疵|正品|正版|假货|纸张|印刷|割手|边角|甲醛|异味|味道大|塑料味|裂|坏了|断了|做工|quality|material|cheaply|broke|fake|defect/i,
  size: /尺码|尺寸|大小|偏大|偏小|码数|合身|容量|码|显瘦|寸|占地方|能装|装得下|长度|太小|太大|小了|大了|腰围|裤长|个头|体积|太高|太矮|偏紧|有点紧|宽松|斤也能穿|公分|厘米|有点小|想象中小|小个|太短|有点短|偏短|太长|挤|塞不进|严丝合缝|版型|肩线|size|fit|too small|too big|capacity/i,
  colour:
    /颜色|色差|颜值|图片|图上|实物|色号|显白|[红橙黄绿青蓝紫粉灰黑棕咖]色|colou?r|looks like|picture|photo/i,
  service: /客服|服务|态度|售后|卖家|商家|店家|回复|service|seller|support|customer care/i,
  price:
    /价格|价位|物超所值|小贵|性价比|便宜|划算|价钱|贵|实惠|块钱|元|值得|不值|price|value|cheap|worth|money|expensive/i,
  taste:
    /味道|口感|好吃|难吃|新鲜|香|甜|酸|咸|辣|脆|嫩|回甘|汤色|腥|苦|涩|腻|过期|临期|哈喇|发霉|爱吃|吃得|嚼劲|肉质|松软|膏|入味|Q弹|多汁|饱满|醇厚|鲜美|很鲜|岩韵|豆香|好喝|难喝|爱喝|喝着|馊|陈味|tast|fresh|delicious|flavou?r|stale/i,
  effect:
    /效果|好用|难用|没用|有用|实用|方便|功能|保温|续航|电量|充电|充不进|快充|降噪|音质|声音|静音|清洁|干净|补水|保湿|滋润|润润|服帖|除臭|暖和|保暖|不粘|防晒|晒黑|防滑|吸力|吸水|噪音|信号|连不上|断连|一会断|卡顿|稳定|均匀|控温|亮|不累|不疼|好觉|睡得|测得|速度|灵敏|柔和|卸|过敏|不红|不哭|不刺激|留香|管用|不管用|白买|流畅|运行|屏幕|开机|识别|风力|跳闸|功率|电池|没电|跳蚤|驱虫|滑丝|美白|闭口|温和|bright|works|effect|sound|battery|noise|warm|performance/i,
};

/**
 * An item one eats or drinks (or a pet does): only then is 味道/香/甜 its taste; on a detergent or
 * a storage box the same words are how well it works (留香) or a fault of make (有味道).
 */
const EDIBLE =
  /食|吃|零食|茶(?!几|杯|具|盘|壶)|(?<![小厘毫纳])米|(?<!洗|卸|护)面(?!霜|膜|巾|罩|板|料|具|部)|粉丝|螺蛳粉|米粉|海苔|紫菜|肉|果|莓|桃|梨|橙|柑|橘|柚|瓜|枣|蕉|蛋|奶|粮|饼|糕|糖|巧克力|酒|咖啡|饮|汁|(?<![香精肤妆洗漱药胶墨露])水(?!杯|壶|乳|瓶|龙头|管|箱)|菜|鱼|虾|蟹|贝|坚果|核桃|花生|瓜子|豆(?!浆机)|薯|荔|龙眼|葡萄|提子|柿|李子|杏|榴莲|山竹|芒|柠檬|樱桃|椰|枸杞|玉米|芝麻|蜂蜜|燕窝|辣条|酱|醋|盐|(?<![精发护机润滑卸])油(?!烟|画|漆)|粥|汤|包子|饺|粽|月饼|牛排|鸡|鸭|猪|羊|牛(?!仔|皮)|罐头|冻干|猫条|肠|腊|卤|麦片|燕麦|谷|厘子/;

/** Words that carry a fault's character without meaning one (除臭: removes smells). */
const NOT_FAULTS = /除臭|除味|去味|去腥|防漏|防水|不算便宜/g;

/** A fault denied by "一点…都没有" / "…的都没有" / "没有什么…" is praise too. */
const DENIED = /一点\S{0,4}?(?:都|也)没有?|[烂坏破碎]的?(?:都|也)?没有|没有什么\S{0,3}/g;

/** A negated fault is praise ("不漏水", "没有异味", "一点也不卡"): read as a plain 好 first. */
const NEGATED_FAULT =
  /(?:一点(?:也|都)?不|一点(?:也|都)?没|完全不|完全没|从不|不会|不算|没有|木有|没|不|无|毫无)(?:过敏|晕妆|发热|漏水?|粘|发烫|烫手|掉絮|卡顿?|磕|紧绷|异味|味道|色差|破损?|坏|腥|苦|假|贵|差|慢|烂|起球|掉色|缩水|发黄|断|割手|油|闷|晒黑|过期|哈喇味|失望|踩雷)/g;

const NEGATIVE =
  /差|慢|破|烂|坏|不好|不行|不太|不怎么|失望|太小|太大|偏大|偏小|小了|大了|色差|不新鲜|难吃|难用|不满意|退货|退款|假|漏|脏|臭|掉色|起球|开线|缩水|发霉|过期|临期|没用|不值|贵|价格高|态度差|不理|不回|敷衍|不符|不一样|两个东西|少了|漏发|错发|磕|瘪|压坏|碎|裂|卡顿|失灵|没反应|发烫|异味|刺鼻|腥|后悔|垃圾|坑|踩雷|避雷|智商税|差评|等了|才到|无语|滑丝|断|连不上|充不进|不爱吃|白买|廉价|怪味|塑料味|难拧|难清洗|麻烦|苦|涩|太高|黏|晒黑|痒|过敏|掉|糊|绷|歪|磨脚|拖着|折腾|心累|简陋|没声音|太薄|很薄|透得|有点紧|偏紧|不够|一般|普通|不牢|跳闸|变形|压得|丢了|粘了|开胶|瘪|不准|勒|齁|太油|湿的|闭口|粗糙|小洞|有点小|想象中小|小个|太短|有点短|偏短|挤|塞不进|[羽胶馊陈霉臭腥怪]味|crushed|cracked|dented|took (?:almost |over |nearly )?(?:\w+ )?(?:days|weeks)|poor|bad|slow|broken|damaged|disappoint|wrong|late|terrible|awful|waste|cheaply|never again|refund|stale|leak/i;
const POSITIVE =
  /好|快|满意|喜欢|爱了|不错|赞|棒|漂亮|合适|合身|刚好|舒服|新鲜|值|划算|实惠|便宜|耐心|热情|及时|推荐|完美|结实|厚实|精致|用心|贴心|精美|严实|完好|一致|一样|准|足|强|绝|香|甜|嫩|脆|暖和|耐用|回购|超出预期|惊喜|干净|不累|不疼|好觉|润|服帖|柔和|轻|滑(?!丝)|鲜亮|正|神速|爱吃|可以|没得挑|十足|浓|细|不哭|不红|嘎嘎|yyds|great|good|love|fast|nice|perfect|happy|excellent|quick|amazing|recommend|worth/i;

/** Splits into clauses, so "物流很快，但是包装破了" reads as two judgements. */
function clauses(text: string): string[] {
  return (
    text
      // Buyers type spaces where they mean a comma: a space between Chinese words ends a clause too.
      .split(
        /[，,。.！!？?；;、~～\n]|(?<=\P{ASCII})\s+(?=\P{ASCII})|但是|但|不过|就是|可惜|唯一不足|however|but/iu,
      )
      .map((c) => c.trim())
      .filter(Boolean)
  );
}

/**
 * What a review praises and complains about. A clause that names an aspect and carries no word
 * either way takes the rating's side (4–5 stars: praise, 1–2: complaint).
 */
export function readReview(review: Pick<ReviewInput, 'rating' | 'text'> & { item?: string }): ReviewReading {
  const praised = new Set<ReviewAspect>();
  const complained = new Set<ReviewAspect>();
  // An item not known (no order) is read as it may be either.
  const edible = !review.item || EDIBLE.test(review.item);
  for (const raw of clauses(review.text)) {
    const clause = raw.replace(NOT_FAULTS, '').replace(DENIED, '好').replace(NEGATED_FAULT, '好');
    const negative = NEGATIVE.test(clause.replace(/不错|不贵|不差|不慢/g, '好'));
    const positive = !negative && POSITIVE.test(clause);
    const side = negative ? -1 : positive ? 1 : review.rating >= 4 ? 1 : review.rating <= 2 ? -1 : 0;
    if (side === 0) continue;
    for (const [named, words] of Object.entries(ASPECT_WORDS) as [ReviewAspect, RegExp][]) {
      if (!words.test(raw)) continue;
      const aspect = named === 'taste' && !edible ? (side < 0 ? 'quality' : 'effect') : named;
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
