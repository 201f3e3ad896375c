import type { ContentBlock, ToolResult } from '../tools/tool';

/** A content item of an MCP tool result, as far as we read it. */
interface McpContent {
  type: string;
  text?: unknown;
  data?: unknown;
  mimeType?: unknown;
  uri?: unknown;
  name?: unknown;
  resource?: { uri?: unknown; text?: unknown; blob?: unknown; mimeType?: unknown };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function block(item: McpContent): ContentBlock {
  switch (item.type) {
    case 'text':
      return { type: 'text', text: str(item.text) ?? '' };
    case 'image': {
      const data = str(item.data);
      const mediaType = str(item.mimeType);
      return data && mediaType ? { type: 'image', data, mediaType } : { type: 'text', text: '[an image without data]' };
    }
    case 'resource': {
      const uri = str(item.resource?.uri) ?? 'a resource';
      const text = str(item.resource?.text);
      return {
        type: 'text',
        text:
          text !== undefined
            ? `Resource ${uri}:\n${text}`
            : `[binary resource ${uri}, ${str(item.resource?.mimeType) ?? 'unknown type'}]`,
      };
    }
    case 'resource_link':
      return {
        type: 'text',
        text: `[resource link: ${str(item.name) ?? ''} ${str(item.uri) ?? ''}]`.replace('  ', ' '),
      };
    default:
      return { type: 'text', text: `[${item.type} content, not shown]` };
  }
}

/**
 * An MCP tool result as ours: text and images as blocks (text alone as a string), embedded resources as their text,
 * structured content as JSON when there is nothing else, and the server's `isError` as a tool error.
 */
export function toToolResult(result: {
  content?: unknown;
  structuredContent?: unknown;
  isError?: unknown;
}): ToolResult {
  const items = Array.isArray(result.content)
    ? result.content.filter((item): item is McpContent => typeof item === 'object' && item !== null && 'type' in item)
    : [];
  const blocks = items.map(block);
  if (blocks.length === 0 && result.structuredContent !== undefined)
    blocks.push({ type: 'text', text: JSON.stringify(result.structuredContent, null, 2) });
  const isError = result.isError === true;
  const text = blocks.every((b) => b.type === 'text');
  const content = text ? blocks.map((b) => (b.type === 'text' ? b.text : '')).join('\n') : blocks;
  return { content: content === '' ? '(no output)' : content, ...(isError ? { isError: true } : {}) };
}
