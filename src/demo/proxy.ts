// A loopback TCP balancer in front of each shop service, the part a Kubernetes Service plays:
// callers keep one address while replicas come and go. New connections go round-robin to
// the current backends; a deploy swaps the list, and connections already open stay on the
// old process until it closes them. It also injects network faults: with a delay set, every
// chunk of every connection it carries, open or new, arrives that much later in each
// direction (what `tc netem delay` does to a pod's interface). For the failure faults it can
// also hold every answer back (`setResponseDelay`: a slow service, as its callers see it) or
// refuse every connection and cut the open ones (`setDown`: a service that is down).
import net from 'node:net';

/**
 * Forwards one direction of a connection, each chunk `delayMs()` after it arrived; chunks
 * keep their order when the delay changes while some are in flight.
 */
class DelayedPipe {
  private readonly queue: { due: number; chunk: Buffer | null }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastDue = 0;

  constructor(
    private readonly to: net.Socket,
    private readonly delayMs: () => number,
  ) {}

  /** A chunk, or null for the end of the stream. */
  push(chunk: Buffer | null): void {
    const now = Date.now();
    const due = Math.max(now + this.delayMs(), this.lastDue);
    this.lastDue = due;
    if (due <= now && this.queue.length === 0) {
      this.write(chunk);
      return;
    }
    this.queue.push({ due, chunk });
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.queue[0]!.due - Date.now()));
  }

  private flush(): void {
    this.timer = null;
    const now = Date.now();
    while (this.queue.length && this.queue[0]!.due <= now) this.write(this.queue.shift()!.chunk);
    this.schedule();
  }

  private write(chunk: Buffer | null): void {
    if (this.to.destroyed) return;
    if (chunk === null) this.to.end();
    else this.to.write(chunk);
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }
}

export class ServiceProxy {
  private backends: number[] = [];
  private next = 0;
  private delay = 0;
  private responseDelay = 0;
  private down = false;
  private readonly sockets = new Set<net.Socket>();
  private constructor(
    readonly name: string,
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async listen(name: string, port = 0): Promise<ServiceProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const proxy = new ServiceProxy(name, server, (server.address() as net.AddressInfo).port);
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Replaces the backend ports; used by the next connection. */
  setBackends(ports: number[]): void {
    this.backends = [...ports];
    this.next = 0;
  }

  /** Delays every chunk this many milliseconds in each direction, on open connections too (0: none). */
  setDelay(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`delay must be a finite number ≥ 0 (got ${ms})`);
    this.delay = ms;
  }

  get delayMs(): number {
    return this.delay;
  }

  /** Holds every chunk from the service back this long more, on open connections too (0: none). */
  setResponseDelay(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`delay must be a finite number ≥ 0 (got ${ms})`);
    this.responseDelay = ms;
  }

  /** Down: new connections are reset at once and open ones are cut; up again: as before. */
  setDown(down: boolean): void {
    this.down = down;
    if (down) for (const s of this.sockets) s.destroy();
  }

  private accept(client: net.Socket): void {
    if (this.down) {
      client.resetAndDestroy();
      return;
    }
    if (this.backends.length === 0) {
      client.destroy();
      return;
    }
    const port = this.backends[this.next++ % this.backends.length]!;
    const upstream = net.connect(port, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const toUpstream = new DelayedPipe(upstream, () => this.delay);
    const toClient = new DelayedPipe(client, () => this.delay + this.responseDelay);
    const close = () => {
      toUpstream.cancel();
      toClient.cancel();
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.on('data', (c: Buffer) => toUpstream.push(c)).on('end', () => toUpstream.push(null));
    upstream.on('data', (c: Buffer) => toClient.push(c)).on('end', () => toClient.push(null));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
