// TLS contexts: the edit form of "default" (built from the field table) saves min TLS 1.3; the
// table and a fresh load of the form show it, and so does the API. A context created with the form
// is bound to sip-tls on the Services page; deleting it while bound is refused with the daemon's
// message, and after binding sip-tls back to default it is deleted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { login, setUp } from './telecertd.mjs';

test('ContextEditSavesMinimumTls13AndACreatedContextIsBoundAndDeletedOnlyWhenUnbound', { timeout: 60000 }, async () => {
  const world = await setUp('context-edit');
  const { page, daemon } = world;
  try {
    await login(page, daemon);
    await page.getByRole('link', { name: 'TLS contexts' }).click();
    await page.getByRole('link', { name: 'Edit default' }).click();
    await page.getByRole('heading', { name: 'TLS context default' }).waitFor();
    const form = page.locator('#edit-context-form');
    await form.getByLabel('min-tls').selectOption('1.3');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.locator('#edit-context-form .form-alert.ok', { hasText: 'min-tls' }).waitFor();

    const saved = await (await page.request.get(`${daemon.url}/api/v1/contexts/default`)).json();
    assert.equal(saved['min-tls'], '1.3');
    await page.reload();
    await page.getByRole('heading', { name: 'TLS context default' }).waitFor();
    assert.equal(await page.locator('#edit-context-form').getByLabel('min-tls').inputValue(), '1.3');
    await page.getByRole('link', { name: '← All TLS contexts' }).click();
    const row = page.locator('tbody tr', { hasText: 'default' }).first();
    await row.waitFor();
    assert.match(await row.textContent(), /1\.3 – 1\.3/);

    await page.locator('#create-context summary').click();
    const create = page.locator('#new-context-form');
    await create.getByLabel('Name').fill('sip-trunk');
    await create.getByLabel('client-cert').selectOption('require');
    await create.getByLabel('max-tls').selectOption('1.3');
    await create.getByRole('button', { name: 'Create context' }).click();
    await page.getByRole('heading', { name: 'TLS context sip-trunk' }).waitFor();
    assert.equal(await page.locator('#edit-context-form').getByLabel('client-cert').inputValue(), 'require');

    await page.getByRole('link', { name: 'Services' }).click();
    await page.getByLabel('Context for sip-tls').selectOption('sip-trunk');
    await page.locator('tr', { hasText: 'sip-tls' }).getByRole('button', { name: 'Bind' }).click();
    await page.locator('#main .form-alert.ok', { hasText: 'sip-tls now uses sip-trunk' }).waitFor();
    const services = await (await page.request.get(`${daemon.url}/api/v1/services`)).json();
    assert.equal(services.find((s) => s.service === 'sip-tls').context, 'sip-trunk');

    await page.goto(`${daemon.url}/#/contexts/sip-trunk`);
    await page.getByRole('button', { name: 'Delete sip-trunk' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    const refused = page.locator('.danger-zone .form-alert.error');
    await refused.waitFor();
    assert.match(await refused.textContent(), /sip-tls/);
    assert.match(await refused.textContent(), /HTTP 409|HTTP 422|HTTP 403/);

    await page.getByRole('link', { name: 'Services' }).click();
    await page.getByLabel('Context for sip-tls').selectOption('default');
    await page.locator('tr', { hasText: 'sip-tls' }).getByRole('button', { name: 'Bind' }).click();
    await page.locator('#main .form-alert.ok', { hasText: 'sip-tls now uses default' }).waitFor();
    await page.goto(`${daemon.url}/#/contexts/sip-trunk`);
    await page.getByRole('button', { name: 'Delete sip-trunk' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'TLS contexts', level: 1 }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'sip-trunk' }).count(), 0);
    assert.deepEqual(world.problems, []);
  } finally {
    await world.done();
  }
});
