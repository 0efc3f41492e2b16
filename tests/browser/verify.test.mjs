// Verify page: a chain signed by a root the device trusts (imported on the Trusted roots page) is
// reported trusted for its own name, and not trusted, with the problem and its remedy, for
// another name.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { login, openssl, selfSigned, setUp, tempDir } from './telecertd.mjs';

test('VerifyReportsTrustedChainAndExplainsANameMismatch', { timeout: 60000 }, async () => {
  const world = await setUp('verify');
  const { page, daemon } = world;
  const folder = tempDir();
  try {
    const ca = selfSigned(folder, 'ca', 'Verify Test Root', 3650, ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const leafKey = path.join(folder, 'leaf.key');
    const leafCsr = path.join(folder, 'leaf.csr');
    const leaf = path.join(folder, 'leaf.pem');
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', leafKey,
      '-out', leafCsr, '-subj', '/CN=sip.example.com', '-addext', 'subjectAltName=DNS:sip.example.com',
      '-addext', 'extendedKeyUsage=serverAuth', '-addext', 'keyUsage=critical,digitalSignature');
    openssl('x509', '-req', '-in', leafCsr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '90',
      '-copy_extensions', 'copyall', '-out', leaf);

    await login(page, daemon);
    await page.goto(`${daemon.url}/#/trust`);
    await page.getByLabel('Certificate file (PEM, may hold several, or DER)').setInputFiles(ca.cert);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#trust-import-form .form-alert.ok').waitFor();

    await page.getByRole('link', { name: 'Verify / probe' }).click();
    const form = page.locator('#verify-form');
    await form.getByLabel('Chain file (PEM: leaf first)').setInputFiles(leaf);
    await form.getByLabel('Expected name (optional)').fill('sip.example.com');
    await form.getByRole('button', { name: 'Verify' }).click();
    await page.locator('.verdict', { hasText: /^Trusted$/ }).waitFor();
    assert.match(await page.locator('.report .chain').textContent(), /Verify Test Root/);

    await form.getByLabel('Expected name (optional)').fill('other.example.com');
    await form.getByRole('button', { name: 'Verify' }).click();
    await page.locator('.verdict', { hasText: 'Not trusted' }).waitFor();
    const problems = await page.locator('.report .problems').textContent();
    assert.match(problems, /other\.example\.com/);
    assert.match(problems, /What to do:/);
    assert.deepEqual(world.problems, []);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    await world.done();
  }
});
