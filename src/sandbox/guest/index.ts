/**
 * The guest side of the sandboxed file tools, bundled into one IIFE (`__guest`) and run in QuickJS. Each tool is a
 * pure function of the GuestFs the host provides and the (already validated) input.
 */
import { edit, previewEdit } from './edit';
import { glob } from './glob';
import { grep } from './grep';
import type { GuestFs } from './guest-fs';
import { read } from './read';
import type { GuestPreview, ToolResult } from './result';
import { previewWrite, write } from './write';

/** Inputs are `any`: they arrive as JSON from the host, which has checked them against each tool's schema. */
export const GUEST_TOOLS: Record<string, (fs: GuestFs, input: any) => ToolResult> = { read, write, edit, glob, grep };

/** What a write or edit would change, for the approval card; see GuestPreview for calls bound to fail. */
export const GUEST_PREVIEWS: Record<string, (fs: GuestFs, input: any) => GuestPreview> = {
  write: previewWrite,
  edit: previewEdit,
};

export { GuestFsError } from './guest-fs';
export type { GuestDirent, GuestFs, GuestMatch, GuestReadResult, GuestStat, WalkedTree } from './guest-fs';
export type { ContentBlock, DiffPreview, GuestPreview, PreviewError, ToolResult } from './result';
export { formatFetched } from './web';
export type { FetchedPage, FormatOptions } from './web';
export type { EditInput } from './edit';
export type { GlobInput } from './glob';
export type { GrepInput } from './grep';
export type { ReadInput } from './read';
export type { WriteInput } from './write';
