import pg from 'pg';
import type { Logger } from '../log';

/** How long to wait before connecting again after the connection was lost. */
const RECONNECT_MS = 1000;

/**
 * One LISTEN connection to the team database for a set of channels. A lost connection is made again after a while,
 * and `onReconnect` is told, so that what was announced meanwhile (and missed) can be read from the tables.
 */
export class TeamListener {
  private client: pg.Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  private constructor(
    private readonly url: string,
    private readonly channels: Record<string, (payload: string) => void>,
    private readonly onReconnect: () => void,
    private readonly logger: Logger,
  ) {}

  static async start(options: {
    url: string;
    channels: Record<string, (payload: string) => void>;
    onReconnect: () => void;
    logger: Logger;
  }): Promise<TeamListener> {
    const listener = new TeamListener(options.url, options.channels, options.onReconnect, options.logger);
    await listener.connect();
    return listener;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.client?.end();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (message) => {
      if (message.payload) this.channels[message.channel]?.(message.payload);
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'the team database connection for announcements was lost; connecting again');
      this.reconnect(client);
    });
    // A connection the server ended without an error (a clean shutdown of the database) is made again too.
    client.on('end', () => this.reconnect(client));
    await client.connect();
    for (const channel of Object.keys(this.channels)) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    this.client = client;
  }

  /** Connects again after a while (`lost`: the connection that failed; none when the last attempt failed). */
  private reconnect(lost: pg.Client | null): void {
    if (this.closed || this.retry || (lost && this.client !== lost)) return;
    this.client = null;
    // Ending a connection that already failed can only fail too; the new one is what matters.
    lost?.end().catch(() => undefined);
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect().then(
        () => this.onReconnect(),
        (error: unknown) => {
          this.logger.warn({ err: error }, 'the team database could not be reached for announcements; trying again');
          this.reconnect(null);
        },
      );
    }, RECONNECT_MS);
  }
}
