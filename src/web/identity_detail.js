// One identity: every field of its certificate and chain, the pending CSR (shown and downloadable
// as <name>.csr), upload of the signed certificate, export (PEM, DER, PKCS#12; with the key only
// with a passphrase), and delete.
import { api, request, saveResponse } from './api.js';
import { certificateFields } from './cert_fields.js';
import {
  badge, confirmDialog, errorText, field, formAlert, formatDate, h, onSubmit, pageHeader, select,
  showMessage, writeControl,
} from './dom.js';
import { fileOrPaste, uploadValue } from './upload.js';

function csrPanel(identity) {
  const file = `${identity.name}.csr`;
  return h('section', { class: 'panel', 'aria-labelledby': 'csr-title' },
    h('h2', { id: 'csr-title' }, 'Certificate signing request'),
    h('p', {}, 'Send this CSR to your certification authority; upload the certificate it signs below.'),
    h('p', {}, h('a', { class: 'button primary', id: 'download-csr', href: `/api/v1/identities/${encodeURIComponent(identity.name)}/csr`, download: file }, `Download ${file}`)),
    h('label', { for: 'csr-pem' }, 'CSR (PEM)'),
    h('textarea', { id: 'csr-pem', readonly: true, rows: 12, class: 'pem' }, identity.csr));
}

function uploadForm(ctx, identity) {
  const submit = writeControl(h('button', { type: 'submit', class: 'primary' }, 'Upload certificate'), ctx.session);
  const form = h('form', { id: 'upload-form', novalidate: true },
    h('h2', {}, identity.status === 'pending' ? 'Upload the signed certificate' : 'Replace the certificate (same key)'),
    formAlert(),
    fileOrPaste('Signed certificate (PEM or DER)', 'certificate', { id: 'upload-certificate', required: true, accept: '.pem,.crt,.cer,.der', keys: ['certificate'], what: 'signed certificate' }),
    fileOrPaste('Chain (intermediate certificates, optional)', 'chain', { id: 'upload-chain', accept: '.pem,.crt,.cer', keys: ['chain'], what: 'chain' }),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, async (data) => {
    const body = { certificate: await uploadValue(data, 'certificate', 'Choose the signed certificate file or paste it') };
    const chain = await uploadValue(data, 'chain');
    if (chain) body.chain = chain;
    await api('POST', `/api/v1/identities/${encodeURIComponent(identity.name)}/certificate`, body);
    ctx.refresh();
  });
  return h('section', { class: 'panel' }, form);
}

function exportForm(ctx, identity) {
  const withKey = h('input', { type: 'checkbox', name: 'with_key', id: 'export-with-key' });
  const format = select('format', [['pem', 'PEM'], ['der', 'DER'], ['pkcs12', 'PKCS#12 (.p12)']], 'pem', { id: 'export-format' });
  const form = h('form', { id: 'export-form', novalidate: true },
    h('h2', {}, 'Export'),
    formAlert(),
    h('div', { class: 'grid-2' },
      field('Format', format, { keys: ['format'] }),
      field('Passphrase (needed with the key and for PKCS#12)', h('input', { type: 'password', name: 'passphrase', id: 'export-passphrase', autocomplete: 'new-password' }), { keys: ['passphrase'] })),
    field('Include the private key (admins only)', writeControl(withKey, ctx.session)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Export')));
  onSubmit(form, async (data) => {
    const chosen = String(data.get('format'));
    const body = { format: chosen, with_key: data.get('with_key') === 'on' };
    if (data.get('passphrase')) body.passphrase = String(data.get('passphrase'));
    const response = await request('POST', `/api/v1/identities/${encodeURIComponent(identity.name)}/export`, body);
    const extension = { pem: 'pem', der: 'der', pkcs12: 'p12' }[chosen];
    await saveResponse(response, `${identity.name}.${extension}`);
    showMessage(form, 'Exported.');
  });
  return h('section', { class: 'panel' }, form);
}

function deleteButton(ctx, identity) {
  const alert = formAlert();
  const button = writeControl(h('button', { type: 'button', class: 'danger', id: 'delete-identity' }, `Delete ${identity.name}`), ctx.session);
  button.addEventListener('click', async () => {
    if (!(await confirmDialog(`Delete the identity ${identity.name} and its private key? This cannot be undone.`, 'Delete'))) return;
    try {
      await api('DELETE', `/api/v1/identities/${encodeURIComponent(identity.name)}`);
      ctx.navigate('#/identities');
    } catch (error) {
      alert.className = 'form-alert error';
      alert.textContent = errorText(error);
    }
  });
  return h('section', { class: 'panel danger-zone' }, h('h2', {}, 'Delete'), alert, button);
}

// The contexts that present this identity and the services those contexts serve (an unbound
// service uses "default").
function usedByPanel(identity, contexts, services) {
  const using = contexts.filter((c) => (c.identity_in_use || c.identity) === identity.name);
  const servedBy = (context) => services.filter((s) => (s.context || 'default') === context.name).map((s) => s.service);
  const content = using.length === 0
    ? h('p', { class: 'empty' }, 'No TLS context presents this identity.')
    : h('ul', { class: 'plain used-by' }, using.map((c) => {
      const served = servedBy(c);
      return h('li', {}, 'context ', h('a', { href: `#/contexts/${encodeURIComponent(c.name)}` }, c.name), ' — ',
        served.length ? `serves ${served.join(', ')}` : 'no service bound');
    }));
  return h('section', { class: 'panel', id: 'used-by', 'aria-labelledby': 'used-by-title' },
    h('h2', { id: 'used-by-title' }, 'Used by'), content);
}

export async function renderIdentity(ctx, name) {
  const [identity, contexts, services] = await Promise.all([
    api('GET', `/api/v1/identities/${encodeURIComponent(name)}`),
    api('GET', '/api/v1/contexts?limit=1000'),
    api('GET', '/api/v1/services?limit=1000'),
  ]);
  const certificate = identity.certificate;
  return h('section', { class: 'identity-detail', dataset: { title: identity.name } },
    pageHeader(`Identity ${identity.name}`, badge(identity.status)),
    h('p', {}, h('a', { href: '#/identities' }, '← All identities')),
    h('dl', { class: 'fields summary' },
      h('dt', {}, 'Origin'), h('dd', {}, identity.origin),
      h('dt', {}, 'Key'), h('dd', {}, identity.key),
      h('dt', {}, 'Created'), h('dd', {}, formatDate(identity.created_at))),
    usedByPanel(identity, contexts, services),
    identity.csr ? csrPanel(identity) : null,
    certificate ? h('section', { class: 'panel' }, h('h2', {}, 'Certificate'), certificateFields(certificate)) : null,
    identity.chain && identity.chain.length
      ? h('section', { class: 'panel' }, h('h2', {}, `Chain (${identity.chain.length})`),
        identity.chain.map((c, i) => h('details', { class: 'chain-entry' }, h('summary', {}, `${i + 1}. ${c.subject}`), certificateFields(c))))
      : null,
    uploadForm(ctx, identity),
    certificate ? exportForm(ctx, identity) : null,
    identity.origin === 'factory' ? null : deleteButton(ctx, identity));
}
