import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { makeAgent, makeShop } from './fixtures';
import { AGENT_PASSWORD, startTestServer } from './server';
import { DEADLINE_MS } from './wait';

/** Where e2e tests leave their screenshots. */
export const ARTIFACTS = new URL('../../test-artifacts/e2e/', import.meta.url).pathname;

/** Debian's Chromium (never a browser download). */
export function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'Chromium is not installed: apt-get install -y chromium fonts-noto-cjk (npm test does it as root)',
    );
  }
}

/**
 * Launches headless Chromium for a test file, and makes the artifacts folder. Every page it opens
 * waits (for an element, a navigation) up to the tests' hang guard instead of Playwright's 30 s: a
 * loaded machine renders late, not never (issue #20).
 */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(DEADLINE_MS);
    context.setDefaultNavigationTimeout(DEADLINE_MS);
    return context;
  };
  return browser;
}

/** A test file's pages: each in its own context (its own cookies), uncaught errors collected. */
export class Pages {
  private readonly contexts: BrowserContext[] = [];
  /** Uncaught errors in any page. */
  readonly errors: string[] = [];

  constructor(private readonly browser: () => Browser) {}

  async open(viewport = { width: 1440, height: 900 }, locale = 'zh-CN'): Promise<Page> {
    const context = await this.browser().newContext({ viewport, locale });
    this.contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => this.errors.push(e.message));
    return page;
  }

  async close(): Promise<void> {
    for (const c of this.contexts) await c.close().catch(() => undefined);
  }
}

/** Logs in on the workbench or console login form (the demo's password unless given). */
export async function logIn(
  page: Page,
  baseUrl: string,
  path: string,
  email: string,
  password = 'password123',
): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/**
 * A browser test's world for a shop that is not the demo (DEMO=false): the server, a new shop
 * with its owner (password AGENT_PASSWORD), Chromium, and the pages opened — closed by `close`.
 */
export async function newShopWorld(slug: string, ownerEmail: string) {
  const t = await startTestServer({ demo: false, env: { DEMO: 'false' } });
  const shopId = await makeShop(t.storage, slug);
  await makeAgent(t.storage, shopId, {
    email: ownerEmail,
    role: 'owner',
    takesRouting: false,
    password: AGENT_PASSWORD,
  });
  const browser = await launchChromium();
  const pages = new Pages(() => browser);
  return {
    t,
    shopId,
    browser,
    pages,
    close: async () => {
      await pages.close();
      await browser.close();
      await t.close();
    },
  };
}
