/** `GET /media/(thumb|original)/<id>`: image bytes looked up by id, never by a path. */
import type { ServerResponse } from 'node:http';
import { ExplorerError, HTTP_STATUS, parseMediaPath, type MediaKind } from '../contract';
import { HttpError, SECURITY_HEADERS, badRequest } from './http-replies';

export interface MediaReader {
  readMedia(kind: MediaKind, imageId: number): Promise<{ data: Uint8Array; mime: string } | null>;
}

export async function serveMedia(
  reader: MediaReader | undefined,
  rawPath: string,
  method: string,
  res: ServerResponse,
): Promise<void> {
  const media = parseMediaPath(rawPath);
  if (media === null || !reader) {
    throw badRequest(
      400,
      'Malformed media path: expected /media/thumb/<id> or /media/original/<id>.',
    );
  }
  let file;
  try {
    file = await reader.readMedia(media.kind, media.imageId);
  } catch (error) {
    if (error instanceof ExplorerError)
      throw new HttpError(HTTP_STATUS[error.code], error.toJSON());
    throw error;
  }
  if (file === null) {
    throw new HttpError(404, {
      code: 'NOT_FOUND',
      message: `No ${media.kind === 'thumb' ? 'thumbnail' : 'image'} with id ${media.imageId}.`,
    });
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': file.mime,
    'content-length': String(file.data.byteLength),
    'cache-control': media.kind === 'thumb' ? 'private, max-age=3600' : 'no-store',
    'content-security-policy': "default-src 'none'",
  });
  res.end(method === 'HEAD' ? undefined : file.data);
}
