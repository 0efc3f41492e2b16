// Who uses an identity: its detail page lists the contexts that present it and the services those
// contexts serve; the TLS contexts page marks the context the web UI is served with (default while
// web-admin is unbound). The Legacy checkbox of the CSR form adds RSA 1024 and SHA-1 and takes
// them away again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiAsPage, login, setUp } from './telecertd.mjs';

async function optionValues(select) {
  return select.locator('option').evaluateAll((options) => options.map((o) => o.value));
}

test('IdentityDetailShowsContextsAndServicesUsingItAndWebUiContextIsMarked', { timeout: 90000 }, async () => {
  const world = await setUp('identity-used-by');
  const { page, daemon } = world;
  try {
    await login(page, daemon);
    const made = await apiAsPage(page, daemon, 'POST', '/api/v1/identities/trunk-id/self-signed',
      { subject: { cn: 'trunk.example.com' }, subject_alt_names: ['dns:trunk.example.com'], key_type: 'p256', signature: 'sha256', validity_days: 30 });
    assert.equal(made.status(), 201);
    const context = await apiAsPage(page, daemon, 'POST', '/api/v1/contexts', { name: 'sip-trunk', fields: { identity: 'trunk-id' } });
    assert.equal(context.status(), 201);
    const bound = await apiAsPage(page, daemon, 'PUT', '/api/v1/services/sip-tls', { context: 'sip-trunk' });
    assert.equal(bound.status(), 200);

    await page.goto(`${daemon.url}/#/identities/trunk-id`);
    const usedBy = page.locator('#used-by');
    await usedBy.getByRole('heading', { name: 'Used by' }).waitFor();
    const text = await usedBy.textContent();
    assert.match(text, /context sip-trunk — serves sip-tls/);
    assert.doesNotMatch(text, /web-admin/);
    await usedBy.getByRole('link', { name: 'sip-trunk' }).click();
    await page.getByRole('heading', { name: 'TLS context sip-trunk' }).waitFor();
    assert.equal(await page.locator('.web-ui-note').count(), 0);

    await page.goto(`${daemon.url}/#/identities/factory`);
    await page.locator('#used-by').getByRole('heading', { name: 'Used by' }).waitFor();
    assert.match(await page.locator('#used-by').textContent(), /context default — serves .*web-admin/);

    await page.goto(`${daemon.url}/#/contexts`);
    const row = page.locator('tbody tr', { hasText: 'serves this web UI' });
    await row.waitFor();
    assert.equal(await row.count(), 1);
    assert.match(await row.locator('td').first().textContent(), /^default/);
    await page.getByRole('link', { name: 'Edit default' }).click();
    await page.getByRole('heading', { name: 'TLS context default' }).waitFor();
    assert.match(await page.locator('.web-ui-note').textContent(), /requiring client certificates .* `telecert context set` on the device/);

    await page.goto(`${daemon.url}/#/identities`);
    await page.locator('#create-csr summary').click();
    const form = page.locator('#csr-form');
    const keyType = form.getByLabel('Key type');
    const signature = form.getByLabel('Signature algorithm');
    assert.ok(!(await optionValues(keyType)).includes('rsa1024'));
    await form.getByLabel(/^Legacy/).check();
    assert.ok((await optionValues(keyType)).includes('rsa1024'));
    assert.ok((await optionValues(signature)).includes('sha1'));
    await keyType.selectOption('rsa1024');
    await form.getByLabel(/^Legacy/).uncheck();
    assert.ok(!(await optionValues(keyType)).includes('rsa1024'));
    assert.ok(!(await optionValues(signature)).includes('sha1'));
    assert.equal(await keyType.inputValue(), 'p256');
    assert.deepEqual(world.problems, []);
  } finally {
    await world.done();
  }
});
