/**
 * Browser test support: launch Debian's chromium through playwright-core (no bundled browser
 * download), and record anything a page does that it must not (dialogs, console errors, CSP
 * violations, failed or 4xx/5xx sub-resources).
 */
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { chromiumPath, needs, type GuardedTest } from '../helpers/requirements.ts';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The browser, or why it could not start. */
export async function launchChromium(): Promise<Browser | Error> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) return new Error('chromium is not installed (nor CHROMIUM_PATH set)');
  try {
    return await chromium.launch({ executablePath, args: ARGS, timeout: 60_000 });
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Starts recording a page's misbehaviour; the returned array fills as it happens. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    problems.push(`dialog ${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (msg) => {
    // CSP violations are reported as console errors ("Refused to load ...").
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    // Leaving a page cancels what it still had in flight (its favicon, when a test clicks fast): the
    // browser's own abort, not a failure of the page. Blocked or refused requests still count.
    const reason = request.failure()?.errorText ?? '';
    if (reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${request.url()} ${reason}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

/**
 * Launches chromium for one test file: the browser (or why it could not start) and the test function
 * to use. Without chromium the browser tests skip (fail under CI) through `needs('chromium')`; a
 * chromium that is installed but does not start fails them.
 */
export async function browserSuite(): Promise<{ launched: Browser | Error; browserTest: GuardedTest['serial'] }> {
  const guard = needs('chromium');
  const launched = guard.runs ? await launchChromium() : new Error('chromium is not installed');
  if (!guard.runs || !(launched instanceof Error)) return { launched, browserTest: guard.serial };
  return {
    launched,
    browserTest: (title) => guard.serial(title, (t) => t.fail(`chromium could not be launched: ${launched.message}`)),
  };
}
