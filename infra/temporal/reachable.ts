/**
 * Whether a Temporal server can answer at all, without loading the Temporal client: a refused TCP
 * connection answers at once, where the gRPC client retries until its connect timeout. The CLI asks
 * this first and loads the client (≈ 1 s of start-up) only when something listens.
 */
import net from 'node:net';

import type { AppConfig } from '../config.js';

/** The address the CLI connects to: the configured server, else the local dev server. */
export function temporalAddress(config: AppConfig): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.devServerPort}`;
}

/** Whether something accepts TCP connections at `host:port` (IPv6 as `[::1]:7233`) within `timeoutMs`. */
export function tcpReachable(address: string, timeoutMs: number): Promise<boolean> {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address.trim());
  // An address this cannot read (a URL, no port): let the client decide.
  if (!m) return Promise.resolve(true);
  return new Promise((resolve) => {
    const socket = net.connect({ host: m[1] ?? m[2]!, port: Number(m[3]) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
