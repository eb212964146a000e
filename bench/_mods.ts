const mods = process.argv.slice(2);
const base = process.memoryUsage().rss;
let prev = base;
for (const m of mods) {
  await import(m);
  (globalThis as any).gc?.();
  const r = process.memoryUsage().rss;
  console.log(m.padEnd(40), Math.round((r - prev) / 1048576), 'MiB');
  prev = r;
}
console.log('base', Math.round(base / 1048576), 'total', Math.round(prev / 1048576));
