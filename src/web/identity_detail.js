// One identity: every field of its certificate and chain, the pending CSR (shown and downloadable
// as <name>.csr), upload of the signed certificate, export (PEM, DER, PKCS#12; with the key only
// with a passphrase), and delete.
import { api, fileToBase64, request, saveResponse } from './api.js';
import {
  badge, confirmDialog, errorText, field, formAlert, formatDate, h, onSubmit, pageHeader, select,
  showMessage, writeControl,
} from './dom.js';

function list(values) {
  return values && values.length ? h('ul', { class: 'plain' }, values.map((v) => h('li', {}, v))) : '—';
}

function certificateFields(certificate) {
  const rows = [
    ['Subject', certificate.subject],
    ['Issuer', certificate.issuer],
    ['Serial number', certificate.serial],
    ['Valid from', formatDate(certificate.not_before)],
    ['Valid until', formatDate(certificate.not_after)],
    ['Days left', String(certificate.days_left)],
    ['Status', badge(certificate.status)],
    ['Subject alternative names', list(certificate.subject_alt_names)],
    ['Public key', certificate.public_key],
    ['Signature algorithm', certificate.signature_algorithm],
    ['Key usage', list(certificate.key_usage)],
    ['Extended key usage', list(certificate.extended_key_usage)],
    ['CA', certificate.is_ca ? `yes${certificate.path_length != null ? `, path length ${certificate.path_length}` : ''}` : 'no'],
    ['Self-signed', certificate.self_signed ? 'yes' : 'no'],
    ['SHA-256 fingerprint', h('code', { class: 'fingerprint' }, certificate.sha256_fingerprint)],
    ['SHA-1 fingerprint', h('code', { class: 'fingerprint' }, certificate.sha1_fingerprint)],
  ];
  return h('dl', { class: 'fields' }, rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

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
    field('Signed certificate (PEM or DER)', h('input', { type: 'file', name: 'certificate', id: 'upload-certificate', required: true, accept: '.pem,.crt,.cer,.der' }), { keys: ['certificate'] }),
    field('Chain (intermediate certificates, optional)', h('input', { type: 'file', name: 'chain', id: 'upload-chain', accept: '.pem,.crt,.cer' }), { keys: ['chain'] }),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, async (data) => {
    const certificate = data.get('certificate');
    if (!(certificate instanceof File) || certificate.size === 0) throw Object.assign(new Error('Choose the signed certificate file'), { hint: '' });
    const body = { certificate: await fileToBase64(certificate) };
    const chain = data.get('chain');
    if (chain instanceof File && chain.size > 0) body.chain = await fileToBase64(chain);
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

export async function renderIdentity(ctx, name) {
  const identity = await api('GET', `/api/v1/identities/${encodeURIComponent(name)}`);
  const certificate = identity.certificate;
  return h('section', { class: 'identity-detail', dataset: { title: identity.name } },
    pageHeader(`Identity ${identity.name}`, badge(identity.status)),
    h('p', {}, h('a', { href: '#/identities' }, '← All identities')),
    h('dl', { class: 'fields summary' },
      h('dt', {}, 'Origin'), h('dd', {}, identity.origin),
      h('dt', {}, 'Key'), h('dd', {}, identity.key),
      h('dt', {}, 'Created'), h('dd', {}, formatDate(identity.created_at))),
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
