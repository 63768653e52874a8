/** Builds the baseline worker and page into dist/bench-baseline/ (served by the app's server). */
import { buildSync } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

export function buildBaseline(outDir = 'dist/bench-baseline'): void {
  mkdirSync(outDir, { recursive: true });
  buildSync({
    entryPoints: ['bench/baseline/sw.ts'],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    outfile: `${outDir}/sw.js`,
    minify: true,
    logLevel: 'warning',
  });
  copyFileSync('bench/baseline/index.html', `${outDir}/index.html`);
  copyFileSync('bench/baseline/register.js', `${outDir}/register.js`);
}
