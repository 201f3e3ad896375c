import { memo, useMemo } from 'react';
import { onCodeCopyClick, renderMarkdown } from './markdown';

/** Sanitised Markdown; re-rendered only when its text changes. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  // The HTML comes from renderMarkdown, which passes everything through DOMPurify.
  return <div className="markdown" onClick={onCodeCopyClick} dangerouslySetInnerHTML={{ __html: html }} />;
});
