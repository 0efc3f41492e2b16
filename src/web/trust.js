// Trusted roots: the AudioCodes "Trusted Root Certificates" table (index, subject, issuer,
// expires, fingerprint) with the source, a filter (all / built-in / custom), import from a file or
// pasted PEM, export of the shown set as a PEM bundle, removal, and "#/trust/ID": one root's fields.
import { api } from './api.js';
import { certificateFields, shortFingerprint } from './cert_fields.js';
import {
  badge, confirmDialog, errorText, field, formAlert, formatDay, h, onSubmit, pageHeader, select,
  showMessage, table, writeControl,
} from './dom.js';
import { fileOrPaste, uploadValue } from './upload.js';

let currentFilter = 'custom';

function importForm(ctx) {
  const submit = writeControl(h('button', { type: 'submit', class: 'primary' }, 'Import'), ctx.session);
  const form = h('form', { id: 'trust-import-form', novalidate: true },
    h('h2', {}, 'Import a root or intermediate certificate'),
    formAlert(),
    fileOrPaste('Certificate file (PEM, may hold several, or DER)', 'file', { id: 'trust-file', required: true, accept: '.pem,.crt,.cer,.der', keys: ['certificate', 'file'], what: 'one or more certificates' }),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, async (data) => {
    const answer = await api('POST', '/api/v1/trust', { file: await uploadValue(data, 'file', 'Choose a certificate file or paste its PEM') });
    const added = (answer.added || []).length;
    const duplicates = (answer.duplicates || []).length;
    currentFilter = 'custom';
    await ctx.refresh();
    const fresh = document.getElementById('trust-import-form');
    if (fresh) showMessage(fresh, `Added ${added} certificate${added === 1 ? '' : 's'}${duplicates ? `; ${duplicates} already trusted` : ''}.`);
  });
  return h('section', { class: 'panel' }, form);
}

// One root: every field the daemon sends for it. There is no single-root route, so it is found in
// the whole list by its index.
async function renderRoot(ctx, id) {
  const roots = await api('GET', '/api/v1/trust?filter=all&limit=1000');
  const root = roots.find((r) => String(r.id) === String(id));
  const back = h('p', {}, h('a', { href: '#/trust' }, '← All trusted roots'));
  if (!root) {
    return h('section', { dataset: { title: `Root ${id}` } }, pageHeader(`Trusted root #${id}`), back,
      h('p', { class: 'form-alert error', role: 'alert' }, `There is no trusted root #${id} (removed?).`));
  }
  return h('section', { class: 'root-detail', dataset: { title: `Root ${id}` } },
    pageHeader(`Trusted root #${root.id}`, badge(root.status)), back,
    h('dl', { class: 'fields summary' },
      h('dt', {}, 'Source'), h('dd', {}, root.source === 'builtin' ? 'built-in (system CA bundle)' : root.source),
      root.enabled === undefined ? null : [h('dt', {}, 'Enabled'), h('dd', {}, root.enabled ? 'yes' : 'no')]),
    h('section', { class: 'panel' }, h('h2', {}, 'Certificate'), certificateFields(root)));
}

export async function render(ctx) {
  if (ctx.args[0]) return renderRoot(ctx, ctx.args[0]);
  const roots = await api('GET', `/api/v1/trust?filter=${currentFilter}&limit=1000`);
  const alert = formAlert();
  const remove = async (root) => {
    if (!(await confirmDialog(`Remove trusted root #${root.id} (${root.subject})?`, 'Remove'))) return;
    try {
      await api('DELETE', `/api/v1/trust/${root.id}`);
      await ctx.refresh();
    } catch (error) {
      alert.className = 'form-alert error';
      alert.textContent = errorText(error);
    }
  };
  const filter = select('filter', [['all', 'All'], ['builtin', 'Built-in'], ['custom', 'Custom']], currentFilter, { id: 'trust-filter' });
  filter.addEventListener('change', () => {
    currentFilter = filter.value;
    ctx.refresh();
  });
  const columns = [
    { title: 'Index', cell: (r) => String(r.id), class: 'number' },
    { title: 'Subject', cell: (r) => r.subject },
    { title: 'Issuer', cell: (r) => r.issuer },
    { title: 'Expires', cell: (r) => formatDay(r.not_after) },
    { title: 'SHA-256 fingerprint', cell: (r) => shortFingerprint(r.sha256_fingerprint) },
    { title: 'Status', cell: (r) => badge(r.status) },
    { title: 'Source', cell: (r) => (r.source === 'builtin' ? 'built-in' : r.source) },
    {
      title: 'Actions',
      cell: (r) => [
        h('a', { class: 'button small', href: `#/trust/${r.id}`, 'aria-label': `View root ${r.id}` }, 'View'), ' ',
        writeControl(h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove root ${r.id}`, onclick: () => remove(r) }, 'Remove'), ctx.session)],
    },
  ];
  return h('section', { dataset: { title: 'Trusted roots' } },
    pageHeader('Trusted root certificates'),
    h('p', { class: 'help' }, 'Roots and intermediates the TLS contexts verify peers against. Built-in roots come from the system CA bundle; custom ones are yours.'),
    h('div', { class: 'toolbar' },
      field('Show', filter),
      h('a', { class: 'button', id: 'trust-export', href: `/api/v1/trust/export?filter=${currentFilter}`, download: 'trusted-roots.pem' }, 'Export shown roots (PEM bundle)')),
    alert,
    table(`Trusted roots (${currentFilter}): ${roots.length}`, columns, roots, { empty: currentFilter === 'custom' ? 'No custom roots yet: import one below.' : 'No roots.' }),
    importForm(ctx));
}
