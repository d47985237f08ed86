import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cannedAnswer, ordersOf, userById } from '../src/upstream/data.js';
import { eventually, type Stack, startStack } from './server-helpers.js';

// The page in a real browser: Debian's chromium driven by playwright-core. Without /usr/bin/chromium the
// file is skipped on a developer machine, but under CI (which installs it) it must run.

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const skip = !hasChromium && !process.env.CI;
const SCREENSHOT = new URL('../test-results/demo-page.png', import.meta.url);
if (skip) console.warn(`browser.test.ts skipped: ${CHROMIUM} is not installed (set CI=true to require it).`);

describe.skipIf(skip)(
  `the web page in chromium${skip ? ` (skipped: ${CHROMIUM} is not installed)` : ''}`,
  () => {
    let stack: Stack;
    let base: string;
    let browser: Browser;
    let page: Page;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      // A shared upstream limit of 2, so that the page's burst of dashboards queues.
      stack = await startStack({ latencyMs: 100, wordDelayMs: 40 }, { upstreamConcurrency: 2 });
      base = await stack.app.listen({ port: 0, host: '127.0.0.1' });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      page = await browser.newPage({ viewport: { width: 1100, height: 1300 } });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      await page.goto(`${base}/`);
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await stack?.close();
    });

    it('loads the page and draws the heartbeat from the server', async () => {
      await expect(page.title()).resolves.toBe('@x demo server');
      // (waitForFunction would need eval, which the page's content security policy rightly forbids.)
      await eventually(
        async () => Number(await page.locator('#heartbeat').getAttribute('data-samples')) >= 3,
        10_000,
      );
      expect(await page.locator('#heartbeat-now').textContent()).toMatch(/^\d+$/);
    });

    it('runs the dashboard: the user, the orders, and gathered faster than sequential', async () => {
      await page.fill('#dashboard-user-id', '4');
      // Twice: the first request also pays for opening connections to the upstream.
      for (let i = 0; i < 2; i++) {
        await page.click('#dashboard-load');
        await page.waitForSelector('#dashboard-status[data-state="done"]', { timeout: 20_000 });
      }
      expect(await page.locator('#dashboard-user').textContent()).toContain(userById(4)!.name);
      expect(await page.locator('#dashboard-orders li').count()).toBe(ordersOf(4).length);
      const gathered = Number.parseFloat((await page.locator('#bar-gathered-ms').textContent())!);
      const sequential = Number.parseFloat((await page.locator('#bar-sequential-ms').textContent())!);
      expect(sequential).toBeGreaterThanOrEqual(190);
      expect(gathered).toBeLessThan(0.8 * sequential);
    });

    it("shows the shared upstream limit's running and queued calls live, from the heartbeat", async () => {
      expect(await page.locator('#upstream-max').textContent()).toBe('2');
      await page.click('#dashboard-burst');
      const pending: number[] = [];
      await eventually(async () => {
        pending.push(Number(await page.locator('#upstream-pending').textContent()));
        return pending.at(-1)! > 0;
      }, 20_000);
      expect(Number(await page.locator('#upstream-active').textContent())).toBeLessThanOrEqual(2);
      await page.waitForSelector('#dashboard-status[data-state="done"]', { timeout: 60_000 });
      expect(await page.locator('#dashboard-status').textContent()).toContain('0 failed');
      await eventually(async () => (await page.locator('#upstream-pending').textContent()) === '0', 5_000);
      expect((await stack.upstream.stats()).maxInFlight).toBeLessThanOrEqual(2);
    }, 90_000);

    it('sends a prompt and shows the answer arriving in several steps', async () => {
      const prompt = 'Why stream an answer?';
      // Record every change of the answer's text in the page, with when it happened.
      await page.evaluate(`(() => {
      const answer = document.getElementById('chat-answer');
      window.answerSteps = [];
      new MutationObserver(() => window.answerSteps.push([performance.now(), answer.textContent.length]))
        .observe(answer, { childList: true, characterData: true, subtree: true });
    })()`);
      await page.fill('#chat-prompt', prompt);
      await page.click('#chat-send');
      await page.waitForSelector('#chat-status[data-state="done"]', { timeout: 30_000 });
      expect(await page.locator('#chat-answer').textContent()).toBe(cannedAnswer(prompt));
      const steps = (await page.evaluate('window.answerSteps')) as [number, number][];
      const growing = steps.filter(([, length]) => length > 0);
      expect(growing.length).toBeGreaterThanOrEqual(10);
      // Pieces arrived over time (the fake sends one word per 40 ms), not in one lump at the end.
      expect(growing.at(-1)![0] - growing[0]![0]).toBeGreaterThan(400);
      expect(new Set(growing.map(([, length]) => length)).size).toBeGreaterThanOrEqual(10);
    }, 40_000);

    it('runs /compute with toThread while the heartbeat stays low, unlike on the main thread', async () => {
      const run = async (button: string) => {
        await page.click(button);
        await page.waitForSelector('#compute-result[data-state="done"]', { timeout: 30_000 });
        const peak = Number(await page.locator('#compute-result').getAttribute('data-peak-ms'));
        const text = (await page.locator('#compute-result').textContent())!;
        return { peak, text };
      };
      const thread = await run('#compute-thread');
      expect(thread.text).toContain('with toThread');
      expect(thread.text).toContain('= 4999999950000000');
      const main = await run('#compute-main');
      expect(main.text).toContain('on the main thread');
      expect(main.peak).toBeGreaterThan(thread.peak);
      // Low, not zero: the machine is shared, so other processes still delay the loop a little.
      expect(thread.peak).toBeLessThan(150);
      // And toThread once more so the screenshot shows the flat line after the spike.
      await run('#compute-thread');
    }, 60_000);

    it('shows the /compute pool live from pool.stats(): threads, tasks done, utilization, run and wait times', async () => {
      // Two toThread sums ran in the test above: the heartbeat brings the pool's stats to the page.
      await eventually(async () => Number(await page.locator('#pool-completed').textContent()) >= 2, 5_000);
      expect(Number(await page.locator('#pool-workers').textContent())).toBeGreaterThanOrEqual(1);
      expect(await page.locator('#pool-running').textContent()).toBe('0');
      expect(await page.locator('#pool-queued').textContent()).toBe('0');
      expect(await page.locator('#pool-utilization').textContent()).toMatch(/^\d+%$/);
      // A sum of 0..1e8 takes tens of milliseconds at least: run p50 and p99 are real durations.
      const p50 = Number(await page.locator('#pool-run-p50').textContent());
      const p99 = Number(await page.locator('#pool-run-p99').textContent());
      expect(p50).toBeGreaterThan(1);
      expect(p99).toBeGreaterThanOrEqual(p50);
      expect(Number(await page.locator('#pool-wait-p99').textContent())).toBeGreaterThanOrEqual(0);
      // While a sum runs, the page shows it running.
      await page.click('#compute-thread');
      await eventually(async () => (await page.locator('#pool-running').textContent()) === '1', 10_000);
      await page.waitForSelector('#compute-result[data-state="done"]', { timeout: 30_000 });
    }, 60_000);

    it('saves a screenshot of the whole page, with no errors in the page', async () => {
      mkdirSync(new URL('.', SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT.pathname, fullPage: true });
      expect(existsSync(SCREENSHOT)).toBe(true);
      expect(pageErrors).toEqual([]);
    });
  },
);
