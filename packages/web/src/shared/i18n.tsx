import { ORDER_STATUS_LABELS } from '@xiaoer/protocol/labels';
import { ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';

const zh = {
  appWorkbench: '客服工作台',
  appAdmin: '管理后台',
  email: '邮箱',
  password: '密码',
  login: '登录',
  logout: '退出',
  loginFailed: '登录失败',
  noPermission: '无权限：管理后台仅限主账号、管理员和客服主管',
  online: '在线',
  hung_up: '挂起',
  offline: '离线',
  conversations: '会话',
  openTab: '进行中',
  endedTab: '已结束',
  noConversations: '暂无会话',
  pickConversation: '从左侧选择一个会话',
  waiting: '等待',
  minutes: '分钟',
  seconds: '秒',
  statusBot: '机器人',
  statusQueued: '排队中',
  statusAssigned: '接待中',
  statusEnded: '已结束',
  send: '发送',
  composerPlaceholder: '输入消息，Enter 发送，Shift+Enter 换行，输入 / 查找快捷回复',
  image: '图片',
  endConversation: '结束会话',
  endConfirm: '确定结束这个会话吗？',
  transfer: '转接',
  transferTo: '转接给',
  load: '接待中',
  read: '已读',
  unread: '未读',
  sending: '发送中',
  failed: '发送失败',
  buyerTyping: '对方正在输入…',
  bot: '机器人',
  botSettings: '机器人设置',
  botEnabled: '启用',
  botThreshold: '回答阈值',
  botMaxMisses: '连续几次答不上转人工',
  botHandoffPhrases: '转人工关键词',
  botTest: '测试机器人',
  botTestRun: '测试',
  botAnswers: '机器人会回答',
  botMisses: '机器人答不上（会请买家换个说法或转人工）',
  botHandsOff: '转人工',
  botOrder: '按订单回答',
  botNoMatch: '没有相近的问题',
  botQuestion: '标准问题',
  botMatched: '命中的问法',
  botScore: '相似度',
  botSimilar: '相似问法',
  botAnswer: '答案',
  botCategory: '分类',
  botSearch: '搜索 FAQ',
  botImport: '导入',
  botImported: '已导入',
  takeOver: '接管',
  addToFaq: '加入 FAQ',
  addAsSimilar: '作为相似问法加入',
  newEntry: '新建条目',
  saveQuickReply: '保存为快捷回复',
  quickReplies: '快捷回复',
  title: '标题',
  text: '内容',
  imageUrl: '图片',
  shared: '共享',
  personal: '个人',
  create: '新建',
  edit: '编辑',
  delete: '删除',
  save: '保存',
  cancel: '取消',
  buyer: '买家',
  phone: '手机',
  orders90: '近 90 天订单',
  noOrders: '近 90 天没有订单',
  sendOrder: '发送订单',
  total: '合计',
  shop: '店铺',
  agents: '客服',
  name: '名称',
  serviceHours: '服务时间',
  timeZone: '时区',
  role: '角色',
  cap: '接待上限',
  takesRouting: '参与分流',
  status: '状态',
  saved: '已保存',
  newMessage: '新消息',
  orderStatus: ORDER_STATUS_LABELS['zh-CN'],
  roles: {
    owner: '主账号',
    admin: '管理员',
    cs_admin: '客服主管',
    operator: '运营',
    agent: '客服',
    outsourced: '外包客服',
  } as Record<string, string>,
};

const en: typeof zh = {
  appWorkbench: 'Agent workbench',
  appAdmin: 'Admin console',
  email: 'Email',
  password: 'Password',
  login: 'Log in',
  logout: 'Log out',
  loginFailed: 'Login failed',
  noPermission: 'No permission: the admin console is for owners, admins and CS admins',
  online: 'Online',
  hung_up: 'Hung up',
  offline: 'Offline',
  conversations: 'Conversations',
  openTab: 'Open',
  endedTab: 'Ended',
  noConversations: 'No conversations',
  pickConversation: 'Pick a conversation on the left',
  waiting: 'Waiting',
  minutes: 'min',
  seconds: 's',
  statusBot: 'Bot',
  statusQueued: 'Queued',
  statusAssigned: 'Assigned',
  statusEnded: 'Ended',
  send: 'Send',
  composerPlaceholder: 'Type a message; Enter sends, Shift+Enter for a new line, / for quick replies',
  image: 'Image',
  endConversation: 'End',
  endConfirm: 'End this conversation?',
  transfer: 'Transfer',
  transferTo: 'Transfer to',
  load: 'Load',
  read: 'Read',
  unread: 'Unread',
  sending: 'Sending',
  failed: 'Not sent',
  buyerTyping: 'Buyer is typing…',
  bot: 'Bot',
  botSettings: 'Bot settings',
  botEnabled: 'On',
  botThreshold: 'Answer threshold',
  botMaxMisses: 'Misses before handoff',
  botHandoffPhrases: 'Handoff phrases',
  botTest: 'Test the bot',
  botTestRun: 'Test',
  botAnswers: 'The bot answers',
  botMisses: 'The bot misses (asks to rephrase or offers a person)',
  botHandsOff: 'Hands off to a person',
  botOrder: 'Answers from the order',
  botNoMatch: 'No close question',
  botQuestion: 'Question',
  botMatched: 'Matched wording',
  botScore: 'Score',
  botSimilar: 'Similar questions',
  botAnswer: 'Answer',
  botCategory: 'Category',
  botSearch: 'Search the FAQ',
  botImport: 'Import',
  botImported: 'Imported',
  takeOver: 'Take over',
  addToFaq: 'Add to FAQ',
  addAsSimilar: 'Add as a similar question',
  newEntry: 'New entry',
  saveQuickReply: 'Save as quick reply',
  quickReplies: 'Quick replies',
  title: 'Title',
  text: 'Text',
  imageUrl: 'Image',
  shared: 'Shared',
  personal: 'Personal',
  create: 'New',
  edit: 'Edit',
  delete: 'Delete',
  save: 'Save',
  cancel: 'Cancel',
  buyer: 'Buyer',
  phone: 'Phone',
  orders90: 'Orders, last 90 days',
  noOrders: 'No orders in the last 90 days',
  sendOrder: 'Send order',
  total: 'Total',
  shop: 'Shop',
  agents: 'Agents',
  name: 'Name',
  serviceHours: 'Service hours',
  timeZone: 'Time zone',
  role: 'Role',
  cap: 'Max concurrent',
  takesRouting: 'Takes routing',
  status: 'Status',
  saved: 'Saved',
  newMessage: 'New message',
  orderStatus: ORDER_STATUS_LABELS.en,
  roles: {
    owner: 'Owner',
    admin: 'Admin',
    cs_admin: 'CS admin',
    operator: 'Operator',
    agent: 'Agent',
    outsourced: 'Outsourced agent',
  },
};

/** The UI's strings in one language. */
export type Dict = typeof zh;
/** Languages the UI speaks. */
export type Lang = 'zh-CN' | 'en';

const LangContext = createContext<{ t: Dict; lang: Lang; setLang: (l: Lang) => void }>({
  t: zh,
  lang: 'zh-CN',
  setLang: () => {},
});

function initialLang(): Lang {
  const saved = localStorage.getItem('xiaoer.lang');
  if (saved === 'en' || saved === 'zh-CN') return saved;
  // Chinese first: English only when chosen in the header.
  return 'zh-CN';
}

/** Provides the language (zh-CN first, en on request) and antd's matching locale. */
export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const value = useMemo(
    () => ({
      lang,
      t: lang === 'en' ? en : zh,
      setLang: (l: Lang) => {
        localStorage.setItem('xiaoer.lang', l);
        setLangState(l);
      },
    }),
    [lang],
  );
  return (
    <LangContext.Provider value={value}>
      <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={{ token: { colorPrimary: '#ff5000' } }}>
        {children}
      </ConfigProvider>
    </LangContext.Provider>
  );
}

/** The current strings and language switch. */
export function useT() {
  return useContext(LangContext);
}
