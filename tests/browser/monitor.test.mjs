// A monitor user (made with `telecert user add --role monitor`, or through the API as admin when
// no CLI is given) sees everything and changes nothing: the write controls are disabled, the users
// page is not offered, and a write forced through a re-enabled button shows the daemon's 403
// message; the setting it tried to change is unchanged.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { apiAsPage, login, setUp, tempDir } from './telecertd.mjs';

const MONITOR_PASSWORD = 'monitor-password-1234';

test('MonitorUserSeesDisabledWriteControlsAndAForcedWriteShowsTheForbiddenMessage', { timeout: 60000 }, async () => {
  const world = await setUp('monitor-read-only');
  const { page, daemon } = world;
  const folder = tempDir();
  try {
    if (process.env.TELECERT_CLI) {
      // The CLI on the daemon's data dir, as an admin of the box would do it.
      const passwordFile = path.join(folder, 'password');
      fs.writeFileSync(passwordFile, `${MONITOR_PASSWORD}\n`, { mode: 0o600 });
      execFileSync(process.env.TELECERT_CLI, ['--data-dir', daemon.dataDir, 'user', 'add', 'noc', '--role', 'monitor', '--password-file', passwordFile]);
    } else {
      await login(page, daemon);
      const created = await apiAsPage(page, daemon, 'POST', '/api/v1/users', { name: 'noc', role: 'monitor', password: MONITOR_PASSWORD });
      assert.equal(created.status(), 201, await created.text());
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.locator('#login-view').waitFor({ state: 'visible' });
    }

    await login(page, daemon, 'noc', MONITOR_PASSWORD);
    assert.match(await page.locator('#who').textContent(), /noc \(monitor, read only\)/);
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

    // The one write a monitor may make: its own password.
    const passwordForm = page.locator('#password-form');
    await passwordForm.getByLabel('Current password').fill(MONITOR_PASSWORD);
    await passwordForm.getByLabel('New password (at least 12 characters)').fill('a-new-monitor-password');
    await passwordForm.getByLabel('New password again').fill('a-new-monitor-password');
    await passwordForm.getByRole('button', { name: 'Change my password' }).click();
    await passwordForm.locator('.form-alert.ok', { hasText: 'Password changed' }).waitFor();
    assert.deepEqual(world.problems, []);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    await world.done();
  }
});
