import { createHmac, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { mediaKeyFor, originalUrl, thumbnailUrl, useMediaKey } from '../../../app/contract/media';

describe('the media key of serve mode', () => {
  afterEach(() => useMediaKey(''));

  it('is the base64url HMAC of a fixed label under the token, and differs per token', () => {
    const token = randomBytes(24).toString('base64url');
    expect(mediaKeyFor(token)).toBe(
      createHmac('sha256', token).update('latent-explorer media key v1').digest('base64url'),
    );
    expect(mediaKeyFor(token)).not.toBe(mediaKeyFor(`${token}x`));
  });

  it('is appended by the URL helpers once set, and absent otherwise (Electron)', () => {
    expect(thumbnailUrl(5)).toBe('media/thumb/5');
    useMediaKey('k-y_');
    expect(thumbnailUrl(5)).toBe('media/thumb/5?key=k-y_');
    expect(originalUrl(6)).toBe('media/original/6?key=k-y_');
    useMediaKey('');
    expect(originalUrl(6)).toBe('media/original/6');
  });
});
