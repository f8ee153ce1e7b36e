// A loopback TCP balancer in front of each shop service, the part a Kubernetes Service plays:
// callers keep one address while replicas come and go. New connections go round-robin to
// the current backends; a deploy swaps the list, and connections already open stay on the
// old process until it closes them.
import net from 'node:net';

export class ServiceProxy {
  private backends: number[] = [];
  private next = 0;
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

  private accept(client: net.Socket): void {
    if (this.backends.length === 0) {
      client.destroy();
      return;
    }
    const port = this.backends[this.next++ % this.backends.length]!;
    const upstream = net.connect(port, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
