/** Display labels shared by the workbench and the widget (zh-CN and en). Free of zod. */
import type { RouteReason, RouteStatus } from '@xiaoer/core';

export const ORDER_STATUS_LABELS: Record<'zh-CN' | 'en', Record<string, string>> = {
  'zh-CN': {
    unpaid: '待付款',
    paid: '待发货',
    shipped: '已发货',
    completed: '已完成',
    after_sales: '售后中',
    closed: '已关闭',
  },
  en: {
    unpaid: 'Unpaid',
    paid: 'To ship',
    shipped: 'Shipped',
    completed: 'Completed',
    after_sales: 'After-sales',
    closed: 'Closed',
  },
};

/** TEAM-1 roles that may administer a shop (mirrors canAdminister in the core). */
export const ADMIN_ROLES: readonly string[] = ['owner', 'admin', 'cs_admin'];

/** RT-3: the order statuses a routing group binds, as the console names them. */
export const ROUTE_STATUS_LABELS: Record<'zh-CN' | 'en', Record<RouteStatus, string>> = {
  'zh-CN': {
    none: '无订单',
    unpaid: '待付款',
    paid: '已付款未发货',
    shipped: '已发货',
    completed: '已完成',
    'after-sales': '售后中',
  },
  en: {
    none: 'No order',
    unpaid: 'Unpaid',
    paid: 'Paid, not shipped',
    shipped: 'Shipped',
    completed: 'Completed',
    'after-sales': 'After-sales',
  },
};

/** Why routing gave a conversation to its agent (RT-1 … RT-10): a short tag and a longer hint. */
export const ASSIGN_REASON_LABELS: Record<
  'zh-CN' | 'en',
  Record<RouteReason, { tag: string; hint: string }>
> = {
  'zh-CN': {
    'returning-buyer': { tag: '回头客', hint: '该买家近期由这位客服接待过，回到原客服（RT-1）' },
    'status-group': { tag: '订单状态分组', hint: '按买家最近订单的状态分给绑定的分组（RT-3）' },
    'least-loaded': { tag: '最少接待', hint: '分给当前接待量最少的在线客服，平局轮流（RT-2）' },
    'offline-list': { tag: '离线分流', hint: '所有客服离线时，分给离线分流名单中的客服（RT-5）' },
    queue: { tag: '排队分配', hint: '买家排队等待，有客服空出接待位后按先后分配（RT-4）' },
    transfer: { tag: '转接', hint: '由其他客服或分组转接而来（RT-10）' },
    owner: { tag: '主账号', hint: '店铺没有参与分流的客服账号，由主账号接待（RT-8）' },
    manual: { tag: '手动分配', hint: '管理员手动分配，可超出接待上限（RT-10）' },
    pulled: { tag: '主动拉取', hint: '客服从排队中主动拉取（RT-6）' },
  },
  en: {
    'returning-buyer': {
      tag: 'Returning buyer',
      hint: 'This agent talked to the buyer recently, so the buyer came back to them (RT-1)',
    },
    'status-group': {
      tag: 'Order-status group',
      hint: "Routed to the group bound to the status of the buyer's latest order (RT-3)",
    },
    'least-loaded': {
      tag: 'Least loaded',
      hint: 'Given to the online agent with the fewest chats, ties in turn (RT-2)',
    },
    'offline-list': {
      tag: 'Offline routing',
      hint: 'Every agent was offline: given to an agent on the offline-routing list (RT-5)',
    },
    queue: { tag: 'From the queue', hint: 'The buyer waited in the queue until a slot freed (RT-4)' },
    transfer: { tag: 'Transferred', hint: 'Transferred from another agent or to a group (RT-10)' },
    owner: { tag: 'Owner account', hint: 'The shop has no routing agents, so the owner takes it (RT-8)' },
    manual: { tag: 'Assigned manually', hint: 'An admin assigned it, caps aside (RT-10)' },
    pulled: { tag: 'Pulled', hint: 'An agent pulled it from the queue (RT-6)' },
  },
};
