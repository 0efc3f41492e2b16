// Trusted roots chosen in the UI alone: a root pasted as PEM text is listed with its shortened
// SHA-256 fingerprint (the full one in the title) and its View shows every field; two roots ticked
// in a context's multi-select (after narrowing it with the filter box) are saved as that context's
// explicit trust list, and the edit form shows them ticked again.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { login, selfSigned, setUp, tempDir } from './telecertd.mjs';

const CA = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];

async function pasteRoot(page, pem) {
  await page.getByLabel('or paste PEM — one or more certificates').fill(pem);
  await page.getByRole('button', { name: 'Import' }).click();
  await page.locator('#trust-import-form .form-alert.ok', { hasText: 'Added 1 certificate' }).waitFor();
}

test('PastedPemRootIsListedAndViewedAndTwoRootsPickedForAContextBecomeItsExplicitList', { timeout: 90000 }, async () => {
  const world = await setUp('roots-paste-pick');
  const { page, daemon } = world;
  const folder = tempDir();
  try {
    const first = selfSigned(folder, 'first', 'Picked Root One', 3650, CA);
    const second = selfSigned(folder, 'second', 'Picked Root Two', 3650, CA);
    const third = selfSigned(folder, 'third', 'Other Root Three', 3650, CA);
    await login(page, daemon);
    await page.goto(`${daemon.url}/#/trust`);
    await page.getByRole('heading', { name: 'Trusted root certificates' }).waitFor();
    await pasteRoot(page, fs.readFileSync(first.cert, 'utf8'));
    const row = page.locator('tbody tr', { hasText: 'Picked Root One' });
    await row.waitFor();
    const anchors = await (await page.request.get(`${daemon.url}/api/v1/trust?filter=custom`)).json();
    assert.equal(anchors.length, 1);
    const fingerprint = anchors[0].sha256_fingerprint;
    const shown = row.locator('code.fingerprint');
    assert.equal(await shown.getAttribute('title'), fingerprint);
    assert.ok((await shown.textContent()).length < fingerprint.length);

    await row.getByRole('link', { name: `View root ${anchors[0].id}` }).click();
    await page.getByRole('heading', { name: `Trusted root #${anchors[0].id}` }).waitFor();
    const detail = await page.locator('#main').textContent();
    for (const text of ['Picked Root One', 'SHA-256 fingerprint', fingerprint, 'Valid until', 'custom']) assert.ok(detail.includes(text), text);
    await page.getByRole('link', { name: '← All trusted roots' }).click();
    await pasteRoot(page, fs.readFileSync(second.cert, 'utf8'));
    await pasteRoot(page, fs.readFileSync(third.cert, 'utf8'));
    const all = await (await page.request.get(`${daemon.url}/api/v1/trust?filter=custom`)).json();
    const wanted = all.filter((r) => r.subject.includes('Picked')).map((r) => r.sha256_fingerprint).sort();
    assert.equal(wanted.length, 2);

    await page.getByRole('link', { name: 'TLS contexts' }).click();
    await page.locator('#create-context summary').click();
    const create = page.locator('#new-context-form');
    await create.getByLabel('Name').fill('pinned');
    await create.getByLabel('trust', { exact: true }).selectOption('list');
    await create.getByLabel('Filter roots').fill('picked root');
    const choices = create.locator('.root-choices li:not([hidden])');
    assert.equal(await choices.count(), 2);
    await create.getByLabel(/Picked Root One/).check();
    await create.getByLabel(/Picked Root Two/).check();
    await create.getByText('2 roots chosen').waitFor();
    await create.getByRole('button', { name: 'Create context' }).click();
    await page.getByRole('heading', { name: 'TLS context pinned' }).waitFor();

    const saved = await (await page.request.get(`${daemon.url}/api/v1/contexts/pinned`)).json();
    assert.equal(saved.trust, 'list');
    assert.deepEqual([...saved['trust-list']].sort(), wanted);
    const edit = page.locator('#edit-context-form');
    assert.equal(await edit.getByLabel('trust', { exact: true }).inputValue(), 'list');
    assert.equal(await edit.getByLabel(/Picked Root One/).isChecked(), true);
    assert.equal(await edit.getByLabel(/Picked Root Two/).isChecked(), true);
    assert.equal(await edit.getByLabel(/Other Root Three/).isChecked(), false);
    assert.deepEqual(world.problems, []);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    await world.done();
  }
});
