import type { ToolResult } from '../src/tools/tool';

/** One measured figure: a name, a value and its unit, optionally with the target the issue set. */
export interface Metric {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

export interface Bench {
  name: string;
  run(): Promise<Metric[]>;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const median = (values: number[]) => percentile(values, 50);

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

/** The proportional set size of a process: its resident memory, with pages shared with others counted in part. */
export async function pssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = /^Pss:\s+(\d+) kB/m.exec(rollup)?.[1];
  if (!kb) throw new Error(`no Pss for pid ${pid}`);
  return Number(kb) * 1024;
}

/** Runs `work` one call after another and returns each call's duration in ms. */
export async function timeEach(times: number, work: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await work();
    out.push(performance.now() - started);
  }
  return out;
}

/** A tool call's result, or the reason it failed: a benchmark of failing calls measures nothing. */
export function ok(result: ToolResult): ToolResult {
  if (result.isError) throw new Error(`the call failed: ${JSON.stringify(result.content).slice(0, 300)}`);
  return result;
}

/** POSTs JSON to the dashboard's API as the dashboard does (its Origin), and gives back the JSON answer. */
export async function post(url: string, path: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { Origin: url, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<{ id: string }>;
}
