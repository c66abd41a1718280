/** The e2e tests' browser lookup says how to get a Chromium instead of playwright's raw error. */
import { describe, expect, it } from 'vitest';
import { SYSTEM_CHROMIUM, resolveChromium } from '../../e2e/browser';

const only =
  (...files: string[]) =>
  (file: string) =>
    files.includes(file);

describe('resolveChromium (tests/e2e/browser.ts)', () => {
  it('uses CHROMIUM_PATH when it exists, else the system Chromium', () => {
    expect(
      resolveChromium({ CHROMIUM_PATH: '/opt/chrome/chrome' }, only('/opt/chrome/chrome')),
    ).toBe('/opt/chrome/chrome');
    expect(resolveChromium({}, only('/usr/bin/chromium-browser'))).toBe(
      '/usr/bin/chromium-browser',
    );
    expect(resolveChromium({}, only(...SYSTEM_CHROMIUM))).toBe('/usr/bin/chromium');
  });

  it('says how to get one when there is none', () => {
    expect(() => resolveChromium({}, only())).toThrow(
      /found none at \/usr\/bin\/chromium or \/usr\/bin\/chromium-browser\. Install one with `sudo apt-get install chromium`.*set CHROMIUM_PATH to a Chrome or Chromium binary/,
    );
    expect(() => resolveChromium({}, only())).toThrow(/`npx playwright install`\) is not needed/);
  });

  it('names a CHROMIUM_PATH that does not exist', () => {
    expect(() =>
      resolveChromium({ CHROMIUM_PATH: '/nope/chrome' }, only('/usr/bin/chromium')),
    ).toThrow(/CHROMIUM_PATH is \/nope\/chrome, but there is no such file\. Install one with/);
  });
});
