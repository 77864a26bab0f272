/** Each figure's definition as the dashboard shows it on hover (zh-CN and en). */
export interface MetricDefinition {
  key: string;
  name: { 'zh-CN': string; en: string };
  text: { 'zh-CN': string; en: string };
}

/** The definitions behind the figures (MET-1 … MET-7), in the words the dashboard uses. */
export const METRIC_DEFINITIONS: readonly MetricDefinition[] = [
  {
    key: 'replyRate',
    name: { 'zh-CN': '5 分钟回复率', en: '5-minute reply rate' },
    text: {
      'zh-CN':
        '咨询时段内（默认 08:00–23:00，店铺时区）每位买家每天首次咨询算一次，人工或机器人在 5 分钟内回复即为已回复；离线时收到的消息同样计入，疑似骚扰的买家不计。仍在 5 分钟内未回复的咨询暂不计入分母（待回复）。',
      en: "Each buyer's first message inside the consultation window (default 08:00–23:00, shop time) counts once a day; answered when a human or the bot replies within 5 minutes. Messages received while offline count; suspected-spam buyers do not. Consultations still inside their 5 minutes are left out until decided (pending).",
    },
  },
  {
    key: 'consultations',
    name: { 'zh-CN': '咨询人数', en: 'Consultations' },
    text: {
      'zh-CN': '咨询时段内发过消息的买家数，每人每天算一次（不含疑似骚扰）。',
      en: 'Buyers who wrote inside the consultation window, each once a day (suspected spam excluded).',
    },
  },
  {
    key: 'inquiries',
    name: { 'zh-CN': '询单人数', en: 'Inquiries' },
    text: {
      'zh-CN': '全天（0–24 点）发过消息的买家数，每人每天算一次（不含疑似骚扰）。',
      en: 'Buyers who wrote at any time of the day, each once (suspected spam excluded).',
    },
  },
  {
    key: 'firstResponse',
    name: { 'zh-CN': '首次响应时长', en: 'First response time' },
    text: {
      'zh-CN': '会话中买家第一条消息到店铺第一次回复（人工或机器人）的时长；p50/p90 按时长分段估算。',
      en: "From a conversation's first buyer message to the shop's first reply (human or bot); p50/p90 read from time buckets.",
    },
  },
  {
    key: 'response',
    name: { 'zh-CN': '平均响应时长', en: 'Average response time' },
    text: {
      'zh-CN': '买家每一轮提问（从该轮第一条消息算起）到店铺回复的平均时长；客服行只计该客服自己的回复。',
      en: "The mean time from the first message of each buyer turn to the shop's reply; an agent's row counts that agent's replies only.",
    },
  },
  {
    key: 'conversion',
    name: { 'zh-CN': '询单转化率', en: 'Inquiry conversion' },
    text: {
      'zh-CN': '当天询单的买家中，在询单后至第 3 天结束前付款的比例；3 天后定稿，之前为暂定值。',
      en: 'Share of the day’s inquiring buyers who paid an order after inquiring and before the end of the third day; final after 3 days, provisional before.',
    },
  },
  {
    key: 'satisfaction',
    name: { 'zh-CN': '满意度', en: 'Satisfaction' },
    text: {
      'zh-CN': '会话结束后买家在窗口中给出的 1–5 分评价的平均值，计入接待客服。',
      en: 'The mean of the 1–5 ratings buyers give in the widget after a conversation ends, credited to its agent.',
    },
  },
  {
    key: 'quality',
    name: { 'zh-CN': '质检分', en: 'Quality score' },
    text: {
      'zh-CN': '主管抽检会话按服务态度、回答准确、规则合规三项 1–5 分打分的平均值。',
      en: 'The mean of the supervisors’ spot-check marks (attitude, accuracy, rule compliance, 1–5 each).',
    },
  },
  {
    key: 'score',
    name: { 'zh-CN': '综合得分', en: 'Agent score' },
    text: {
      'zh-CN':
        '转化率、响应时长（0 秒为满分，超过回复时限为 0）、回复率、满意度、质检分按设置的权重加权，只计有数据的项，满分 100；售前、售后分别排名。',
      en: 'Conversion, response time (full marks at 0 s, none at the reply limit), reply rate, satisfaction and quality, weighted by the settings over the parts with data, out of 100; pre-sales and after-sales ranked apart.',
    },
  },
];
