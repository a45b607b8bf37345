// Isomorphic exports (safe for the H5 bundle). Node-only partner helpers live in `@zf/shared/partner`.
export * from './money.ts';
export * from './errors.ts';
export * from './schemas/link.ts';
export * from './schemas/policy.ts';
export * from './schemas/order.ts';
export * from './schemas/callback.ts';
export * from './schemas/card.ts';
export * from './schemas/guanaitong.ts';
export * from './schemas/admin.ts';
export * from './schemas/partner-api.ts';
