/** The `code` of a Node system error (`ENOENT`, `EEXIST`…); undefined for anything else that was thrown. */
export function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
