import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';
import { FUEL_DEFAULTS } from '../../src/contract/fuel';

const browser = useBrowser();

describe('Settings → Security: sandbox', () => {
  it('validates every network entry and mount with its reason, and saves the good ones', async () => {
    const server = await startTestServer();
    const data = await tempDir('boxagnts-mount-');
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/settings/security`);
    const hosts = page.getByLabel('New entry for Allowed hosts');
    await hosts.fill('github.com');
    await hosts.press('Enter');
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'allowedOutboundHosts' }).textContent())
      .toMatch(/needs a scheme/);
    await hosts.fill('https://*.github.com');
    await hosts.press('Enter');
    await expect
      .poll(() => page.getByRole('list', { name: 'Allowed hosts' }).textContent())
      .toContain('https://*.github.com');

    const blocks = page.getByLabel('New entry for Blocked networks');
    await blocks.fill('10.0.0.0/33');
    await blocks.press('Enter');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'blockNetworks' }).count()).toBe(1);

    await page.getByLabel('Host folder').fill('relative/path');
    await page.getByLabel('Guest path').fill('/data');
    await page.getByRole('button', { name: 'Mount' }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'mounts' }).textContent())
      .toMatch(/absolute path/);
    await page.getByLabel('Host folder').fill(data);
    await page.getByRole('button', { name: 'Mount' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Mounts' }).textContent()).toContain('/data');

    await page.locator('#sb-timeout').fill('5000');
    await page.locator('#sb-timeout').press('Enter');
    await expect.poll(() => server.server.context.workspace.settings.get().sandbox.timeoutMs).toBe(5000);
    const sandbox = server.server.context.workspace.settings.get().sandbox;
    expect(sandbox.allowedOutboundHosts).toEqual(['https://*.github.com']);
    expect(sandbox.blockNetworks).toEqual(['private']);
    expect(sandbox.mounts).toEqual([{ host: data, guest: '/data', readOnly: true }]);
    await page.getByRole('button', { name: 'Remove mount /data' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'desktop-settings-security-sandbox');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it('lists the protected files, lets the user make one writable, and sets or lifts the disk quota', async () => {
    const server = await startTestServer();
    const settings = () => server.server.context.workspace.settings.get().sandbox;
    const { page, errors, close } = await browser.open(DESKTOP, 'dark');
    await page.goto(`${server.url}/settings/security`);
    const protectedList = page.getByRole('list', { name: 'Protected files' });
    await expect.poll(() => protectedList.textContent()).toContain('.git/**');
    expect(await protectedList.textContent()).toContain('.vscode/tasks.json');
    const writable = page.getByLabel('New entry for Writable protected files');
    await writable.fill('../outside');
    await writable.press('Enter');
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'writableProtected' }).textContent())
      .toMatch(/relative to the workspace/);
    await writable.fill('.vscode/settings.json');
    await writable.press('Enter');
    await expect.poll(() => settings().writableProtected).toEqual(['.vscode/settings.json']);

    await page.locator('#sb-disk').fill('5');
    await page.locator('#sb-disk').press('Enter');
    await expect.poll(() => settings().maxWriteBytes).toBe(5 * 1024 * 1024);
    await page.getByLabel('No quota').click();
    await expect.poll(() => settings().maxWriteBytes).toBe(null);
    await page.getByRole('heading', { name: 'Protected files' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'desktop-dark-settings-security-protected');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it('is usable on a phone', async () => {
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(PHONE, 'dark');
    await page.goto(`${server.url}/settings/security`);
    await page.getByRole('heading', { name: 'Sandbox' }).scrollIntoViewIfNeeded();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-settings-security-sandbox');
    await page.getByRole('heading', { name: 'Protected files' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'phone-dark-settings-security-protected');
    expect(errors).toEqual([]);
    await close();
  });
});

describe('Settings → Security: how limits read', () => {
  it('writes large limits with thousands separators and their unit, and reads back what is typed', async () => {
    const server = await startTestServer();
    for (const [viewport, theme, name] of [
      [DESKTOP, 'light', 'desktop-settings-security-limits'],
      [DESKTOP, 'dark', 'desktop-dark-settings-security-limits'],
      [PHONE, 'light', 'phone-settings-security-limits'],
      [PHONE, 'dark', 'phone-dark-settings-security-limits'],
    ] as const) {
      const { page, errors, close } = await browser.open(viewport, theme);
      await page.goto(`${server.url}/settings/security`);
      const limits = page.getByRole('region', { name: 'Limits', exact: true });
      await expect.poll(() => page.locator('#sb-wasm-fuel').inputValue()).toBe(String(FUEL_DEFAULTS.wasmFuel));
      // The field stays a plain number to edit; beside it, the same number as a person reads it.
      expect(await page.locator('#sb-wasm-fuel-reading').textContent()).toBe('= 2,000,000,000\u00a0steps');
      expect(await page.locator('#sb-fuel-reading').textContent()).toBe('= 15,000,000\u00a0steps');
      expect(await page.locator('#sb-fuel').getAttribute('aria-describedby')).toBe('sb-fuel-hint sb-fuel-reading');
      expect(await limits.textContent()).toContain('the default of 15,000,000 stops');
      // No number of five digits or more is left unseparated, here or in the host tier's limits.
      expect(await limits.textContent()).not.toMatch(/\d{5}/);
      expect(await page.getByRole('region', { name: 'Limits of a command' }).textContent()).not.toMatch(/\d{5}/);

      await page.locator('#sb-timeout').fill('90000');
      expect(await page.locator('#sb-timeout-reading').textContent()).toBe('= 90\u00a0s');
      await page.locator('#sb-memory').fill('2048');
      expect(await page.locator('#sb-memory-reading').textContent()).toBe('= 2\u00a0GB');
      await page.locator('#sb-memory').fill('512');
      // 512 MB says nothing the field and its unit do not: no reading.
      expect(await page.locator('#sb-memory-reading').count()).toBe(0);
      await page.locator('#sb-memory').fill('2048');
      await page.getByRole('heading', { name: 'Sandbox', exact: true }).evaluate((h) => h.scrollIntoView());
      await screenshot(page, name);
      expect(errors).toEqual([]);
      await close();
    }
  }, 60_000);
});

describe('Settings → Security: rules', () => {
  it('keeps what the user types while a rule is being saved, and saves one rule at a time', async () => {
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(DESKTOP);
    // Holds each settings save until the test lets it through, so "while it is saving" is a state, not a race.
    const held: (() => Promise<void>)[] = [];
    await page.route('**/api/settings', (route) =>
      route.request().method() === 'PATCH' ? void held.push(() => route.continue()) : route.continue(),
    );
    await page.goto(`${server.url}/settings/security`);
    const rule = page.getByLabel('New rule');
    await rule.fill('deny bash(rm *)');
    await rule.press('Enter');
    await expect.poll(() => held.length).toBe(1);
    await rule.fill('allow read(src/*)');
    await rule.press('Enter');
    expect(await page.getByRole('button', { name: 'Add', exact: true }).first().isDisabled()).toBe(true);
    await held.shift()!();
    await expect.poll(() => page.getByRole('list', { name: 'Rules' }).textContent()).toContain('deny bash(rm *)');
    expect(await rule.inputValue()).toBe('allow read(src/*)');
    expect(held).toHaveLength(0);
    await rule.press('Enter');
    await expect.poll(() => held.length).toBe(1);
    await held.shift()!();
    await expect
      .poll(() => server.server.context.workspace.settings.get().permissions.rules)
      .toEqual(['deny bash(rm *)', 'allow read(src/*)']);
    // The field empties when the page has the server's answer, which may come after the settings file changed.
    await expect.poll(() => rule.inputValue()).toBe('');
    expect(errors).toEqual([]);
    await close();
  });
});

describe('Settings → Security: programs of this machine (host tier)', () => {
  it('shows the tier’s status, and saves the switch, the patterns, git’s writes and the limits across a reload', async () => {
    const server = await startTestServer();
    const host = () => server.server.context.workspace.settings.get().sandbox.host;
    const tier = server.server.context.runtime.sandbox.host;
    // The probe answers in the background; the page shows its answer, not the "still checking" before it.
    await tier.ready;
    const status = tier.status();
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/settings/security`);
    const statusLine = page.getByRole('region', { name: 'Host tier status' });
    if (status.available) {
      await expect
        .poll(() => statusLine.textContent())
        .toContain(`Available: each command runs in ${status.mechanism}`);
      expect(await statusLine.textContent()).toContain(status.caps === 'cgroup' ? '(cgroups)' : '(rlimits)');
    } else {
      await expect.poll(() => statusLine.textContent()).toContain(`Not available: ${status.problem}`);
    }
    if (status.programs.length > 0)
      expect(await page.getByRole('list', { name: 'Programs found' }).textContent()).toContain(status.programs[0]);

    const enabled = page.getByRole('switch', { name: 'Run programs of this machine' });
    expect(await enabled.getAttribute('aria-checked')).toBe('true');
    await enabled.click();
    await expect.poll(() => host().enabled).toBe(false);
    await expect.poll(() => statusLine.textContent()).toContain('Off:');

    const allow = page.getByLabel('New entry for Run without asking');
    await allow.fill('git status*');
    await allow.press('Enter');
    await expect.poll(() => host().allow).toEqual(['git status*']);
    const network = page.getByLabel('New entry for Get network');
    await network.fill('git push*');
    await network.press('Enter');
    await expect.poll(() => host().network).toEqual(['git push*']);
    await page.getByRole('checkbox', { name: 'git may change .git (commit, branch, stash)' }).click();
    await expect.poll(() => host().gitWrites).toBe(false);

    // Below the contract's 16 MB: the server's refusal shows beside the limits and the typed value stays.
    const memory = page.locator('#host-maxMemoryBytes');
    await memory.fill('8');
    await memory.press('Enter');
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'maxMemoryBytes' }).count(), { timeout: 10_000 })
      .toBe(1);
    expect(await page.getByRole('alert').filter({ hasText: 'maxMemoryBytes' }).textContent()).toMatch(
      /must be 16\sMB to 64\sGB/,
    );
    expect(await memory.inputValue()).toBe('8');
    expect(host().maxMemoryBytes).toBe(4096 * 1024 * 1024);
    await memory.fill('2048');
    await memory.press('Enter');
    await expect.poll(() => host().maxMemoryBytes).toBe(2048 * 1024 * 1024);
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'maxMemoryBytes' }).count()).toBe(0);
    await page.locator('#host-timeoutMs').fill('90');
    await page.locator('#host-timeoutMs').press('Enter');
    await expect.poll(() => host().timeoutMs).toBe(90_000);

    await page.reload();
    await expect.poll(() => page.getByRole('list', { name: 'Run without asking' }).textContent()).toBe('git status*');
    expect(await page.getByRole('list', { name: 'Get network' }).textContent()).toBe('git push*');
    expect(await enabled.getAttribute('aria-checked')).toBe('false');
    expect(await page.getByRole('checkbox', { name: 'git may change .git (commit, branch, stash)' }).isChecked()).toBe(
      false,
    );
    expect(await page.locator('#host-maxMemoryBytes').inputValue()).toBe('2048');
    expect(await page.locator('#host-timeoutMs').inputValue()).toBe('90');
    expect(await page.getByText('1,048,576').count()).toBe(1);
    await page.getByRole('button', { name: 'Remove git push* from Get network' }).click();
    await expect.poll(() => host().network).toEqual([]);
    expect(host().allow).toEqual(['git status*']);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it('looks right at 1280 and 390 px, light and dark, with the tier on and a pattern in each list', async () => {
    const server = await startTestServer();
    await server.server.context.workspace.settings.patch({
      sandbox: { host: { allow: ['git status*', 'npm test*'], network: ['npm install*'] } },
    });
    await server.server.context.runtime.sandbox.host.ready;
    for (const [viewport, theme, name] of [
      [DESKTOP, 'light', 'desktop-settings-security-host'],
      [DESKTOP, 'dark', 'desktop-dark-settings-security-host'],
      [PHONE, 'light', 'phone-settings-security-host'],
      [PHONE, 'dark', 'phone-dark-settings-security-host'],
    ] as const) {
      const { page, errors, close } = await browser.open(viewport, theme);
      await page.goto(`${server.url}/settings/security`);
      await page.getByRole('heading', { name: 'Programs of this machine (host tier)' }).scrollIntoViewIfNeeded();
      await expect.poll(() => page.getByRole('list', { name: 'Get network' }).count()).toBe(1);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page
        .getByRole('heading', { name: 'Programs of this machine (host tier)' })
        .evaluate((h) => h.scrollIntoView({ block: 'start' }));
      await screenshot(page, name);
      await page
        .getByRole('heading', { name: 'Limits', exact: true })
        .evaluate((h) => h.scrollIntoView({ block: 'start' }));
      await screenshot(page, `${name}-limits`);
      expect(errors).toEqual([]);
      await close();
    }
  }, 60_000);
});

