/**
 * Reads a POST's JSON body within the limits: a size cap (checked against Content-Length first),
 * an exact content type, and a nesting cap checked by a linear scan before JSON.parse, which
 * would otherwise spend seconds on a few megabytes of `[[[[...`.
 */
import type { IncomingMessage } from 'node:http';
import { badRequest } from './http-replies';
import type { ServerLimits } from './limits';

/** `application/json`, optionally with `; charset=utf-8`, and nothing else. */
const JSON_CONTENT_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset=(?:"utf-8"|utf-8)[ \t]*)?$/i;

export function isJsonContentType(header: string | undefined): boolean {
  return header !== undefined && JSON_CONTENT_TYPE.test(header);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]);
const CLOSERS = new Set([0x5d, 0x7d]);

/**
 * True when `[`/`{` nest deeper than `max` anywhere outside strings. Brackets, quotes and
 * backslashes are ASCII, and no byte of a multi-byte UTF-8 character can be mistaken for one.
 */
export function jsonNestsDeeperThan(body: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (OPENERS.has(byte)) {
      if (++depth > max) return true;
    } else if (CLOSERS.has(byte)) {
      depth--;
    }
  }
  return false;
}

function tooLarge(limits: ServerLimits) {
  return badRequest(413, `Request body is larger than ${limits.maxBodyBytes} bytes.`, true);
}

function readBody(req: IncomingMessage, limits: ServerLimits): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBodyBytes) return Promise.reject(tooLarge(limits));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return; // Drained and dropped: the reply closes the connection.
      size += chunk.length;
      if (size > limits.maxBodyBytes) {
        refused = true;
        chunks.length = 0;
        reject(tooLarge(limits));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The parsed body, or undefined for an empty one; throws HttpError (400/413/415) otherwise. */
export async function readJsonBody(req: IncomingMessage, limits: ServerLimits): Promise<unknown> {
  const type = req.headers['content-type'];
  const body = await readBody(req, limits);
  if (body.length === 0 && type === undefined) return undefined;
  if (!isJsonContentType(type)) {
    throw badRequest(415, 'Send the request body as application/json (charset utf-8).');
  }
  if (body.length === 0) return undefined;
  if (jsonNestsDeeperThan(body, limits.maxJsonDepth)) {
    throw badRequest(400, `The request body nests deeper than ${limits.maxJsonDepth} levels.`);
  }
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw badRequest(400, `The request body is not valid JSON: ${reason}`);
  }
}
