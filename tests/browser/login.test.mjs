// Logging in: a wrong password is refused with a message on the login page, the right one opens
// the dashboard, a reload keeps the session, a session ended elsewhere (401) brings the login page
// back, and logging out returns to the login page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiAsPage, login, setUp } from './telecertd.mjs';

test('LoginRefusesWrongPasswordThenOpensDashboardKeepsSessionOnReloadAndLogsOut', { timeout: 60000 }, async () => {
  const world = await setUp('login');
  const { page, daemon } = world;
  try {
    await page.goto(`${daemon.url}/`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#login-error', { hasText: 'Wrong username or password' }).waitFor();
    assert.equal(await page.locator('#shell').isVisible(), false);

    await login(page, daemon);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    assert.match(await page.locator('#who').textContent(), /admin \(admin\)/);
    await page.locator('svg.timeline').waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

    await page.getByRole('link', { name: 'Identities' }).click();
    await page.getByRole('heading', { name: 'Identities', level: 1 }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'factory' }).count(), 1);

    const ended = await apiAsPage(page, daemon, 'DELETE', '/api/v1/session');
    assert.equal(ended.status(), 204);
    await page.getByRole('link', { name: 'Trusted roots' }).click();
    await page.locator('#login-error', { hasText: 'session has ended' }).waitFor();
    await login(page, daemon);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('#login-view').waitFor({ state: 'visible' });
    const after = await page.request.get(`${daemon.url}/api/v1/status`);
    assert.equal(after.status(), 401);
    assert.deepEqual(world.problems, []);
  } finally {
    await world.done();
  }
});
