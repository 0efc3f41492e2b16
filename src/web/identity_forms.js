// The forms that make an identity: the AudioCodes "Certificate Signing Request" form (CN, five
// typed SAN rows, OU, O, L, ST, C, key type, signature algorithm) for a CSR or a self-signed
// certificate, and the import of a key + certificate (PEM) or a PKCS#12 with its passphrase.
import { api } from './api.js';
import { field, formAlert, h, input, onSubmit, select, showMessage, writeControl } from './dom.js';
import { fileOrPaste, uploadValue } from './upload.js';

const KEY_TYPES = [
  ['p256', 'EC P-256'], ['p384', 'EC P-384'], ['rsa2048', 'RSA 2048'], ['rsa3072', 'RSA 3072'],
  ['rsa4096', 'RSA 4096'], ['ed25519', 'Ed25519'],
];
const SIGNATURES = [['sha256', 'SHA-256'], ['sha384', 'SHA-384'], ['sha512', 'SHA-512']];
// Offered only while "Legacy" is ticked (the API takes them with "legacy": true).
const LEGACY_KEY_TYPES = [['rsa1024', 'RSA 1024 (legacy)']];
const LEGACY_SIGNATURES = [['sha1', 'SHA-1 (legacy)']];
const SAN_TYPES = [['dns', 'DNS'], ['ip', 'IP'], ['email', 'email'], ['uri', 'URI']];
const ORDINALS = ['1st', '2nd', '3rd', '4th', '5th'];

