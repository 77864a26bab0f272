/** Display labels shared by the workbench and the widget (zh-CN and en). Free of zod. */
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
