/**
 * `GET /api/events`: every contract event as a server-sent event (`event: <name>`, JSON data),
 * with a heartbeat comment so proxies and the page notice a dead connection. The page reads it
 * with fetch() (to send its Authorization header), not EventSource.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Unsubscribe } from '../contract';
import type { AnyListener } from '../service/event-bus';
import { SECURITY_HEADERS } from './http-replies';

const HEARTBEAT_MS = 15_000;

export interface EventStreams {
  open(req: IncomingMessage, res: ServerResponse): void;
  /** Ends every open stream (the server is stopping). */
  endAll(): void;
}

export function createEventStreams(events: {
  onAny(listener: AnyListener): Unsubscribe;
}): EventStreams {
  const clients = new Set<ServerResponse>();
  return {
    open(req, res) {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      clients.add(res);
      const unsubscribe = events.onAny((name, payload) => {
        res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
      });
      const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      req.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        clients.delete(res);
      });
    },
    endAll() {
      for (const client of clients) client.end();
    },
  };
}
