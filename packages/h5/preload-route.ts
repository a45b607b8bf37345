// Vite build plugin: index.html preloads the lazy chunk of the page every deep link opens (valid-policy), with its
// imports and CSS, so they download beside the entry chunk instead of after it has run (one round trip fewer before
// the first page shows; the chunks are still evaluated only when the router asks for them).
import type { Plugin } from 'vite';
import type { Rollup } from 'vite';

type OutputBundle = Rollup.OutputBundle;
type OutputChunk = Rollup.OutputChunk;

export function preloadRoute(routeModule: RegExp): Plugin {
  return {
    name: 'zf-preload-route',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle: OutputBundle | undefined = ctx.bundle;
        if (!bundle) return [];
        const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === 'chunk');
        // The chunk holding the page (its own, or a manual group's such as vite.config.ts' `wallet`).
        const route = chunks.find((c) => c.moduleIds.some((id) => routeModule.test(id)));
        if (!route) throw new Error(`preloadRoute: no chunk for ${routeModule}`);
        // What the entry loads already (Vite preloads it itself).
        const entry = chunks.find((c) => c.isEntry);
        const have = new Set<string>();
        const walk = (file: string, into: Set<string>) => {
          const c = bundle[file];
          if (!c || c.type !== 'chunk' || into.has(file)) return;
          into.add(file);
          for (const i of c.imports) walk(i, into);
        };
        if (entry) walk(entry.fileName, have);
        const need = new Set<string>();
        walk(route.fileName, need);
        const base = ctx.server ? '/' : (ctx as { base?: string }).base;
        const href = (f: string) => `${base ?? '/wallet/'}${f}`;
        const tags = [];
        for (const f of need) {
          if (have.has(f)) continue;
          tags.push({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: href(f) }, injectTo: 'head' as const });
          const css = (bundle[f] as OutputChunk & { viteMetadata?: { importedCss: Set<string> } }).viteMetadata?.importedCss ?? [];
          for (const c of css)
            tags.push({ tag: 'link', attrs: { rel: 'preload', as: 'style', crossorigin: true, href: href(c) }, injectTo: 'head' as const });
        }
        return tags;
      },
    },
  };
}
