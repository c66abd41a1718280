import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  PRIVILEGED_SCHEMES,
  isAppUrl,
  isSafeExternalUrl,
  secureWebPreferences,
} from '../../../main/security';

describe('secureWebPreferences', () => {
  const prefs = secureWebPreferences({
    preloadPath: '/app/build/main/preload.cjs',
    devTools: false,
  });

  it('isolates the page from Node and sandboxes the renderer', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and the dangerous switches off', () => {
    expect(prefs.webSecurity).not.toBe(false);
    expect(prefs.allowRunningInsecureContent).not.toBe(true);
    expect(prefs.webviewTag).not.toBe(true);
    expect(prefs.experimentalFeatures).not.toBe(true);
  });

  it('uses the preload it is given and is frozen', () => {
    expect(prefs.preload).toBe('/app/build/main/preload.cjs');
    expect(Object.isFrozen(prefs)).toBe(true);
  });

  it('enables DevTools only on request (development builds)', () => {
    expect(prefs.devTools).toBe(false);
    expect(secureWebPreferences({ preloadPath: 'p', devTools: true }).devTools).toBe(true);
  });
});

describe('CONTENT_SECURITY_POLICY', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );

  it('starts from nothing and allows only the app itself', () => {
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('img-src')).toBe("'self' data: blob:");
    expect(directives.get('connect-src')).toBe("'self'");
    expect(directives.get('font-src')).toBe("'self'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
  });

  it('never allows inline or eval', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*/);
  });
});

describe('app:// scheme', () => {
  it('is registered as standard, secure and fetchable, without CSP bypass or CORS', () => {
    expect(PRIVILEGED_SCHEMES).toHaveLength(1);
    const [scheme] = PRIVILEGED_SCHEMES;
    expect(scheme?.scheme).toBe('app');
    expect(scheme?.privileges).toMatchObject({
      standard: true,
      secure: true,
      supportFetchAPI: true,
    });
    expect(scheme?.privileges?.bypassCSP).not.toBe(true);
    expect(scheme?.privileges?.corsEnabled).not.toBe(true);
  });

  it('recognises only app://explorer URLs as the app', () => {
    expect(APP_ORIGIN).toBe('app://explorer');
    expect(isAppUrl(APP_ENTRY_URL)).toBe(true);
    expect(isAppUrl('app://explorer/assets/index.js?x=1#y')).toBe(true);
    for (const url of [
      'app://evil/',
      'app://explorer.evil.com/',
      'app://user:pw@explorer/',
      'https://explorer/',
      'file:///app/build/renderer/index.html',
      'about:blank',
      'not a url',
      '',
      undefined,
    ]) {
      expect(isAppUrl(url), String(url)).toBe(false);
    }
  });
});

describe('isSafeExternalUrl', () => {
  it('accepts plain http(s) links', () => {
    expect(isSafeExternalUrl('https://github.com/tensorflow/tfjs')).toBe(true);
    expect(isSafeExternalUrl('http://example.org/a?b#c')).toBe(true);
  });

  it('refuses every other scheme and credentials', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'ms-msdt:/id',
      'app://explorer/',
      'data:text/html,hi',
      'https://user:pw@example.org/',
      'mailto:a@b.c',
      'garbage',
      42,
    ]) {
      expect(isSafeExternalUrl(url), String(url)).toBe(false);
    }
  });
});
