// Vite plugin: Vant's icon font as a file of our own origin, shown with `font-display: swap`.
// vant/es/icon/index.css inlines the font as 25 KB of base64 in the render-blocking CSS (parsed before the first paint
// even where no icon shows) and falls back to a CDN, which our CSP (font-src 'self' data:) blocks with a console error.
// The same font, extracted once from that CSS, is src/styles/fonts/vant-icon.woff2 (src/styles/vant-icon-font.test.ts checks it
// is still byte for byte what the installed Vant ships, so a Vant upgrade cannot leave stale glyphs behind).
import type { Plugin } from 'vite';

export const VANT_ICON_CSS = /\/vant\/es\/icon\/index\.css$/;
export const LOCAL_FONT_FACE =
  '@font-face{font-weight:400;font-family:vant-icon;font-style:normal;font-display:swap;' +
  'src:url("@/styles/fonts/vant-icon.woff2") format("woff2")}';

/** Replaces the @font-face of Vant's icon CSS; throws if Vant's CSS no longer has the one we expect to replace. */
export function rewriteVantIconCss(css: string): string {
  const faces = css.match(/@font-face\s*\{[^}]*\}/g) ?? [];
  if (faces.length !== 1 || !faces[0]!.includes('font-family:vant-icon')) {
    throw new Error(`vant/es/icon/index.css: expected one vant-icon @font-face, found ${faces.length}`);
  }
  return css.replace(faces[0]!, LOCAL_FONT_FACE);
}

export function vantIconFont(): Plugin {
  return {
    name: 'zf-vant-icon-font',
    enforce: 'pre',
    transform(code, id) {
      if (!VANT_ICON_CSS.test(id.split('?')[0]!)) return null;
      return { code: rewriteVantIconCss(code), map: null };
    },
  };
}
