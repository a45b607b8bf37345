// A sheet's overlay closes it on a tap, so Vant renders it as a role="button": it needs a name (axe:
// aria-command-name). OverlayProps does not list ARIA attributes, but Overlay passes unknown attributes to its div.
import type { OverlayProps } from 'vant';

export const OVERLAY_CLOSE = { 'aria-label': '关闭' } as unknown as Partial<OverlayProps>;