function nameInput(prefix) {
  return input('name', { id: `${prefix}-name`, required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._-]{0,63}', autocomplete: 'off' });
}

function sanRows(prefix) {
  return h('fieldset', { class: 'san-rows' }, h('legend', {}, 'Subject Alternative Names (up to five)'),
    ORDINALS.map((ordinal, i) => h('div', { class: 'san-row' },
      field(`${ordinal} SAN type`, select(`san-type-${i}`, SAN_TYPES, 'dns', { id: `${prefix}-san-type-${i}` })),
      field(`${ordinal} SAN value`, input(`san-value-${i}`, { id: `${prefix}-san-value-${i}`, autocomplete: 'off' }), { keys: ['subject alternative name', 'san'] }))));
}

function subjectFields(prefix) {
  return [
    field('Subject name [CN]', input('cn', { id: `${prefix}-cn`, required: true }), { keys: ['common name', 'cn'] }),
    sanRows(prefix),
    h('fieldset', { class: 'grid-2' }, h('legend', {}, 'Optional subject fields'),
      field('Organizational unit [OU]', input('ou', { id: `${prefix}-ou` }), { keys: ['organizational unit'] }),
      field('Company name [O]', input('o', { id: `${prefix}-o` }), { keys: ['organization'] }),
      field('Locality or city [L]', input('l', { id: `${prefix}-l` }), { keys: ['locality'] }),
      field('State [ST]', input('st', { id: `${prefix}-st` }), { keys: ['state'] }),
      field('Country code [C]', input('c', { id: `${prefix}-c`, maxlength: 2, size: 3 }), { help: 'two letters, e.g. US', keys: ['country'] })),
    h('div', { class: 'grid-2' },
      field('Key type', select('key_type', KEY_TYPES, 'p256', { id: `${prefix}-key-type` }), { keys: ['key type', 'key_type'] }),
      field('Signature algorithm', select('signature', SIGNATURES, 'sha256', { id: `${prefix}-signature` }), { keys: ['signature', 'digest'] })),
  ];
}

// The NewIdentity body of the contract from a submitted form.
export function newIdentityBody(data, selfSigned) {
  const text = (key) => String(data.get(key) || '').trim();
  const subject = { cn: text('cn') };
  for (const key of ['ou', 'o', 'l', 'st', 'c']) if (text(key)) subject[key] = text(key);
  const sans = [];
  for (let i = 0; i < 5; i += 1) {
    const value = text(`san-value-${i}`);
    if (value) sans.push(`${text(`san-type-${i}`)}:${value}`);
  }
  const body = { subject, subject_alt_names: sans, key_type: text('key_type'), signature: text('signature'), legacy: data.get('legacy') === 'on' };
  if (selfSigned) body.validity_days = Number(text('validity_days') || 365);
  return body;
}

// The "Legacy" checkbox: ticked, the key type and signature lists offer RSA 1024 and SHA-1 too;
// unticked, those are removed again (a chosen one falls back to the default).
function legacyToggle(prefix) {
  const box = h('input', { type: 'checkbox', name: 'legacy', id: `${prefix}-legacy` });
  box.addEventListener('change', () => {
    const form = box.form;
    const lists = [[form.elements.namedItem('key_type'), LEGACY_KEY_TYPES], [form.elements.namedItem('signature'), LEGACY_SIGNATURES]];
    for (const [list, extra] of lists) {
      for (const [value, text] of extra) {
        const present = [...list.options].find((o) => o.value === value);
        if (box.checked && !present) list.append(h('option', { value, dataset: { legacy: 'true' } }, text));
        if (!box.checked && present) {
          const wasChosen = present.selected;
          present.remove();
          if (wasChosen) list.selectedIndex = 0;
        }
      }
    }
  });
  return box;
}

// mode: 'csr' | 'self-signed'
export function createForm(mode, ctx) {
  const selfSigned = mode === 'self-signed';
  const prefix = selfSigned ? 'ss' : 'csr';
  const submit = writeControl(h('button', { type: 'submit', class: 'primary' }, selfSigned ? 'Create self-signed certificate' : 'Create CSR'), ctx.session);
  const form = h('form', { class: 'identity-form', id: `${prefix}-form`, novalidate: true },
    formAlert(),
    field('Identity name', nameInput(prefix), { help: 'how telecert and the TLS contexts refer to it, e.g. sbc-sip', keys: ['identity name'] }),
    subjectFields(prefix),
    selfSigned ? field('Validity (days)', input('validity_days', { id: `${prefix}-validity`, type: 'number', min: 1, max: 825, value: '365' }), { keys: ['validity', 'days'] }) : null,
    field('Legacy (allow SHA-1 / RSA 1024 for old peers)', legacyToggle(prefix)),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, async (data) => {
    const name = String(data.get('name') || '').trim();
    const path = `/api/v1/identities/${encodeURIComponent(name)}/${selfSigned ? 'self-signed' : 'csr'}`;
    await api('POST', path, newIdentityBody(data, selfSigned));
    showMessage(form, selfSigned ? `Created ${name}.` : `CSR created for ${name}.`);
    ctx.navigate(`#/identities/${encodeURIComponent(name)}`);
  });
  return form;
}

export function importForm(ctx) {
  const submit = writeControl(h('button', { type: 'submit', class: 'primary' }, 'Import'), ctx.session);
  const form = h('form', { class: 'identity-form', id: 'import-form', novalidate: true },
    formAlert(),
    field('Identity name', nameInput('import'), { keys: ['identity name'] }),
    fileOrPaste('Certificate or PKCS#12 file', 'file', { id: 'import-file', required: true, accept: '.pem,.crt,.cer,.der,.p12,.pfx',
      help: 'PEM (may hold the key and chain too), DER, or PKCS#12 (.p12/.pfx)', keys: ['certificate', 'pkcs#12', 'pkcs12', 'file'], what: 'certificate (and key)' }),
    fileOrPaste('Private key file (PEM or DER, optional)', 'key_file', { id: 'import-key', accept: '.pem,.key,.der',
      help: 'not needed for PKCS#12 or a PEM that holds the key', keys: ['private key', 'key file', 'key does not match'], what: 'private key' }),
    fileOrPaste('Chain file (intermediate certificates, optional)', 'chain_file', { id: 'import-chain', accept: '.pem,.crt,.cer', keys: ['chain'], what: 'chain' }),
    field('Passphrase (PKCS#12 or encrypted key)', h('input', { type: 'password', name: 'passphrase', id: 'import-passphrase', autocomplete: 'off' }), { keys: ['passphrase', 'password'] }),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, async (data) => {
    const name = String(data.get('name') || '').trim();
    const body = {};
    body.file = await uploadValue(data, 'file', 'Choose the certificate or PKCS#12 file or paste the PEM');
    for (const key of ['key_file', 'chain_file']) {
      const extra = await uploadValue(data, key);
      if (extra) body[key] = extra;
    }
    if (data.get('passphrase')) body.passphrase = String(data.get('passphrase'));
    await api('POST', `/api/v1/identities/${encodeURIComponent(name)}/import`, body);
    ctx.navigate(`#/identities/${encodeURIComponent(name)}`);
  });
  return form;
}