describe('Settings → Security: workers and memory', () => {
  it('reads out what the server holds, and saves the idle time in seconds, refusing one below the minimum', async () => {
    const server = await startTestServer();
    const sandbox = () => server.server.context.workspace.settings.get().sandbox;
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/settings/security`);
    const now = page.getByRole('region', { name: 'In use now' });
    // No tool has run, so no worker has started: nothing warms at start-up.
    await expect.poll(() => now.textContent()).toContain('0 workers · 0\u00a0B of 128\u00a0MB');
    const rss = now.locator('div', { hasText: 'Server memory (RSS)' }).locator('dd');
    expect(await rss.textContent()).toMatch(/^[1-9][\d,.]*\u00a0(MB|GB)$/);
    expect(await now.textContent()).toContain('Runs under way0');

    const idle = page.locator('#pool-workerIdleMs');
    expect(await idle.inputValue()).toBe('30');
    expect(await page.locator('#pool-maxPoolMemoryMb').inputValue()).toBe('128');
    await idle.fill('10');
    await idle.press('Enter');
    await expect.poll(() => sandbox().workerIdleMs).toBe(10_000);

    // Half a second is below the contract's 1 s: the refusal shows beside the field, the typed value stays.
    await idle.fill('0.5');
    await idle.press('Enter');
    const refusal = page.getByRole('alert').filter({ hasText: 'workerIdleMs' });
    await expect.poll(() => refusal.count()).toBe(1);
    expect(await refusal.textContent()).toMatch(/^Not saved: idle time must be 1\u00a0s to 1\u00a0h/);
    expect(await idle.getAttribute('aria-describedby')).toContain('pool-workerIdleMs-error');
    expect(await idle.inputValue()).toBe('0.5');
    expect(sandbox().workerIdleMs).toBe(10_000);
    await page
      .getByRole('heading', { name: 'Workers and memory' })
      .evaluate((h) => h.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'desktop-settings-security-workers-refused');

    const pool = page.locator('#pool-maxPoolMemoryMb');
    await pool.fill('512');
    await pool.press('Enter');
    await expect.poll(() => sandbox().maxPoolMemoryMb).toBe(512);
    // The readout's budget follows the setting.
    await expect.poll(() => now.textContent()).toContain('of 512\u00a0MB');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it('asks for the readout every few seconds while the page is shown, and never while it is hidden', async () => {
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(DESKTOP);
    // The page's timers run on a clock the test moves, so "every few seconds" needs no waiting.
    await page.clock.install();
    // Each request for the readout, with whether the page was visible when it was made.
    await page.addInitScript(() => {
      const asked: string[] = [];
      const fetch = window.fetch.bind(window);
      Object.assign(window, {
        memoryAsked: asked,
        fetch: (input: RequestInfo | URL, init?: RequestInit) => {
          if (String(input) === '/api/memory') asked.push(document.visibilityState);
          return fetch(input, init);
        },
      });
    });
    const asked = () => page.evaluate(() => Reflect.get(window, 'memoryAsked'));
    const setVisibility = (state: 'visible' | 'hidden') =>
      page.evaluate((to) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => to });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await page.goto(`${server.url}/settings/security`);
    await expect.poll(() => page.getByRole('region', { name: 'In use now' }).textContent()).toContain('workers');
    expect(await asked()).toEqual(['visible']);
    await page.clock.runFor(3000);
    expect(await asked()).toEqual(['visible', 'visible']);

    await setVisibility('hidden');
    await page.clock.runFor(60_000);
    expect(await asked()).toEqual(['visible', 'visible']);
    // Shown again: read at once, then every few seconds as before.
    await setVisibility('visible');
    expect(await asked()).toEqual(['visible', 'visible', 'visible']);
    await page.clock.runFor(3000);
    expect(await asked()).toEqual(['visible', 'visible', 'visible', 'visible']);
    expect(errors).toEqual([]);
    await close();
  });

  it('looks right at 1280 and 390 px, light and dark', async () => {
    const server = await startTestServer();
    for (const [viewport, theme, name] of [
      [DESKTOP, 'light', 'desktop-settings-security-workers'],
      [DESKTOP, 'dark', 'desktop-dark-settings-security-workers'],
      [PHONE, 'light', 'phone-settings-security-workers'],
      [PHONE, 'dark', 'phone-dark-settings-security-workers'],
    ] as const) {
      const { page, errors, close } = await browser.open(viewport, theme);
      await page.goto(`${server.url}/settings/security`);
      await expect.poll(() => page.getByRole('region', { name: 'In use now' }).textContent()).toContain('workers');
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await page
        .getByRole('heading', { name: 'Workers and memory' })
        .evaluate((h) => h.scrollIntoView({ block: 'start' }));
      await screenshot(page, name);
      expect(errors).toEqual([]);
      await close();
    }
  }, 60_000);
});
