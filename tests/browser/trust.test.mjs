// Trusted roots: a root imported from a file shows in the custom table with its index, subject and
// source, the export of the custom roots holds it, and removing it (after the confirmation) takes it
// out of the table and the store.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { login, openssl, selfSigned, setUp, tempDir } from './telecertd.mjs';

test('TrustedRootImportedFromFileIsListedExportedAndRemovedAfterConfirmation', { timeout: 60000 }, async () => {
  const world = await setUp('trust');
  const { page, daemon } = world;
  const folder = tempDir();
  try {
    const { cert } = selfSigned(folder, 'root', 'Browser Test Root CA', 3650, ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    await login(page, daemon);
    await page.goto(`${daemon.url}/#/trust`);
    await page.getByRole('heading', { name: 'Trusted root certificates' }).waitFor();
    await page.getByLabel('Certificate file (PEM, may hold several, or DER)').setInputFiles(cert);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#trust-import-form .form-alert.ok', { hasText: 'Added 1 certificate' }).waitFor();
    const row = page.locator('tbody tr', { hasText: 'Browser Test Root CA' });
    await row.waitFor();
    assert.match(await row.textContent(), /custom/);
    const anchors = await (await page.request.get(`${daemon.url}/api/v1/trust?filter=custom`)).json();
    assert.equal(anchors.length, 1);
    assert.match(await row.locator('td').first().textContent(), new RegExp(`^${anchors[0].id}$`));

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export shown roots (PEM bundle)' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'trusted-roots.pem');
    const bundle = path.join(folder, 'bundle.pem');
    await download.saveAs(bundle);
    assert.match(openssl('x509', '-in', bundle, '-noout', '-subject'), /Browser Test Root CA/);

    await row.getByRole('button', { name: /Remove root/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.locator('tbody tr', { hasText: 'Browser Test Root CA' }).waitFor({ state: 'detached' });
    const after = await (await page.request.get(`${daemon.url}/api/v1/trust?filter=custom`)).json();
    assert.equal(after.length, 0);
    assert.deepEqual(world.problems, []);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    await world.done();
  }
});
