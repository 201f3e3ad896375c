/** The most a server's log keeps: older lines go first. */
export const MCP_LOG_BYTES = 1024 * 1024;

/** A server's stderr and our notes about it, keeping only the last MCP_LOG_BYTES. */
export class LogBuffer {
  private chunks: string[] = [];
  private bytes = 0;

  constructor(private readonly limit = MCP_LOG_BYTES) {}

  append(text: string): void {
    if (!text) return;
    this.chunks.push(text);
    this.bytes += Buffer.byteLength(text);
    while (this.bytes > this.limit && this.chunks.length > 1) this.bytes -= Buffer.byteLength(this.chunks.shift()!);
    if (this.bytes > this.limit) {
      // One chunk larger than the whole log: keep its end.
      const only = this.chunks[0]!;
      this.chunks = [Buffer.from(only).subarray(-this.limit).toString('utf8')];
      this.bytes = Buffer.byteLength(this.chunks[0]!);
    }
  }

  /** A line of ours, marked so it reads apart from the server's own output. */
  note(text: string): void {
    this.append(`[boxagnts ${new Date().toISOString()}] ${text}\n`);
  }

  text(): string {
    return this.chunks.join('');
  }

  /** The last non-empty line, to say why a server stopped. */
  lastLine(): string | undefined {
    const lines = this.text()
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('[boxagnts '));
    return lines.at(-1);
  }
}
