import type { ToolResult } from './result';
import { formatCount, prefixOf } from './text';

/** What the host fetched for web_fetch: the body already decoded to text ('' for content that is not text). */
export interface FetchedPage {
  url: string;
  /** Where redirects ended. */
  finalUrl: string;
  status: number;
  contentType: string;
  body: string;
  /** The host stopped downloading at its size limit. */
  truncated: boolean;
}

export interface FormatOptions {
  /** Characters of content to return; 50,000 by default. */
  max_chars?: number;
  /** HTML → Markdown; the host supplies it (node-html-markdown), the guest has no converter of its own. */
  toMarkdown: (html: string) => string;
}

export const DEFAULT_MAX_CHARS = 50_000;
/** How much of an error page to show: enough for an API's error message, not a whole 404 page. */
const ERROR_BODY_CHARS = 2000;

type Kind = 'html' | 'text' | 'other';

/** The web_fetch result: a header line with the final URL and status, then the page as Markdown or text. */
export function formatFetched(page: FetchedPage, options: FormatOptions): ToolResult {
  const mimeType = page.contentType.split(';')[0]!.trim().toLowerCase();
  const kind = kindOf(mimeType, page.body);
  const redirect = page.finalUrl !== page.url ? `; redirected from ${page.url}` : '';
  const header = `Fetched ${page.finalUrl} (HTTP ${page.status}${mimeType ? `, ${mimeType}` : ''}${redirect})`;
  const ok = page.status >= 200 && page.status < 300;
  const result = (text: string, chars: number, truncated: boolean): ToolResult => ({
    content: `${header}\n\n${text}`,
    ...(ok ? {} : { isError: true }),
    metadata: { url: page.url, finalUrl: page.finalUrl, status: page.status, contentType: mimeType, chars, truncated },
  });

  let content = '';
  if (kind !== 'other') {
    try {
      content = (kind === 'html' ? options.toMarkdown(page.body) : page.body).trim();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ...result(`The HTML could not be converted to Markdown: ${reason}`, 0, false), isError: true };
    }
  }

  if (!ok) {
    const excerpt = content === '' ? '' : `\n\n${prefixOf(content, ERROR_BODY_CHARS)}`;
    return result(`The server answered HTTP ${page.status}.${excerpt}`, 0, false);
  }
  if (kind === 'other') return result(`This is ${mimeType} content, which web_fetch does not show.`, 0, false);

  const max =
    typeof options.max_chars === 'number' && Number.isFinite(options.max_chars) && options.max_chars >= 1
      ? Math.floor(options.max_chars)
      : DEFAULT_MAX_CHARS;
  const shown = prefixOf(content, max);
  const notes: string[] = [];
  if (shown.length < content.length) {
    notes.push(
      `… [content cut at ${formatCount(shown.length)} of ${formatCount(content.length)} characters; fetch again with a larger max_chars to see more]`,
    );
  }
  if (page.truncated) notes.push('… [the page was larger than the download limit; only its beginning was fetched]');
  return result(
    [shown === '' ? '(empty response)' : shown, ...notes].join('\n'),
    shown.length,
    shown.length < content.length || page.truncated,
  );
}

/** HTML, other text (passed through) or anything else; an unlabelled body is sniffed. */
function kindOf(mimeType: string, body: string): Kind {
  if (mimeType === 'text/html' || mimeType === 'application/xhtml+xml') return 'html';
  if (mimeType === '') return /^\s*(<!doctype html|<html)/i.test(body) ? 'html' : 'text';
  if (
    mimeType.startsWith('text/') ||
    /^application\/(json|xml|javascript|ecmascript|x-ndjson|ld\+json|yaml|x-yaml|toml|sql|graphql)$/.test(mimeType)
  )
    return 'text';
  if (mimeType.endsWith('+json') || mimeType.endsWith('+xml')) return 'text';
  return 'other';
}
