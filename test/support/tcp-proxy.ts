// A TCP proxy the tests put between the service and its database, to cut the link at will.
import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';

/**
 * How the link fails:
 * - `refuse`: live connections are reset, new ones closed at once (the database is down);
 * - `hold`: live connections are reset, new ones accepted and never answered (a firewall drops
 *   packets), so only the client's own timeouts end them;
 * - `freeze`: live connections stay open but nothing passes either way (a network partition); on
 *   restore() what was sent meanwhile is delivered, as when a partition heals. New ones are held.
 */
export type CutMode = 'refuse' | 'hold' | 'freeze';

interface Link {
  client: Socket;
  upstream: Socket;
  /** Bytes that arrived while frozen, per direction, delivered on restore. */
  toServer: Buffer[];
  toClient: Buffer[];
  /** Client bytes not yet split into MySQL packets (see `commands`). */
  pending: Buffer;
  /** Settles when the client's side of the link has closed. */
  closed: Promise<void>;
}

/** What a trigger saw: the link whose bytes fired it. */
export interface Triggered {
  /** Settles when the client (the service) has closed that link. */
  linkClosed: Promise<void>;
}

/** MySQL commands that the server does not answer: not a round trip. */
const UNANSWERED_COMMANDS = new Set([0x01 /* COM_QUIT */, 0x19 /* COM_STMT_CLOSE */]);

export class TcpProxy {
  private readonly server: net.Server;
  private readonly links = new Set<Link>();
  private readonly held = new Set<Socket>();
  private mode: CutMode | undefined;
  private trigger: { pattern: Buffer; mode: CutMode; fired: (triggered: Triggered) => void } | undefined;
  /**
   * The MySQL commands clients sent through the proxy that the server answers, in order, each as its
   * command byte (0x03 COM_QUERY, 0x16 COM_STMT_PREPARE, 0x17 COM_STMT_EXECUTE, ...): one entry per
   * round trip. A command is a client packet with sequence number 0. Clear it to start counting.
   */
  readonly commands: number[] = [];
  /** Beside each entry of `commands`: its SQL, or its head and tail when long (COM_QUERY, COM_STMT_PREPARE), '' for others. Clear both together. */
  readonly statements: string[] = [];

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    proxy.server.listen(0, '127.0.0.1');
    await once(proxy.server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Open connections that are forwarded (or frozen), not counting held ones. */
  get openLinks(): number {
    return this.links.size;
  }

  cut(mode: CutMode = 'refuse'): void {
    this.mode = mode;
    this.trigger = undefined;
    if (mode !== 'freeze') {
      for (const link of this.links) this.drop(link);
    }
  }

  /**
   * Cuts the moment a client sends bytes containing `text`, before they reach the database (with
   * `freeze`, they reach it on restore): e.g. `COMMIT`, to fail between a transaction's writes and
   * its commit.
   */
  cutWhenClientSends(text: string, mode: CutMode = 'refuse'): Promise<Triggered> {
    return new Promise((resolve) => {
      this.trigger = { pattern: Buffer.from(text), mode, fired: resolve };
    });
  }

  /** Forwards again: frozen links deliver what they kept; held connections are closed. */
  restore(): void {
    this.mode = undefined;
    for (const socket of this.held) socket.destroy();
    for (const link of this.links) {
      for (const chunk of link.toServer.splice(0)) link.upstream.write(chunk);
      for (const chunk of link.toClient.splice(0)) link.client.write(chunk);
    }
  }

  async close(): Promise<void> {
    for (const link of this.links) this.drop(link);
    for (const socket of this.held) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Splits the client's bytes into MySQL packets (3 bytes of length, 1 of sequence, the payload). */
  private countCommands(link: Link, chunk: Buffer): void {
    let buffer = link.pending.length > 0 ? Buffer.concat([link.pending, chunk]) : chunk;
    while (buffer.length >= 4) {
      const length = buffer.readUIntLE(0, 3);
      if (buffer.length < 4 + length) break;
      const command = length > 0 ? buffer[4] : -1;
      if (buffer[3] === 0 && !UNANSWERED_COMMANDS.has(command)) {
        this.commands.push(command);
        const end = 4 + length;
        const sql = command !== 0x03 && command !== 0x16 ? '' : end - 5 <= 96 ? buffer.toString('utf8', 5, end) : `${buffer.toString('utf8', 5, 5 + 64)} … ${buffer.toString('utf8', end - 24, end)}`;
        this.statements.push(sql.replace(/\s+/g, ' ').trim());
      }
      buffer = buffer.subarray(4 + length);
    }
    link.pending = Buffer.from(buffer);
  }

  private drop(link: Link): void {
    link.client.destroy();
    link.upstream.destroy();
    this.links.delete(link);
  }

  private accept(client: Socket): void {
    client.on('error', () => client.destroy());
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    if (this.mode !== undefined) {
      this.held.add(client);
      client.on('close', () => this.held.delete(client));
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    upstream.on('error', () => upstream.destroy());
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const link: Link = { client, upstream, toServer: [], toClient: [], pending: Buffer.alloc(0), closed };
    this.links.add(link);
    client.on('data', (chunk: Buffer) => {
      const trigger = this.trigger;
      if (trigger && chunk.includes(trigger.pattern)) {
        this.cut(trigger.mode);
        trigger.fired({ linkClosed: link.closed });
        if (trigger.mode !== 'freeze') return;
      }
      this.countCommands(link, chunk);
      if (this.mode === 'freeze') link.toServer.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.mode === 'freeze') link.toClient.push(chunk);
      else client.write(chunk);
    });
    client.on('close', () => this.drop(link));
    upstream.on('close', () => this.drop(link));
  }
}
