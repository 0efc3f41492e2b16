// Identities: the table of the device's own certificates and the forms that make one (CSR,
// self-signed, import); "#/identities/NAME" shows one identity with every field and its actions.
import { api } from './api.js';
import { badge, formatDay, h, pageHeader, table } from './dom.js';
import { createForm, importForm } from './identity_forms.js';
import { renderIdentity } from './identity_detail.js';

function section(title, id, content, open = false) {
  return h('details', { class: 'panel form-panel', id, open }, h('summary', {}, h('h2', {}, title)), content);
}

export async function render(ctx) {
  if (ctx.args[0]) return renderIdentity(ctx, ctx.args[0]);
  const identities = await api('GET', '/api/v1/identities?limit=1000');
  const columns = [
    { title: 'Name', cell: (i) => h('a', { href: `#/identities/${encodeURIComponent(i.name)}` }, i.name) },
    { title: 'Subject', cell: (i) => i.subject ?? '— (CSR pending)' },
    { title: 'Issuer', cell: (i) => i.issuer ?? '—' },
    { title: 'Expires', cell: (i) => formatDay(i.not_after) },
    { title: 'Days left', cell: (i) => (i.days_left ?? '—'), class: 'number' },
    { title: 'Status', cell: (i) => badge(i.status) },
    { title: 'Origin', cell: (i) => i.origin },
    { title: 'Key', cell: (i) => i.key },
  ];
  const admin = ctx.session.role === 'admin';
  return h('section', { dataset: { title: 'Identities' } },
    pageHeader('Identities'),
    h('p', { class: 'help' }, 'The certificates this device presents, each with its private key. A TLS context without an identity uses the factory identity.'),
    admin ? null : h('p', { class: 'read-only-note', role: 'note' }, 'You are logged in as a monitor: you can look, not change.'),
    table('Identity certificates', columns, identities, { empty: 'No identities yet.' }),
    section('Create a certificate signing request (CSR)', 'create-csr', createForm('csr', ctx), admin && identities.length === 0),
    section('Create a self-signed certificate', 'create-self-signed', createForm('self-signed', ctx)),
    section('Import key and certificate (PEM or PKCS#12)', 'import-identity', importForm(ctx)));
}
