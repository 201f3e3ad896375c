// `npm run bench [-- NAME...]`: runs the benchmarks (all, or those named), prints JSON and then a table.
import type { Bench, Metric } from './lib';
import { agentsBench } from './agents';
import { skillsBench } from './skills';
import { mcpBench } from './mcp';
import { contextBench } from './context';
import { searchBench } from './search';
import { automationBench } from './automation';
import { chatBench } from './chat';
import { codingSessionBench } from './coding-session';
import { filesBench } from './files';
import { sandboxBench } from './sandbox';
import { serverStart } from './server-start';
import { shellBench } from './shell';
import { hostTierBench } from './host-tier';
import { soakBench } from './soak';
import { teamBench } from './team';
import { sessionsBench } from './sessions';
import { toolCallRepairBench } from './tool-call-repair';

const BENCHES: Bench[] = [
  serverStart,
  chatBench,
  sessionsBench,
  sandboxBench,
  shellBench,
  hostTierBench,
  filesBench,
  codingSessionBench,
  agentsBench,
  skillsBench,
  mcpBench,
  contextBench,
  searchBench,
  automationBench,
  toolCallRepairBench,
  teamBench,
  soakBench,
];

const wanted = process.argv.slice(2);
const selected = wanted.length ? BENCHES.filter((b) => wanted.includes(b.name)) : BENCHES;
if (selected.length === 0) {
  process.stderr.write(`unknown benchmark; choose from: ${BENCHES.map((b) => b.name).join(', ')}\n`);
  process.exit(2);
}

const results: { bench: string; metrics: Metric[] }[] = [];
for (const bench of selected) {
  process.stderr.write(`running ${bench.name}…\n`);
  results.push({ bench: bench.name, metrics: await bench.run() });
}

const report = {
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  date: new Date().toISOString(),
  results,
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n\n`);

const rows = results.flatMap((r) => r.metrics.map((m) => [r.bench, m.name, `${m.value} ${m.unit}`, m.target ?? '']));
const header = ['bench', 'metric', 'value', 'target'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
process.stdout.write(`${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`);
