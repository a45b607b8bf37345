// Response headers that keep tokens and orders out of caches and limit what the H5 page may load (issue 12, hole 7).
import type { MiddlewareHandler } from 'hono';

/**
 * The H5's Content-Security-Policy: scripts, styles, fonts and API calls from our own origin only; Vant sets inline
 * `style` attributes and injects small `<style>` blocks, hence `'unsafe-inline'` for styles only (never scripts);
 * images may be `data:` (Vant's icons). Leaving the page for a provider (Guanaitong's login) is a navigation, which
 * CSP does not restrict. No framing by other sites, no plugins, no `<base>` rewriting.
 */
export const H5_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** `Cache-Control: no-store` on every API answer (sessions carry bearer tokens; orders, balances and cards are private). */
export const noStore = (): MiddlewareHandler =>
  async function noStoreMiddleware(c, next) {
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('Pragma', 'no-cache');
  };

/** Adds the H5's Content-Security-Policy to the pages served under /wallet/. */
export const h5Csp = (policy: string = H5_CSP): MiddlewareHandler =>
  async function h5CspMiddleware(c, next) {
    await next();
    c.header('Content-Security-Policy', policy);
  };
