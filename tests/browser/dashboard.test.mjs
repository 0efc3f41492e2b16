// The dashboard's timeline flags a certificate inside the warning window: one with 10 days left
// is drawn as "warning" (colour, text and aria-label) and listed under "needs action"; one with 75
// days left is flagged only while expiry_warning_days (changed in the Settings form) exceeds 75.
// An out-of-range value is refused with the message beside the field.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { login, screenshot, selfSigned, setUp, tempDir } from './telecertd.mjs';

async function importPem(page, daemon, name, files) {
  await page.goto(`${daemon.url}/#/identities`);
  await page.locator('#import-identity summary').click();
  const form = page.locator('#import-form');
  await form.getByLabel('Identity name').fill(name);
  await form.getByLabel('Certificate or PKCS#12 file').setInputFiles(files.cert);
  await form.getByLabel('Private key file (PEM or DER, optional)').setInputFiles(files.key);
  await form.getByRole('button', { name: 'Import' }).click();
  await page.getByRole('heading', { name: `Identity ${name}` }).waitFor();
}

async function setWarningDays(page, daemon, days) {
  await page.goto(`${daemon.url}/#/settings`);
  const input = page.getByLabel('Expiry warning days');
  await input.fill(String(days));
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('#settings-form .form-alert.ok').waitFor();
}

function row(page, name) {
  return page.locator(`svg.timeline g.row[data-name="identity:${name}"]`);
}

test('DashboardTimelineFlagsCertificateInsideTheWarningWindow', { timeout: 90000 }, async () => {
  const world = await setUp('dashboard-warning');
  const { page, daemon } = world;
  const folder = tempDir();
  try {
    await login(page, daemon);
    await importPem(page, daemon, 'sip-trunk', selfSigned(folder, 'soon', 'trunk.example.com', 10));
    await importPem(page, daemon, 'provisioning', selfSigned(folder, 'later', 'prov.example.com', 75));

    // Out of range: the daemon's message appears beside the field it names.
    await page.goto(`${daemon.url}/#/settings`);
    await page.getByLabel('Expiry warning days').fill('500');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const fieldError = page.locator('#setting-expiry_warning_days-error');
    await fieldError.waitFor();
    assert.match(await fieldError.textContent(), /30 and 180/);
    assert.equal(await page.getByLabel('Expiry warning days').getAttribute('aria-invalid'), 'true');

    await setWarningDays(page, daemon, 90);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await row(page, 'sip-trunk').waitFor();
    assert.equal(await row(page, 'provisioning').getAttribute('data-status'), 'warning');
    assert.match(await page.locator('.timeline-holder').locator('..').textContent(), /90 days/);

    await setWarningDays(page, daemon, 60);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const soon = row(page, 'sip-trunk');
    await soon.waitFor();
    assert.equal(await soon.getAttribute('data-status'), 'warning');
    assert.match(await soon.getAttribute('aria-label'), /warning/);
    assert.match(await soon.locator('text.row-status').textContent(), /warning · (9|10) d left/);
    assert.equal(await soon.locator('rect.warning-window').count(), 1);
    assert.equal(await soon.locator('circle.marker').count(), 1);
    assert.equal(await row(page, 'provisioning').getAttribute('data-status'), 'ok');
    assert.equal(await row(page, 'factory').getAttribute('data-status'), 'ok');
    assert.equal(await page.locator('svg.timeline line.now-line').count(), 1);

    const action = page.locator('#needs-action li.problem', { hasText: 'sip-trunk' });
    assert.match(await action.textContent(), /warning/);
    assert.equal(await page.locator('#needs-action li.problem', { hasText: 'provisioning' }).count(), 0);
    const fill = await soon.locator('rect.bar').evaluate((bar) => getComputedStyle(bar).fill);
    const okFill = await row(page, 'factory').locator('rect.bar').evaluate((bar) => getComputedStyle(bar).fill);
    assert.notEqual(fill, okFill);

    await page.getByLabel(/Include the \d+ built-in roots/).check();
    assert.ok(await page.locator('svg.timeline g.row').count() > 100);
    await screenshot(page, 'dashboard-with-builtin-roots');
    await page.getByLabel(/Include the \d+ built-in roots/).uncheck();
    assert.deepEqual(world.problems, []);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    await world.done();
  }
});
