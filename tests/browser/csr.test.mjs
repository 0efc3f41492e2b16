// The AudioCodes "Certificate Signing Request" form: a CSR with three typed SANs is created in
// the browser, downloaded as <name>.csr, and `openssl req -verify` accepts it with the SANs in it.
// Then the "Change Certificate" step: the certificate an openssl CA signs from it is uploaded on
// the identity's page, which then shows it valid with the SANs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { login, openssl, selfSigned, setUp, tempDir } from './telecertd.mjs';

test('CsrWithThreeSansCreatedInFormDownloadsVerifiesWithOpensslAndTakesTheSignedCertificate', { timeout: 60000 }, async () => {
  const world = await setUp('csr');
  const { page, daemon } = world;
  const folder = tempDir();
  try {
    await login(page, daemon);
    await page.goto(`${daemon.url}/#/identities`);
    await page.locator('#create-csr summary').click();
    const form = page.locator('#csr-form');
    await form.getByLabel('Identity name').fill('sbc-sip');
    await form.getByLabel('Subject name [CN]').fill('sbc.example.com');
    await form.getByLabel('1st SAN type').selectOption('dns');
    await form.getByLabel('1st SAN value').fill('sbc.example.com');
    await form.getByLabel('2nd SAN type').selectOption('ip');
    await form.getByLabel('2nd SAN value').fill('192.0.2.10');
    await form.getByLabel('3rd SAN type').selectOption('uri');
    await form.getByLabel('3rd SAN value').fill('sip:sbc.example.com');
    await form.getByLabel('Organizational unit [OU]').fill('Voice');
    await form.getByLabel('Company name [O]').fill('Example Corp');
    await form.getByLabel('Country code [C]').fill('US');
    await form.getByLabel('Key type').selectOption('rsa2048');
    await form.getByLabel('Signature algorithm').selectOption('sha384');
    await form.getByRole('button', { name: 'Create CSR' }).click();

    await page.getByRole('heading', { name: 'Identity sbc-sip' }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download sbc-sip.csr' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'sbc-sip.csr');
    const file = path.join(folder, 'sbc-sip.csr');
    await download.saveAs(file);

    openssl('req', '-verify', '-in', file, '-noout'); // throws unless it exits 0
    const text = openssl('req', '-in', file, '-noout', '-text');
    assert.match(text, /DNS:sbc\.example\.com/);
    assert.match(text, /IP Address:192\.0\.2\.10/);
    assert.match(text, /URI:sip:sbc\.example\.com/);
    assert.match(text, /CN\s*=\s*sbc\.example\.com/);
    assert.match(text, /OU\s*=\s*Voice/);
    assert.match(text, /sha384WithRSAEncryption/);
    assert.match(text, /Public-Key: \(2048 bit\)/);
    assert.equal(fs.readFileSync(file, 'utf8').trim(), (await page.locator('#csr-pem').inputValue()).trim());

    const ca = selfSigned(folder, 'ca', 'Browser Test CA', 3650, ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const signed = path.join(folder, 'signed.pem');
    openssl('x509', '-req', '-in', file, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '365',
      '-copy_extensions', 'copyall', '-out', signed);
    await page.getByLabel('Signed certificate (PEM or DER)').setInputFiles(signed);
    await page.getByRole('button', { name: 'Upload certificate' }).click();
    await page.getByRole('heading', { name: 'Certificate', exact: true }).waitFor();
    const fields = await page.locator('#main').textContent();
    assert.match(fields, /CN=Browser Test CA/);
    assert.match(fields, /ip:192\.0\.2\.10/i);
    assert.equal(await page.locator('.page-header .badge').textContent(), 'ok');
    assert.equal(await page.locator('#csr-pem').count(), 0);
    assert.deepEqual(world.problems, []);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    await world.done();
  }
});
