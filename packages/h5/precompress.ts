// Vite build plugin: writes `<file>.br` and `<file>.gz` beside every text file of the build, which the BFF sends by
// Accept-Encoding (packages/bff/src/http/static.ts, serveStatic `precompressed`) instead of the raw bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const TEXT = /\.(js|css|html|svg|json)$/;

export function precompress(minBytes = 1024): Plugin {
  let outDir = '';
  return {
    name: 'zf-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!TEXT.test(name)) continue;
        const file = path.join(outDir, name);
        const raw = readFileSync(file);
        if (raw.length < minBytes) continue;
        writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(raw, {
            params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
          }),
        );
      }
    },
  };
}
