// Import of a PKCS#12 made by openssl: a wrong passphrase is shown as an error beside the
// passphrase field (or at the top of the form) and imports nothing; the right one imports the
// key and certificate, and the identity page shows the certificate's fields. Exporting it again as
// PKCS#12 with the key needs a passphrase; with one, openssl opens the downloaded file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { login, openssl, selfSigned, setUp, tempDir } from './telecertd.mjs';

test('Pkcs12ImportRefusesWrongPassphraseThenImportsWithTheRightOneAndExportsWithKey', { timeout: 60000 }, async () => {
  const world = await setUp('pkcs12-import');
  const { page, daemon } = world;
  const folder = tempDir();
  try {
    const { cert, key } = selfSigned(folder, 'pbx', 'pbx.example.com', 365, ['-addext', 'subjectAltName=DNS:pbx.example.com']);
    const p12 = path.join(folder, 'pbx.p12');
    openssl('pkcs12', '-export', '-in', cert, '-inkey', key, '-out', p12, '-passout', 'pass:s3cret-Passphrase');
    const fingerprint = openssl('x509', '-in', cert, '-noout', '-fingerprint', '-sha256').split('=')[1].trim();

    await login(page, daemon);
    await page.goto(`${daemon.url}/#/identities`);
    await page.locator('#import-identity summary').click();
    const form = page.locator('#import-form');
    await form.getByLabel('Identity name').fill('pbx');
    await form.getByLabel('Certificate or PKCS#12 file').setInputFiles(p12);
    await form.getByLabel('Passphrase (PKCS#12 or encrypted key)').fill('wrong-passphrase');
    await form.getByRole('button', { name: 'Import' }).click();
    const error = form.locator('.field-error:not([hidden]), .form-alert.error');
    await error.first().waitFor();
    assert.match(await error.first().textContent(), /HTTP 422/);
    const listed = await page.request.get(`${daemon.url}/api/v1/identities`);
    assert.equal((await listed.json()).some((i) => i.name === 'pbx'), false);

    await form.getByLabel('Passphrase (PKCS#12 or encrypted key)').fill('s3cret-Passphrase');
    await form.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'Identity pbx' }).waitFor();
    const fields = page.locator('dl.fields').nth(1);
    assert.match(await fields.textContent(), /CN=pbx\.example\.com/);
    assert.match(await fields.textContent(), /dns:pbx\.example\.com/i);
    assert.match(await page.locator('#main').textContent(), new RegExp(fingerprint.replaceAll(':', ':?'), 'i'));

    const exportForm = page.locator('#export-form');
    await exportForm.getByLabel('Format').selectOption('pkcs12');
    await exportForm.getByLabel('Include the private key (admins only)').check();
    await exportForm.getByRole('button', { name: 'Export' }).click();
    const refusal = exportForm.locator('.field-error:not([hidden]), .form-alert.error').first();
    await refusal.waitFor();
    assert.match(await refusal.textContent(), /HTTP 422/);
    await exportForm.getByLabel(/^Passphrase/).fill('export-Passphrase-1');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      exportForm.getByRole('button', { name: 'Export' }).click(),
    ]);
    const exported = path.join(folder, 'exported.p12');
    await download.saveAs(exported);
    const opened = openssl('pkcs12', '-in', exported, '-passin', 'pass:export-Passphrase-1', '-nodes');
    assert.match(opened, /BEGIN PRIVATE KEY/);
    assert.match(opened, /subject=CN\s*=\s*pbx\.example\.com/);
    assert.deepEqual(world.problems, []);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    await world.done();
  }
});
