// A self-signed identity made with the form (validity days, key type) shows every field, is listed,
// and is deleted after the confirmation; a pending CSR is listed under "needs action" on the
// dashboard; a name the daemon refuses shows its message in the form.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { login, setUp } from './telecertd.mjs';

test('SelfSignedIdentityCreatedShownAndDeletedAndPendingCsrNeedsAction', { timeout: 60000 }, async () => {
  const world = await setUp('identity-lifecycle');
  const { page, daemon } = world;
  try {
    await login(page, daemon);
    await page.goto(`${daemon.url}/#/identities`);
    await page.locator('#create-self-signed summary').click();
    const form = page.locator('#ss-form');
    await form.getByLabel('Identity name').fill('bad name!');
    await form.getByLabel('Subject name [CN]').fill('pbx.example.com');
    await form.getByRole('button', { name: 'Create self-signed certificate' }).click();
    const refusal = form.locator('.field-error:not([hidden]), .form-alert.error').first();
    await refusal.waitFor();
    assert.match(await refusal.textContent(), /HTTP (4\d\d)/);

    await form.getByLabel('Identity name').fill('pbx-web');
    await form.getByLabel('1st SAN value').fill('pbx.example.com');
    await form.getByLabel('Key type').selectOption('p384');
    await form.getByLabel('Validity (days)').fill('200');
    await form.getByRole('button', { name: 'Create self-signed certificate' }).click();
    await page.getByRole('heading', { name: 'Identity pbx-web' }).waitFor();
    const text = await page.locator('#main').textContent();
    assert.match(text, /EC P-384/);
    assert.match(text, /dns:pbx\.example\.com/);
    assert.match(text, /Days left\s*(199|200)/);

    await page.goto(`${daemon.url}/#/identities`);
    await page.locator('#create-csr summary').click();
    const csr = page.locator('#csr-form');
    await csr.getByLabel('Identity name').fill('trunk');
    await csr.getByLabel('Subject name [CN]').fill('trunk.example.com');
    await csr.getByRole('button', { name: 'Create CSR' }).click();
    await page.getByRole('heading', { name: 'Identity trunk' }).waitFor();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const pending = page.locator('#needs-action li.problem', { hasText: 'trunk' });
    await pending.waitFor();
    assert.match(await pending.textContent(), /pending/);
    assert.equal(await page.locator('svg.timeline g.row[data-name="identity:trunk"]').getAttribute('data-status'), 'pending');

    await page.goto(`${daemon.url}/#/identities/pbx-web`);
    await page.getByRole('button', { name: 'Delete pbx-web' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.getByRole('heading', { name: 'Identity pbx-web' }).count(), 1);
    await page.getByRole('button', { name: 'Delete pbx-web' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Identities', level: 1 }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'pbx-web' }).count(), 0);
    assert.deepEqual(world.problems, []);
  } finally {
    await world.done();
  }
});
