// The H5's routes, uni-app style (`/pages/<name>/<name>`), under hash history so `/wallet/index.html#/…` links work.
import { createRouter, createWebHashHistory } from 'vue-router';
import type { RouteLocationRaw, Router, RouterHistory, RouteRecordRaw } from 'vue-router';

declare module 'vue-router' {
  interface RouteMeta {
    /** Page title, shown in the nav bar and as the document title. */
    title?: string;
  }
}

/** The path of a uni-app style page: `page('cashier')` → `/pages/cashier/cashier`. */
export const page = (name: string): string => `/pages/${name}/${name}`;

/** Where each page lives. */
export const PAGES = {
  validPolicy: page('valid-policy'),
  policyDetail: page('policy-detail'),
  cashier: page('cashier'),
  payResult: page('pay-result'),
  orders: page('orders'),
} as const;

/** The cashier of an order. */
export const toCashier = (orderNo: string): RouteLocationRaw => ({ path: PAGES.cashier, query: { order_no: orderNo } });
/** The result page of an order. */
export const toPayResult = (orderNo: string): RouteLocationRaw => ({ path: PAGES.payResult, query: { order_no: orderNo } });

/** All routes; pages are loaded lazily. */
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: (to) => ({ path: PAGES.validPolicy, query: to.query }) },
  { path: PAGES.validPolicy, component: () => import('./pages/valid-policy/valid-policy.vue'), meta: { title: '选择保单' } },
  { path: PAGES.policyDetail, component: () => import('./pages/policy-detail/policy-detail.vue'), meta: { title: '确认支付' } },
  { path: PAGES.cashier, component: () => import('./pages/cashier/cashier.vue'), meta: { title: '收银台' } },
  { path: PAGES.payResult, component: () => import('./pages/pay-result/pay-result.vue'), meta: { title: '支付结果' } },
  { path: PAGES.orders, component: () => import('./pages/orders/orders.vue'), meta: { title: '支付记录' } },
  // The operator console: its own sign-in; every page is a separate lazy chunk, so the wallet's entry does not grow.
  { path: '/pages/admin', redirect: '/pages/admin/overview' },
  ...(
    [
      ['login', '登录', () => import('./pages/admin/login.vue')],
      ['overview', '总览', () => import('./pages/admin/overview.vue')],
      ['alerts', '告警', () => import('./pages/admin/alerts.vue')],
      ['clearing', '人工清分', () => import('./pages/admin/clearing.vue')],
      ['insurers', '保险公司', () => import('./pages/admin/insurers.vue')],
      ['orders', '订单', () => import('./pages/admin/orders.vue')],
      ['order', '订单时间线', () => import('./pages/admin/order.vue')],
      ['refunds', '退款', () => import('./pages/admin/refunds.vue')],
      ['reconcile', '对账', () => import('./pages/admin/reconcile.vue')],
      ['callbacks', '回调', () => import('./pages/admin/callbacks.vue')],
      ['partners', '合作方', () => import('./pages/admin/partners.vue')],
      ['users', '用户', () => import('./pages/admin/users.vue')],
      ['ledger', '账簿', () => import('./pages/admin/ledger.vue')],
      ['audit', '审计日志', () => import('./pages/admin/audit.vue')],
    ] as const
  ).map(([name, title, component]): RouteRecordRaw => ({ path: `/pages/admin/${name}`, component, meta: { title } })),
  { path: '/:pathMatch(.*)*', component: () => import('./pages/not-found/not-found.vue'), meta: { title: '页面不存在' } },
];

/** The app's router; tests pass a memory history. */
export function createAppRouter(history: RouterHistory = createWebHashHistory()): Router {
  // The document title follows the nav bar's (usePageTitle), which an error page may override.
  // A new page starts at the top; the first page is there already (scrolling it would force a layout while it mounts).
  return createRouter({ history, routes, scrollBehavior: (_to, from) => (from.matched.length ? { top: 0 } : false) });
}
