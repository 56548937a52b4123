// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by
// package (node_modules/<pkg>, the app bundle, node internals, GC, idle).
//   node tools/bench/cpuprofile-summary.mjs <file.cpuprofile> [top=30]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

function packageOf(url) {
  if (!url) return '(native/V8)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node (internals)';
  if (url.includes('dist/apps/api/') || url.endsWith('/api-main.js')) return 'app bundle (dist/apps/api/main.js)';
  return url.replace(/^file:\/\//, '');
}

export function summarizeCpuProfile(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const fns = new Map();
  const pkgs = new Map();
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    const special = ['(idle)', '(garbage collector)', '(program)'].includes(name);
    const file = callFrame.url ? callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/') : '';
    const key = special ? name : `${name} ${file}:${callFrame.lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const pkg = special ? name : packageOf(callFrame.url);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const idle = fns.get('(idle)') ?? 0;
  const busy = total - idle;
  const rank = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pctOfBusy: busy ? Number(((100 * us) / busy).toFixed(1)) : 0 }));
  return { totalMs: Math.round(total / 1000), busyMs: Math.round(busy / 1000), packages: rank(pkgs), functions: rank(fns) };
}

export function formatSummary(summary, top = 30) {
  const lines = [`profile: ${summary.totalMs} ms sampled, ${summary.busyMs} ms busy (not idle); self time, % of busy`, ' by package:'];
  for (const p of summary.packages.slice(0, 15)) lines.push(`  ${String(p.pctOfBusy).padStart(5)}%  ${String(p.ms).padStart(6)} ms  ${p.name}`);
  lines.push(' by function:');
  for (const f of summary.functions.slice(0, top)) lines.push(`  ${String(f.pctOfBusy).padStart(5)}%  ${String(f.ms).padStart(6)} ms  ${f.name}`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node tools/bench/cpuprofile-summary.mjs <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(formatSummary(summarizeCpuProfile(file), Number(process.argv[3] ?? 30)));
}
