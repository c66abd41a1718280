/**
 * Headless Chromium through playwright-core, using the system browser (never downloaded), and a
 * watcher that turns console errors, uncaught page errors and CSP violations into test failures.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

/** Where Debian and Ubuntu put their Chromium. */
export const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const HOW_TO_GET_ONE =
  "Install one with `sudo apt-get install chromium` (Debian; `chromium-browser` on Ubuntu), or set CHROMIUM_PATH to a Chrome or Chromium binary. Playwright's own browser download (`npx playwright install`) is not needed.";

/**
 * The browser the e2e tests drive: CHROMIUM_PATH, else the system Chromium. Throws an Error
 * saying how to get one when there is none, instead of playwright's raw launch error.
 */
export function resolveChromium(
  env: NodeJS.ProcessEnv = process.env,
  exists: (file: string) => boolean = existsSync,
): string {
  const requested = env.CHROMIUM_PATH;
  if (requested) {
    if (exists(requested)) return requested;
    throw new Error(`CHROMIUM_PATH is ${requested}, but there is no such file. ${HOW_TO_GET_ONE}`);
  }
  const found = SYSTEM_CHROMIUM.find((file) => exists(file));
  if (found) return found;
  throw new Error(
    `The e2e tests need Chromium and found none at ${SYSTEM_CHROMIUM.join(' or ')}. ${HOW_TO_GET_ONE}`,
  );
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: resolveChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export type ConsoleFilter = (message: ConsoleMessage) => boolean;

export interface PageProblems {
  /** Lets through console errors the test expects (e.g. the 404 of a failing API call). */
  expect(filter: ConsoleFilter): void;
  /** Every unexpected console error, page error and CSP violation so far. */
  list(): Promise<string[]>;
}

/** Runs in the page before its own scripts; records what the page's CSP blocked. */
const CSP_RECORDER = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(
      event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') +
        ' at ' + event.sourceFile + ':' + event.lineNumber,
    );
  });
`;

export async function watchProblems(page: Page): Promise<PageProblems> {
  const problems: string[] = [];
  const expected: ConsoleFilter[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error' || expected.some((filter) => filter(message))) return;
    const where = message.location().url;
    problems.push(`console error: ${message.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.stack ?? error.message}`));
  // Init scripts are injected through the DevTools protocol, so the page's CSP does not stop them.
  await page.addInitScript({ content: CSP_RECORDER });
  return {
    expect: (filter) => expected.push(filter),
    list: async () => {
      const csp: unknown = page.isClosed()
        ? []
        : await page.evaluate('window.__cspViolations ?? ["the CSP recorder did not run"]');
      const violations = Array.isArray(csp) ? csp.map(String) : [`unexpected value ${String(csp)}`];
      return [...problems, ...violations.map((v) => `CSP violation: ${v}`)];
    },
  };
}
