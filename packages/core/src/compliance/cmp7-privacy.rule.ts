/**
 * CMP-7 privacy: buyer phone numbers, ID-card numbers and addresses masked for roles without the
 * right to see them (TEAM-1). Phones keep the first 3 and last 4 digits (138****5678); an
 * address keeps province, city and district and masks the street and house number. Masking is
 * one '*' per UTF-16 unit, so the masked text has the original's offsets.
 */
import type { TextSpan } from './compliance.types';
import { digitWindows, scanDigitRuns } from './digit-runs';
import { normalize, originalSpan } from './normalize';

/** What was masked where. */
export interface MaskedSpan extends TextSpan {
  kind: 'phone' | 'id-card' | 'address';
}

/** A masked text and the spans (same offsets in the original and the masked text). */
export interface MaskResult {
  text: string;
  spans: MaskedSpan[];
}

const PROVINCES =
  '北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门';
const CJK = '\\u4e00-\\u9fff';
// Spaces too: buyers type "文三路 138 号 3 单元" as often as without them.
const DETAIL = `[${CJK}A-Za-z0-9０-９\\-－—#＃()（）· \u3000]`;
const STREETS = '路|街|大道|大街|巷|弄|胡同|小区|花园|公寓|大厦';
const MARKER = /路|街|道|巷|弄|号|村|镇|乡|小区|栋|幢|单元|室|楼|苑|大厦|花园|公寓|社区|园|屯|组|里|\d/;
const PROVINCE_ADDRESS = new RegExp(
  `(?:${PROVINCES})(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?(?:[${CJK}]{1,8}?(?:自治州|市|州|地区|盟))?(?:[${CJK}]{1,8}?(?:区|县|市|旗))?(${DETAIL}{2,80})`,
  'g',
);
// Without a province: a street (or estate) with its numbers ("文三路123号5幢", "张江路88弄6号").
const NUM = '[0-9０-９一二三四五六七八九十百零〇]{1,6}';
const UNITS = '号院|号楼|号|弄|栋|幢|单元|层|楼|室|座';
const STREET_ADDRESS = new RegExp(
  `[${CJK}]{1,4}(?:${STREETS})(?:[ \u3000]?(?:${NUM}[ \u3000]?(?:${UNITS})|[-－]${NUM}))+`,
  'g',
);
const STREET_MARKER = new RegExp(STREETS);
// Where a street name stops going back: a district, a preposition, a label.
const NAME_STOP = /[区县市镇乡到在址是：:，,\s]/;
const ID_CARD = /(?<![0-9])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9x](?![0-9x])/g;
const PHONE = /^(?:86)?1[3-9]\d{9}$|^0[1-9]\d{8,10}$/;

/**
 * Masks phone numbers, ID-card numbers and addresses. Digits spelled with spaces, dashes,
 * full-width or Chinese numerals are found too. Never throws.
 */
export function maskPii(text: string): MaskResult {
  const units = text.split('');
  const spans: MaskedSpan[] = [];
  const masked = new Uint8Array(text.length);
  const mask = (start: number, end: number) => {
    for (let i = start; i < end; i++) {
      units[i] = '*';
      masked[i] = 1;
    }
  };

  // Addresses first: the detail after province / city / district, or a street and its number.
  for (const m of text.matchAll(PROVINCE_ADDRESS)) {
    const detail = m[1]!;
    if (!MARKER.test(detail)) continue;
    const start = m.index + m[0].length - detail.length;
    mask(start, m.index + m[0].length);
    spans.push({ start, end: m.index + m[0].length, kind: 'address' });
  }
  for (const m of text.matchAll(STREET_ADDRESS)) {
    const end = m.index + m[0].length;
    if (masked.subarray(m.index, end).some((x) => x === 1)) continue;
    // Keep what comes before the street name (a district, "寄到"): the name is the few
    // characters before 路 / 街 …, back to a district or a preposition.
    const marker = STREET_MARKER.exec(m[0])?.index ?? 0;
    let s = marker;
    while (s > 0 && marker - s < 4 && !NAME_STOP.test(m[0][s - 1]!)) s--;
    const start = m.index + s;
    mask(start, end);
    spans.push({ start, end, kind: 'address' });
  }

  // ID-card numbers (18 characters, the last may be X), then phone numbers in digit runs.
  const loose = normalize(text, 'loose');
  const hide = (from: number, to: number, kind: MaskedSpan['kind']) => {
    const sp = originalSpan(loose, from, to);
    if (masked.subarray(sp.start, sp.end).some((x) => x === 1)) return;
    // Mask only the digits, so separators keep the number's shape ("138-****-5678").
    for (let i = from; i < to; i++) if (/[0-9x]/.test(loose.text[i]!)) mask(loose.start[i]!, loose.end[i]!);
    spans.push({ ...sp, kind });
  };
  for (const m of loose.text.matchAll(ID_CARD)) hide(m.index + 6, m.index + 14, 'id-card');
  for (const run of scanDigitRuns(loose)) {
    const taken = run.groups.map(() => false);
    for (const w of digitWindows(run, 10, 13)) {
      if (taken.slice(w.a, w.b + 1).some(Boolean) || !PHONE.test(w.digits)) continue;
      for (let x = w.a; x <= w.b; x++) taken[x] = true;
      // Keep the first 3 and the last 4 digits of the number proper (after a +86).
      const positions: number[] = [];
      for (let x = w.a; x <= w.b; x++)
        for (let i = run.groups[x]!.from; i < run.groups[x]!.to; i++) positions.push(i);
      const head = w.digits.startsWith('86') && w.digits.length === 13 ? 5 : 3;
      const first = positions[head];
      const last = positions[positions.length - 5];
      if (first !== undefined && last !== undefined && last >= first) hide(first, last + 1, 'phone');
    }
  }
  spans.sort((a, b) => a.start - b.start);
  return { text: units.join(''), spans };
}
