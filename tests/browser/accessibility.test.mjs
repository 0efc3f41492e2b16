// Keyboard and labels: the login works from the keyboard alone, the navigation links are reached
// with Tab and followed with Enter, every form control on every page has a label, and every
// clickable control is a real button or link.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setUp } from './telecertd.mjs';

const PAGES = ['dashboard', 'identities', 'identities/factory', 'trust', 'contexts', 'contexts/default', 'services', 'verify', 'settings', 'events', 'users'];

test('KeyboardOnlyLoginAndNavigationAndEveryControlLabelled', { timeout: 90000 }, async () => {
  const world = await setUp('accessibility');
  const { page, daemon } = world;
  try {
    await page.goto(`${daemon.url}/`);
    await page.locator('#login-password').waitFor({ state: 'visible' });
    await page.keyboard.type(daemon.password); // the password field has focus; admin is prefilled
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

    let reached = false;
    for (let i = 0; i < 20 && !reached; i += 1) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.textContent === 'Trusted roots');
    }
    assert.ok(reached, 'Tab reaches the "Trusted roots" link');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Trusted root certificates' }).waitFor();

    for (const name of PAGES) {
      await page.goto(`${daemon.url}/#/${name}`);
      await page.locator('#main > section').waitFor();
      const unlabelled = await page.evaluate(() => {
        for (const details of document.querySelectorAll('#main details')) details.open = true;
        const missing = [];
        for (const control of document.querySelectorAll('#main input, #main select, #main textarea')) {
          const named = control.labels?.length || control.getAttribute('aria-label') || control.getAttribute('aria-labelledby');
          if (!named) missing.push(control.name || control.id || control.outerHTML.slice(0, 60));
        }
        for (const element of document.querySelectorAll('#main [onclick], #main div[tabindex], #main span[tabindex]')) {
          missing.push(`clickable ${element.tagName}`);
        }
        return missing;
      });
      assert.deepEqual(unlabelled, [], `controls without a label on #/${name}`);
    }
    assert.deepEqual(world.problems, []);
  } finally {
    await world.done();
  }
});
