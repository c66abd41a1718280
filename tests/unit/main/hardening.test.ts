import { describe, expect, it, vi } from 'vitest';
import { denyAllPermissions, hardenWebContents } from '../../../main/hardening';
import { FakeWebContents } from './fakes';

function harden() {
  const contents = new FakeWebContents();
  const openExternal = vi.fn(async (_url: string) => {});
  const logged: string[] = [];
  hardenWebContents(contents, { openExternal, log: (m) => logged.push(m) });
  return { contents, openExternal, logged };
}

describe('hardenWebContents', () => {
  it('prevents every navigation the page starts, including to its own origin', () => {
    const { contents } = harden();
    for (const url of ['https://example.org/', 'app://explorer/other.html', 'file:///etc/passwd']) {
      expect(contents.navigate('will-navigate', url), url).toBe(true);
      expect(contents.navigate('will-frame-navigate', url), url).toBe(true);
      expect(contents.navigate('will-redirect', url), url).toBe(true);
    }
  });

  it('opens clicked http(s) links in the system browser, and nothing else', () => {
    const { contents, openExternal, logged } = harden();
    contents.navigate('will-navigate', 'https://example.org/docs');
    contents.navigate('will-navigate', 'file:///etc/passwd');
    contents.navigate('will-navigate', 'javascript:alert(1)');
    expect(openExternal.mock.calls).toEqual([['https://example.org/docs']]);
    expect(logged).toHaveLength(2);
  });

  it('denies window.open, handing only http(s) URLs to the browser', () => {
    const { contents, openExternal } = harden();
    const handler = contents.windowOpenHandler;
    expect(handler).not.toBeNull();
    expect(handler?.({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(handler?.({ url: 'app://explorer/' })).toEqual({ action: 'deny' });
    expect(handler?.({ url: 'smb://host/share' })).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://example.org/']]);
  });

  it('refuses to attach <webview>s', () => {
    const { contents } = harden();
    const event = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('logs, rather than throws, when the browser cannot be opened', async () => {
    const contents = new FakeWebContents();
    const logged: string[] = [];
    hardenWebContents(contents, {
      openExternal: () => Promise.reject(new Error('no browser')),
      log: (m) => logged.push(m),
    });
    contents.navigate('will-navigate', 'https://example.org/');
    await new Promise((r) => setTimeout(r, 0));
    expect(logged.join()).toContain('no browser');
  });
});

describe('denyAllPermissions', () => {
  it('denies permission requests and checks', () => {
    let request: ((c: unknown, p: string, cb: (granted: boolean) => void) => void) | null = null;
    let check: ((c: unknown, p: string) => boolean) | null = null;
    denyAllPermissions({
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
    });
    for (const permission of [
      'media',
      'notifications',
      'geolocation',
      'clipboard-read',
      'openExternal',
    ]) {
      const callback = vi.fn();
      request!({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(check!({}, permission)).toBe(false);
    }
  });
});
