import { bridgeFs, hostCall } from './host-bridge';
import { GUEST_PREVIEWS, GUEST_TOOLS, formatFetched } from './index';
import { errorResult } from './result';

/** Set by the HTML bundle (html-entry.ts), which the engine loads the first time web_fetch runs. */
declare const __toMarkdown: (html: string) => string;

const FETCH_MAX_BYTES = 5 * 1024 * 1024;

function webFetch(input: { url: string; max_chars?: number }) {
  const reply = hostCall('fetch', { url: input.url, maxBytes: FETCH_MAX_BYTES });
  if (!reply.ok)
    return errorResult(`web_fetch refused ${input.url}: ${reply.reason} (rule: ${reply.rule}).`, {
      url: input.url,
      rule: reply.rule,
    });
  return formatFetched(
    {
      url: input.url,
      finalUrl: reply.finalUrl,
      status: reply.status,
      contentType: reply.headers['content-type'] ?? '',
      body: reply.bodyEncoding === 'utf8' ? reply.body : '',
      truncated: reply.truncated,
    },
    {
      ...(input.max_chars !== undefined ? { max_chars: input.max_chars } : {}),
      toMarkdown: (html) => __toMarkdown(html),
    },
  );
}

/** Set by the shell bundle (bash-entry.ts), which the engine loads the first time bash runs. */
declare const __bash: (inputJson: string) => Promise<string>;

const TOOLS: Record<string, (input: any) => unknown> = {
  ...Object.fromEntries(
    Object.entries(GUEST_TOOLS).map(([name, tool]) => [name, (input: unknown) => tool(bridgeFs, input)]),
  ),
  web_fetch: webFetch,
};

/** The engine calls these with JSON in and JSON out. */
const globals = globalThis as Record<string, unknown>;
globals.__run = (name: string, inputJson: string) => {
  if (name === 'bash') return __bash(inputJson);
  const tool = TOOLS[name];
  return JSON.stringify(tool ? tool(JSON.parse(inputJson)) : errorResult(`the sandbox has no tool "${name}"`));
};
globals.__preview = (name: string, inputJson: string) => {
  const preview = GUEST_PREVIEWS[name];
  return JSON.stringify(
    preview ? preview(bridgeFs, JSON.parse(inputJson)) : { kind: 'error', message: `no preview for "${name}"` },
  );
};
