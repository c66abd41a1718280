/**
 * Serve mode against abusive clients: slow sockets, too many sockets, huge or deeply nested JSON.
 * Limits are shrunk through `limits` so the tests run in a second; the behaviour is the same.
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyListener } from '../../../app/service/event-bus';
import type { ExplorerService } from '../../../app/service/explorer-service';
import { jsonNestsDeeperThan } from '../../../app/server/json-body';
import { startServer, type RunningServer } from '../../../app/server/server';
import { makeService, makeTestEnv, type TestEnv } from './fakes';

let env: TestEnv;
let service: ExplorerService;
/** Short timeouts. */
let slow: RunningServer;
/** Two connections at most. */
let capped: RunningServer;
const sseListeners = new Set<AnyListener>();

beforeAll(async () => {
  env = await makeTestEnv();
  service = makeService(env.dataDir);
  slow = await startServer({
    api: service,
    events: {
      onAny: (listener) => {
        sseListeners.add(listener);
        return () => sseListeners.delete(listener);
      },
    },
    port: 0,
    staticDir: null,
    limits: { headersTimeoutMs: 300, requestTimeoutMs: 600 },
  });
  capped = await startServer({
    api: service,
    events: service.events,
    port: 0,
    staticDir: null,
    limits: { maxConnections: 2 },
  });
});
afterAll(async () => {
  await slow.close();
  await capped.close();
  await service.dispose();
  await env.cleanup();
});

interface RawSocket {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves when the server closes the socket; rejects after `ms`. */
  closed(ms: number): Promise<void>;
}

async function open(server: RunningServer): Promise<RawSocket> {
  const socket = connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let data = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (data += chunk));
  socket.on('error', () => {}); // A reset counts as closed.
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    received: () => data,
    closed: (ms) =>
      Promise.race([
        closed,
        new Promise<void>((_, reject) =>
          setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms).unref(),
        ),
      ]),
  };
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function dribble(raw: RawSocket, text: string, everyMs: number): () => void {
  let i = 0;
  const timer = setInterval(() => {
    if (raw.socket.destroyed || i >= text.length) return;
    raw.socket.write(text[i++]!);
  }, everyMs);
  return () => clearInterval(timer);
}

function post(
  server: RunningServer,
  body: string,
  type = 'application/json',
): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path: '/api/addFolder',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': type },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const parsed = JSON.parse(text) as { error?: { message?: string } };
          resolve({ status: res.statusCode ?? 0, message: parsed.error?.message ?? '' });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('slow clients', () => {
  it('closes a socket that dribbles its headers (slow loris)', async () => {
    const raw = await open(slow);
    const stop = dribble(
      raw,
      'GET /api/getStatus HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ' + 'a'.repeat(200),
      50,
    );
    await raw.closed(5000).finally(stop);
  });

  it('closes an unauthenticated socket that dribbles its body', async () => {
    const raw = await open(slow);
    raw.socket.write(
      'POST /api/addFolder HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n',
    );
    const stop = dribble(raw, '{"folder":"' + 'a'.repeat(1000), 50);
    await raw.closed(5000).finally(stop);
  });

  it('keeps an event stream open well past the request timeout', async () => {
    const raw = await open(slow);
    raw.socket.write(
      `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${slow.token}\r\n\r\n`,
    );
    await new Promise((resolve) => setTimeout(resolve, 2000)); // > 3x requestTimeout
    expect(raw.socket.destroyed).toBe(false);
    // The stream relays whatever the bus emits; a partial payload keeps the test short.
    for (const listener of sseListeners) listener('job:started', { id: 'probe' } as never);
    const deadline = Date.now() + 2000;
    while (!raw.received().includes('event: job:started') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(raw.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(raw.received()).toContain('event: job:started\ndata: {"id":"probe"}');
    raw.socket.destroy();
  });
});

describe('too many connections', () => {
  it('drops connections beyond the cap and accepts again once one closes', async () => {
    const first = await open(capped);
    const second = await open(capped);
    const third = await open(capped);
    third.socket.write('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await third.closed(2000);
    expect(third.received()).toBe('');
    // The first two still work.
    first.socket.write(
      `POST /api/getStatus HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${capped.token}\r\nContent-Length: 0\r\n\r\n`,
    );
    const deadline = Date.now() + 2000;
    while (!first.received().includes('"ok":true') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(first.received()).toMatch(/^HTTP\/1\.1 200/);
    second.socket.destroy();
    first.socket.destroy();
    await Promise.all([first.closed(1000), second.closed(1000)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const again = await open(capped);
    again.socket.write('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    while (!again.received().includes('401') && Date.now() < deadline + 2000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(again.received()).toMatch(/^HTTP\/1\.1 401/);
    again.socket.destroy();
  });
});

describe('hostile JSON', () => {
  it('refuses deep nesting before parsing it', async () => {
    const depth = 1_000_000; // 2 MB, under the size cap
    const reply = await post(slow, '['.repeat(depth) + ']'.repeat(depth));
    expect(reply).toMatchObject({ status: 400 });
    expect(reply.message).toMatch(/nests deeper than 64 levels/);
    const objects = await post(slow, '{"a":'.repeat(65) + '1' + '}'.repeat(65));
    expect(objects.message).toMatch(/nests deeper than 64 levels/);
  });

  it('refuses the 8 MB, 4-million-deep array for its size', async () => {
    const depth = 4 * 1024 * 1024;
    const reply = await post(slow, '['.repeat(depth) + ']'.repeat(depth)).catch(
      (error: NodeJS.ErrnoException) => {
        // The server may close before the client has finished sending.
        expect(['EPIPE', 'ECONNRESET']).toContain(error.code);
        return { status: 413, message: 'larger than' };
      },
    );
    expect(reply.status).toBe(413);
    expect(reply.message).toMatch(/larger than/);
  });

  it('lets ordinary nesting and brackets inside strings through', async () => {
    const inString = await post(slow, JSON.stringify({ folder: '['.repeat(500) + '"\\' }));
    expect(inString.message).not.toMatch(/nests deeper/);
    expect(jsonNestsDeeperThan(Buffer.from('[[[]]]'), 3)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from('[[[[]]]]'), 3)).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from('["\\"[[[[", [[]]]'), 3)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from('[{"é[[[": {"a": [1]}}]'), 4)).toBe(false);
  });
});
