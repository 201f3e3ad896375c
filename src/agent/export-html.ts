import { Marked } from 'marked';
import type { ChildUsage, RunEventOf, StampedEvent, ToolResult } from '../contract/events';
import { REDACTED } from '../models/redaction';
import type { LoadedSession } from '../workspace/sessions';

/**
 * A session as one HTML page that reads well offline and can be passed around: no script, nothing fetched (the
 * Content-Security-Policy forbids both, so a message that slips something through still cannot run or call out),
 * styles inline for light and dark, images only as `data:` URLs.
 */

const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";
/** Characters of a tool's output kept in the page; the rest is counted. */
const OUTPUT_LIMIT = 20_000;
/** Links that stay links; any other scheme (javascript:, data:, file:) is shown as its text. */
const SAFE_HREF = /^(?:https?:|mailto:)/i;
const IMAGE_TYPES = /^image\/(?:png|jpeg|gif|webp)$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Plain text for the page, each redaction marked so a reader sees where something was taken out. */
const plain = (text: string) =>
  escapeHtml(text).replaceAll(REDACTED, `<span class="redacted">${escapeHtml(REDACTED)}</span>`);

const dataUrl = (mediaType: string, data: string) =>
  IMAGE_TYPES.test(mediaType) && BASE64.test(data) ? `data:${mediaType};base64,${data}` : null;

/** Markdown as marked renders it, but raw HTML is shown as text, and only web and mail links stay links. */
const markdown = new Marked({
  gfm: true,
  renderer: {
    html: ({ text, block }) => (block ? `<p>${escapeHtml(text)}</p>` : escapeHtml(text)),
    // A task list's box as a sign, not a form control without a label.
    checkbox: ({ checked }) =>
      `<span role="img" aria-label="${checked ? 'done' : 'not done'}">${checked ? '☑' : '☐'}</span> `,
    // The page has its title (h1) and a heading per message (h2): a message's own headings come below them.
    heading({ tokens, depth }) {
      const level = Math.min(depth + 2, 6);
      return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
    },
    link({ href, title, tokens }) {
      const label = this.parser.parseInline(tokens);
      if (!SAFE_HREF.test(href)) return label;
      const titled = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(href)}"${titled} rel="noopener noreferrer">${label}</a>`;
    },
    // A picture from elsewhere would be a request: it is linked to, not shown.
    image({ href, text }) {
      const [, mediaType = '', data = ''] = /^data:([^;,]+);base64,(.*)$/s.exec(href) ?? [];
      const src = dataUrl(mediaType, data);
      if (src) return `<img src="${src}" alt="${escapeHtml(text)}">`;
      const label = escapeHtml(`[image${text ? `: ${text}` : ''}]`);
      return SAFE_HREF.test(href) ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer">${label}</a>` : label;
    },
  },
});

const renderMarkdown = (text: string) => `<div class="md">${markdown.parse(text, { async: false })}</div>`;

const formatTokens = (n: number) =>
  n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
const formatCost = (usd: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
const usageLine = (u: ChildUsage) =>
  `${formatTokens(u.inputTokens)} in · ${formatTokens(u.outputTokens)} out · ${formatCost(u.costUsd)}`;

/** A time as UTC, to the minute: the page is read anywhere, so no zone of the exporting machine is assumed. */
function when(time: string): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return escapeHtml(time);
  return `<time datetime="${escapeHtml(date.toISOString())}">${date.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`;
}

function resultHtml(result: ToolResult): { body: string; summary: string } {
  const blocks =
    typeof result.content === 'string' ? [{ type: 'text' as const, text: result.content }] : result.content;
  const text = blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
  const lines = text ? text.split('\n').length : 0;
  const shown =
    text.length > OUTPUT_LIMIT
      ? `${text.slice(0, OUTPUT_LIMIT)}\n… (${text.length - OUTPUT_LIMIT} more characters)`
      : text;
  const images = blocks.flatMap((b) => {
    if (b.type !== 'image') return [];
    const src = dataUrl(b.mediaType, b.data);
    return [
      src
        ? `<img src="${src}" alt="Image result (${escapeHtml(b.mediaType)})">`
        : `<p>[image ${escapeHtml(b.mediaType)}]</p>`,
    ];
  });
  const parts = [
    `${result.isError ? 'Error' : 'Output'}`,
    lines > 0 ? `${lines} line${lines === 1 ? '' : 's'}` : images.length === 0 ? 'empty' : '',
    images.length > 0 ? `${images.length} image${images.length === 1 ? '' : 's'}` : '',
  ];
  return {
    summary: parts.filter(Boolean).join(' · '),
    body: `${shown ? `<pre>${plain(shown)}</pre>` : ''}${images.join('')}`,
  };
}

interface Context {
  results: Map<string, RunEventOf<'tool.completed'>>;
  spawned: Map<string, RunEventOf<'agent.spawned'>>;
  children: Map<string, RunEventOf<'agent.completed'>>;
}

