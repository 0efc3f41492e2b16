// A monitor user sees everything and changes nothing: the write controls are disabled, the users
// page is not offered, and a write forced through a re-enabled button shows the daemon's 403
// message; the setting it tried to change is unchanged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiAsPage, login, setUp } from './telecertd.mjs';

const MONITOR_PASSWORD = 'monitor-password-1234';

test('MonitorUserSeesDisabledWriteControlsAndAForcedWriteShowsTheForbiddenMessage', { timeout: 60000 }, async () => {
  const world = await setUp('monitor-read-only');
  const { page, daemon } = world;
  try {
    await login(page, daemon);
    const created = await apiAsPage(page, daemon, 'POST', '/api/v1/users', { name: 'noc', role: 'monitor', password: MONITOR_PASSWORD });
    assert.equal(created.status(), 201, await created.text());
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.locator('#login-view').waitFor({ state: 'visible' });

    await login(page, daemon, 'noc', MONITOR_PASSWORD);
    assert.match(await page.locator('#who').textContent(), /noc \(monitor\)/);
    assert.equal(await page.getByRole('link', { name: 'Users & tokens' }).isVisible(), false);
    await page.locator('svg.timeline').waitFor();

    await page.getByRole('link', { name: 'Identities' }).click();
    await page.locator('#create-csr summary').click();
    assert.equal(await page.getByRole('button', { name: 'Create CSR' }).isDisabled(), true);
    await page.getByRole('link', { name: 'Trusted roots' }).click();
    assert.equal(await page.getByRole('button', { name: 'Import' }).isDisabled(), true);
    await page.getByRole('link', { name: 'TLS contexts' }).click();
    await page.getByRole('link', { name: 'Edit default' }).click();
    assert.equal(await page.getByRole('button', { name: 'Save' }).isDisabled(), true);

    await page.getByRole('link', { name: 'Settings' }).click();
    const save = page.getByRole('button', { name: 'Save settings' });
    assert.equal(await save.isDisabled(), true);
    await page.getByLabel('Expiry warning days').fill('120');
    await save.evaluate((button) => { button.disabled = false; });
    await save.click();
    const alert = page.locator('#settings-form [role=alert]:not(:empty):not([hidden])').first();
    await alert.waitFor();
    assert.match(await alert.textContent(), /HTTP 403/);
    const settings = await (await page.request.get(`${daemon.url}/api/v1/settings`)).json();
    assert.equal(settings.expiry_warning_days, 60);
    assert.deepEqual(world.problems, []);
  } finally {
    await world.done();
  }
});
