// TLS contexts: the edit form of "default" (built from the field table) saves min TLS 1.3; the
// table and a fresh load of the form show it, and so does the API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { login, setUp } from './telecertd.mjs';

test('ContextEditFormSavesMinimumTls13AndShowsItAfterReload', { timeout: 60000 }, async () => {
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
    assert.deepEqual(world.problems, []);
  } finally {
    await world.done();
  }
});
