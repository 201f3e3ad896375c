import type { ToolResult } from '../../contract/events';
import type { ApprovalPreview } from '../../contract/interactions';

/** What the guest tools hand back to the host: the host's own result and approval preview (type-only: nothing of it is bundled). */
export type { ContentBlock, ToolResult } from '../../contract/events';

/** The change a write or edit would make, for the approval card. */
export type DiffPreview = ApprovalPreview;

/**
 * A call that is bound to fail, found while previewing it. `message` is exactly the error the tool would return,
 * so the host can skip asking for approval and report it (or show it on the card).
 */
export interface PreviewError {
  kind: 'error';
  message: string;
}

export type GuestPreview = DiffPreview | PreviewError;

export function errorResult(message: string, metadata?: Record<string, unknown>): ToolResult {
  return { content: message, isError: true, ...(metadata ? { metadata } : {}) };
}

/** A failure meant for the model: thrown anywhere inside a tool, it becomes the tool's error result. */
export class ToolFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolFailure';
  }
}

export function fail(message: string): never {
  throw new ToolFailure(message);
}

/** Runs a tool body; a ToolFailure becomes an error result, anything else is a bug and propagates. */
export function runTool(work: () => ToolResult): ToolResult {
  try {
    return work();
  } catch (error) {
    if (error instanceof ToolFailure) return errorResult(error.message);
    throw error;
  }
}

/** Runs a preview body; a ToolFailure becomes a PreviewError, anything else is a bug and propagates. */
export function runPreview(work: () => DiffPreview): GuestPreview {
  try {
    return work();
  } catch (error) {
    if (error instanceof ToolFailure) return { kind: 'error', message: error.message };
    throw error;
  }
}

/** The tool's input, checked for a string: the host validates inputs, this only keeps odd values readable. */
export function stringInput(value: unknown, field: string, { allowEmpty = false } = {}): string {
  if (typeof value !== 'string') fail(`${field} must be a string.`);
  if (!allowEmpty && value.trim() === '') fail(`${field} is empty.`);
  return value;
}

/** A whole-number input: fractions are rounded down, values missing or below `min` mean `fallback`, `max` caps. */
export function countInput(value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.floor(value) < min) return fallback;
  return Math.min(max, Math.floor(value));
}
