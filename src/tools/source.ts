import type { Tool } from './tool';

/**
 * Where a run's tools come from: the built-in ones, the sandboxed ones, the WebAssembly extensions, and later MCP
 * servers, skills and agents. A run's tool set is the union of its sources, filtered by its RunSpec.
 */
export interface ToolSource {
  /** The tools it offers now. */
  tools(): Tool[];
  /** Calls `listener` when its tools change (an extension appeared, a server reconnected); returns how to stop. */
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

/** A source whose tools never change. */
export function fixedSource(tools: readonly Tool[]): ToolSource {
  return {
    tools: () => [...tools],
    onChange: () => () => undefined,
    close: async () => undefined,
  };
}