function childHtml(spawned: RunEventOf<'agent.spawned'> | undefined, done: RunEventOf<'agent.completed'> | undefined) {
  const type = done?.agentType ?? spawned?.agentType ?? 'agent';
  const facts = done
    ? [done.status, `${done.turns} turn${done.turns === 1 ? '' : 's'}`, usageLine(done.usage)]
    : ['no result in this session'];
  const files =
    done && done.filesChanged.length > 0
      ? `<p class="meta">Files changed: ${done.filesChanged.map((f) => `<code>${plain(f)}</code>`).join(', ')}</p>`
      : '';
  return `<div class="child">
<p class="child-head"><strong>${plain(type)} agent</strong>${spawned ? ` — ${plain(spawned.description)}` : ''}</p>
<p class="meta">${facts.map(plain).join(' · ')}${done?.error ? ` · <span class="error">${plain(done.error)}</span>` : ''}</p>
${done?.text ? renderMarkdown(done.text) : ''}${files}</div>`;
}

function toolCallHtml(call: RunEventOf<'message.completed'>['toolCalls'][number], ctx: Context): string {
  const completed = ctx.results.get(call.callId);
  const result = completed ? resultHtml(completed.result) : null;
  const child =
    call.name === 'agent' && (ctx.spawned.has(call.callId) || ctx.children.has(call.callId))
      ? childHtml(ctx.spawned.get(call.callId), ctx.children.get(call.callId))
      : '';
  const status = !completed
    ? '<span class="badge">no result</span>'
    : completed.result.isError
      ? '<span class="badge error">error</span>'
      : '';
  return `<div class="tool">
<p class="tool-head"><span class="tool-name">${plain(call.name)}</span>${status}</p>
<pre class="input">${plain(JSON.stringify(call.input, null, 2) ?? 'null')}</pre>
${child}${result ? `<details><summary>${result.summary}</summary>${result.body}</details>` : ''}
</div>`;
}

function eventHtml(e: StampedEvent, ctx: Context): string {
  switch (e.type) {
    case 'message.user':
      if (e.synthetic) return '';
      return `<article class="msg user" id="event-${e.id}">
<h2 class="who">User <span class="meta">${when(e.time)}</span></h2>
<div class="user-text">${plain(e.command ?? e.text)}</div>
</article>`;
    case 'message.completed':
      if (!e.text && !e.reasoning && e.toolCalls.length === 0 && !e.interrupted) return '';
      return `<article class="msg assistant" id="event-${e.id}">
<h2 class="who">Assistant <span class="meta">${plain(e.model)} · ${when(e.time)}</span></h2>
${e.reasoning ? `<details class="reasoning"><summary>Reasoning</summary><div class="user-text">${plain(e.reasoning)}</div></details>` : ''}
${e.text ? renderMarkdown(e.text) : ''}${e.interrupted ? '<p class="meta">(interrupted)</p>' : ''}
${e.toolCalls.map((call) => toolCallHtml(call, ctx)).join('\n')}
</article>`;
    case 'run.completed':
      if (e.status === 'finished') return '';
      return `<p class="note" role="note">Run ended: ${plain(e.status)}${e.error?.message ? ` — ${plain(e.error.message)}` : ''}</p>`;
    default:
      return '';
  }
}

function headerFacts(session: LoadedSession): [string, string][] {
  const models = new Set<string>();
  const own = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const agents = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  let messages = 0;
  let toolCalls = 0;
  let children = 0;
  for (const e of session.events) {
    if (e.type === 'message.user' && !e.synthetic) messages++;
    if (e.type === 'message.completed') {
      models.add(e.model);
      if (e.text) messages++;
      toolCalls += e.toolCalls.length;
    }
    const add = (sum: ChildUsage, u: ChildUsage) => {
      sum.inputTokens += u.inputTokens;
      sum.outputTokens += u.outputTokens;
      sum.costUsd += u.costUsd;
    };
    if (e.type === 'usage') add(own, e);
    if (e.type === 'agent.completed') {
      children++;
      add(agents, e.usage);
    }
  }
  const facts: [string, string][] = [
    ['Created', when(session.header.createdAt)],
    ['Exported', when(new Date().toISOString())],
    [models.size === 1 ? 'Model' : 'Models', models.size > 0 ? [...models].map(plain).join(', ') : 'none'],
    ['Messages', String(messages)],
    ['Tool calls', String(toolCalls)],
    ['Usage', plain(usageLine(own))],
  ];
  if (children > 0) facts.push([`Agents (${children})`, plain(usageLine(agents))]);
  return facts;
}

const STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #18181b; --muted: #52525b; --line: #e4e4e7; --panel: #f4f4f5;
  --user: #0f766e; --user-fg: #ffffff; --accent: #0f766e; --error: #b91c1c; --mark: #fef3c7; --mark-fg: #78350f; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #18181b; --fg: #f4f4f5; --muted: #a1a1aa; --line: #3f3f46; --panel: #27272a;
    --user: #115e59; --user-fg: #f0fdfa; --accent: #5eead4; --error: #fca5a5; --mark: #451a03; --mark-fg: #fde68a; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.page { max-width: 50rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
