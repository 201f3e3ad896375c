import { NodeHtmlMarkdown } from 'node-html-markdown';

/** The HTML → Markdown converter, kept in its own bundle because it is large and only web_fetch needs it. */
const converter = new NodeHtmlMarkdown({ keepDataImages: false, maxConsecutiveNewlines: 2 });
(globalThis as Record<string, unknown>).__toMarkdown = (html: string) => converter.translate(html);
