// The JavaScript and CSS the browser downloads, gzipped (level 9), against
// the budget of 150 KB (docs/benchmarks.md). Exits 1 above the budget.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const BUDGET = 150 * 1024;
const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'dist', 'assets');
let raw = 0;
let gz = 0;
for (const f of fs.readdirSync(dir).filter((n) => /\.(js|css)$/.test(n)).sort()) {
  const b = fs.readFileSync(path.join(dir, f));
  const z = zlib.gzipSync(b, { level: 9 }).length;
  raw += b.length;
  gz += z;
  console.log(`${f}: ${(b.length / 1024).toFixed(1)} KB, ${(z / 1024).toFixed(1)} KB gzipped`);
}
console.log(`total: ${(raw / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
if (gz > BUDGET) {
  console.error('over the budget');
  process.exit(1);
}
