/**
 * Shop-domain synonyms (BOT-1): words buyers use for the same thing, shipped with the project
 * and extendable per shop. Each group's first word is the one the others are read as.
 */
export const DEFAULT_SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['发货', '发出', '寄出', '发走', '出库', '发'],
  ['快递', '物流', '包裹', '快件', '货运'],
  ['多久', '几天', '多长时间', '什么时候', '啥时候', '几时', '何时', '多少天'],
  ['退款', '退钱', '返款', '退费'],
  ['退货', '退回', '退掉'],
  ['换货', '更换', '调换', '换'],
  ['运费', '邮费', '快递费', '邮资'],
  ['包邮', '免运费', '免邮', '不要运费'],
  ['发票', '开票', '票据'],
  ['优惠券', '券', '红包', '优惠'],
  ['便宜', '折扣', '打折', '降价', '优惠价'],
  ['坏', '破损', '损坏', '碎', '摔坏', '裂', '坏掉'],
  ['尺码', '尺寸', '大小', '规格', '码'],
  ['可以', '能', '能不能', '可不可以', '行不行', '可否', '支持'],
  ['怎么', '如何', '怎样', '咋', '怎么样'],
  ['地址', '收货地址', '收件地址'],
  ['修改', '改', '更改', '变更'],
  ['取消', '撤销', '不要了'],
  ['客服', '人工', '店家', '商家', '卖家'],
  ['正品', '真货', '正版'],
  ['有货', '库存', '现货', '缺货', '补货'],
  ['签收', '收到', '拿到'],
  ['质量', '品质'],
  ['价格', '价钱', '多少钱'],
  ['花呗', '分期'],
  ['容量', '毫升', 'ml'],
];

/** Reads words as their group's first word. */
export class SynonymMap {
  private readonly canonical = new Map<string, string>();

  constructor(groups: readonly (readonly string[])[] = DEFAULT_SYNONYM_GROUPS) {
    for (const group of groups) this.addGroup(group);
  }

  /** Adds a group (a shop's own synonyms); a word already in a group moves to the new one. */
  addGroup(group: readonly string[]): void {
    const [head] = group;
    if (!head) return;
    for (const word of group) this.canonical.set(word.toLowerCase(), head);
  }

  /** The word as its group reads it (itself when in no group). */
  canon(word: string): string {
    return this.canonical.get(word) ?? word;
  }
}