header { border-bottom: 1px solid var(--line); padding-bottom: 1rem; margin-bottom: 1.5rem; }
.brand { margin: 0; color: var(--muted); font-size: 0.8rem; letter-spacing: 0.04em; text-transform: uppercase; }
h1 { margin: 0.25rem 0 0.75rem; font-size: 1.5rem; line-height: 1.3; overflow-wrap: anywhere; }
dl { display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; margin: 0; font-size: 0.85rem; }
dl div { display: flex; gap: 0.4rem; min-width: 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
.msg { margin: 0 0 1.5rem; }
.who { margin: 0 0 0.35rem; font-size: 0.8rem; font-weight: 600; }
.meta { color: var(--muted); font-weight: 400; font-size: 0.8rem; }
.user { display: flex; flex-direction: column; align-items: flex-end; }
.user .user-text { max-width: 85%; background: var(--user); color: var(--user-fg); padding: 0.5rem 1rem;
  border-radius: 1rem 1rem 0.25rem 1rem; }
.user-text { white-space: pre-wrap; overflow-wrap: anywhere; }
.md { overflow-wrap: anywhere; }
.md > :first-child { margin-top: 0; }
.md > :last-child { margin-bottom: 0; }
.md pre, pre { background: var(--panel); border: 1px solid var(--line); border-radius: 0.4rem; padding: 0.6rem 0.75rem;
  overflow-x: auto; font-size: 0.8rem; line-height: 1.5; }
.tool pre, details pre { white-space: pre-wrap; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
.md :not(pre) > code { background: var(--panel); padding: 0.1em 0.3em; border-radius: 0.25rem; }
.md table { border-collapse: collapse; display: block; overflow-x: auto; }
.md th, .md td { border: 1px solid var(--line); padding: 0.25rem 0.5rem; }
.md h3, .md h4, .md h5, .md h6 { margin: 1.2em 0 0.5em; line-height: 1.3; }
.md h3 { font-size: 1.25rem; }
.md h4 { font-size: 1.1rem; }
.md h5, .md h6 { font-size: 1rem; }
.md blockquote { margin: 0; padding-left: 0.75rem; border-left: 3px solid var(--line); color: var(--muted); }
a { color: var(--accent); }
img { max-width: 100%; height: auto; border-radius: 0.25rem; }
.tool { border: 1px solid var(--line); border-radius: 0.5rem; padding: 0.5rem 0.75rem; margin: 0.75rem 0; }
.tool-head { margin: 0 0 0.4rem; display: flex; gap: 0.5rem; align-items: center; }
.tool-name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-weight: 600; font-size: 0.85rem; }
.tool pre.input { margin: 0 0 0.4rem; }
.badge { font-size: 0.75rem; border: 1px solid var(--line); border-radius: 999px; padding: 0 0.5rem; color: var(--muted); }
.badge.error, .error { color: var(--error); border-color: currentColor; }
details { margin: 0.25rem 0; }
summary { cursor: pointer; color: var(--muted); font-size: 0.85rem; }
details pre { margin: 0.4rem 0 0; }
.reasoning .user-text { color: var(--muted); border-left: 2px solid var(--line); padding-left: 0.75rem; font-size: 0.9rem; }
.child { border-left: 3px solid var(--accent); padding: 0.25rem 0 0.25rem 0.75rem; margin: 0.5rem 0; }
.child p { margin: 0.2rem 0; }
.note { color: var(--muted); font-size: 0.85rem; font-style: italic; }
.redacted { background: var(--mark); color: var(--mark-fg); border-radius: 0.2rem; padding: 0 0.15rem; }
footer { margin-top: 2rem; padding-top: 1rem; border-top: 1px solid var(--line); color: var(--muted); font-size: 0.8rem; }
a:focus-visible, summary:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; border-radius: 0.2rem; }
`;

/** The session (redacted already: see `redactForExport`) as a page of its own. */
export function exportHtml(session: LoadedSession): string {
  const ctx: Context = { results: new Map(), spawned: new Map(), children: new Map() };
  for (const e of session.events) {
    if (e.type === 'tool.completed') ctx.results.set(e.callId, e);
    if (e.type === 'agent.spawned') ctx.spawned.set(e.callId, e);
    if (e.type === 'agent.completed') ctx.children.set(e.callId, e);
  }
  const title = plain(session.summary.title);
  const facts = headerFacts(session)
    .map(([term, value]) => `<div><dt>${term}</dt><dd>${value}</dd></div>`)
    .join('');
  const body = session.events.map((e) => eventHtml(e, ctx)).filter(Boolean);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="boxagnts">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<div class="page">
<header>
<p class="brand">boxagnts session</p>
<h1>${title}</h1>
<dl>${facts}</dl>
</header>
<main>
${body.length > 0 ? body.join('\n') : '<p class="note">No messages.</p>'}
</main>
<footer>Exported from boxagnts. Keys, tokens and other secrets recognised at export were replaced by ${plain(REDACTED)}.</footer>
</div>
</body>
</html>
`;
}
