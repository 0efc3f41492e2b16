// TLS contexts: the AudioCodes "TLS Contexts" table and an edit form with every field (built from
// GET /api/v1/context-fields), create and delete. "#/contexts/NAME" edits one context.
import { api } from './api.js';
import {
  confirmDialog, errorText, field, formAlert, h, input, onSubmit, pageHeader, select, showMessage,
  table, writeControl,
} from './dom.js';
import { contextFields, currentValue, textValue } from './context_fields.js';

// The AudioCodes TLS Contexts page's grouping; a field the daemon adds later lands in "Other".
const GROUPS = [
  ['General', ['role', 'min-tls', 'max-tls', 'legacy', 'dtls', 'ciphers', 'suites', 'groups', 'dh-bits']],
  ['Identity and peer verification', ['identity', 'trust', 'verify', 'cn-fallback', 'client-cert', 'strict', 'send-chain']],
  ['Revocation (OCSP and CRL)', ['ocsp', 'ocsp-url', 'ocsp-stapling', 'ocsp-default', 'crl', 'crl-file']],
];

function grouped(definitions) {
  const known = new Set(GROUPS.flatMap(([, names]) => names));
  const result = GROUPS.map(([title, names]) => [title, names.map((n) => definitions.find((d) => d.name === n)).filter(Boolean)]);
  result.push(['Other', definitions.filter((d) => !known.has(d.name) && d.name !== 'trust-list')]);
  return result.filter(([, list]) => list.length > 0);
}

function control(definition, value, prefix, options) {
  const id = `${prefix}-${definition.name}`;
  if (definition.name === 'identity' && options.identities) {
    const names = options.identities;
    const choices = [['', 'factory identity (default)'], ...names.map((n) => [n, n])];
    if (value && !names.includes(value)) choices.push([value, `${value} (missing)`]);
    return select(definition.name, choices, value || '', { id });
  }
  if (definition.name === 'trust') {
    const list = h('datalist', { id: `${id}-choices` }, ['all', 'builtin', 'custom'].map((v) => h('option', { value: v })));
    const element = input(definition.name, { id, value: textValue(definition, value), list: list.id, autocomplete: 'off' });
    options.extras.push(list);
    return element;
  }
  if (definition.kind === 'bool') return h('input', { type: 'checkbox', name: definition.name, id, checked: Boolean(value) });
  if (definition.kind === 'choice') return select(definition.name, definition.choices || [], textValue(definition, value), { id });
  if (definition.kind === 'number') return input(definition.name, { id, type: 'number', value: textValue(definition, value) });
  return input(definition.name, { id, value: textValue(definition, value), autocomplete: 'off' });
}

function formValue(form, definition) {
  const element = form.elements.namedItem(definition.name);
  if (definition.kind === 'bool') return element.checked ? 'on' : 'off';
  return String(element.value).trim();
}

// The fields whose text differs from `baseline` (a context, or the defaults for a new one).
function changedFields(form, definitions, baseline) {
  const fields = {};
  for (const definition of definitions) {
    if (definition.name === 'trust-list') continue;
    const now = formValue(form, definition);
    if (now !== textValue(definition, currentValue(baseline, definition))) fields[definition.name] = now;
  }
  return fields;
}

function contextForm(ctx, definitions, context, identities) {
  const creating = context === null;
  const baseline = context || {};
  const prefix = creating ? 'new-context' : 'edit-context';
  const nameField = creating ? field('Name', input('name', { id: `${prefix}-name`, required: true, autocomplete: 'off' }), { keys: ['context name'] }) : null;
  const options = { identities, extras: [] };
  const controls = grouped(definitions).map(([title, list]) => h('fieldset', {}, h('legend', {}, title),
    h('div', { class: 'grid-3' }, list.map((definition) =>
      field(definition.name, control(definition, currentValue(baseline, definition), prefix, options), { help: definition.help, keys: [definition.name] })))));
  const submit = writeControl(h('button', { type: 'submit', class: 'primary' }, creating ? 'Create context' : 'Save'), ctx.session);
  const form = h('form', { id: `${prefix}-form`, class: 'context-form', novalidate: true },
    formAlert(), nameField, controls, options.extras, h('div', { class: 'actions' }, submit));
  onSubmit(form, async (data) => {
    const fields = changedFields(form, definitions, baseline);
    if (creating) {
      const name = String(data.get('name') || '').trim();
      await api('POST', '/api/v1/contexts', { name, fields });
      ctx.navigate(`#/contexts/${encodeURIComponent(name)}`);
      return;
    }
    if (Object.keys(fields).length === 0) {
      showMessage(form, 'Nothing changed.');
      return;
    }
    await api('PATCH', `/api/v1/contexts/${encodeURIComponent(context.name)}`, { fields });
    await ctx.refresh();
    const fresh = document.getElementById(`${prefix}-form`);
    if (fresh) showMessage(fresh, `Saved ${context.name}: ${Object.keys(fields).join(', ')}.`);
  });
  return form;
}

async function identityNames() {
  return (await api('GET', '/api/v1/identities?limit=1000')).map((identity) => identity.name);
}

async function renderEdit(ctx, name) {
  const [definitions, context, identities] = await Promise.all([contextFields(), api('GET', `/api/v1/contexts/${encodeURIComponent(name)}`), identityNames()]);
  const alert = formAlert();
  const remove = writeControl(h('button', { type: 'button', class: 'danger', id: 'delete-context' }, `Delete ${name}`), ctx.session);
  remove.addEventListener('click', async () => {
    if (!(await confirmDialog(`Delete the TLS context ${name}?`, 'Delete'))) return;
    try {
      await api('DELETE', `/api/v1/contexts/${encodeURIComponent(name)}`);
      ctx.navigate('#/contexts');
    } catch (error) {
      alert.className = 'form-alert error';
      alert.textContent = errorText(error);
    }
  });
  return h('section', { dataset: { title: `Context ${name}` } },
    pageHeader(`TLS context ${name}`),
    h('p', {}, h('a', { href: '#/contexts' }, '← All TLS contexts')),
    h('p', { class: 'help' }, `Identity in use: ${context.identity_in_use || 'factory'}; services: ${(context.services || []).join(', ') || 'none'}.`),
    h('section', { class: 'panel' }, contextForm(ctx, definitions, context, identities)),
    name === 'default' ? null : h('section', { class: 'panel danger-zone' }, h('h2', {}, 'Delete'), alert, remove));
}

export async function render(ctx) {
  if (ctx.args[0]) return renderEdit(ctx, ctx.args[0]);
  const [definitions, contexts, identities] = await Promise.all([contextFields(), api('GET', '/api/v1/contexts?limit=1000'), identityNames()]);
  const columns = [
    { title: 'Name', cell: (c) => h('a', { href: `#/contexts/${encodeURIComponent(c.name)}` }, c.name) },
    { title: 'Role', cell: (c) => c.role },
    { title: 'TLS version', cell: (c) => `${c['min-tls']} – ${c['max-tls']}` },
    { title: 'DTLS', cell: (c) => c.dtls },
    { title: 'Ciphers (1.2)', cell: (c) => c.ciphers || 'default' },
    { title: 'Identity', cell: (c) => c.identity_in_use || c.identity || 'factory' },
    { title: 'Trust', cell: (c) => c.trust },
    { title: 'Verify peer', cell: (c) => c.verify },
    { title: 'Client cert', cell: (c) => c['client-cert'] },
    { title: 'OCSP', cell: (c) => (c.ocsp ? 'on' : 'off') },
    { title: 'Services', cell: (c) => (c.services || []).join(', ') || '—' },
    { title: 'Actions', cell: (c) => h('a', { class: 'button small', href: `#/contexts/${encodeURIComponent(c.name)}`, 'aria-label': `Edit ${c.name}` }, 'Edit') },
  ];
  return h('section', { dataset: { title: 'TLS contexts' } },
    pageHeader('TLS contexts'),
    h('p', { class: 'help' }, 'Each context says which TLS versions and ciphers to use, which identity to present, and how to verify the peer. Services are bound to a context under Services.'),
    table('TLS contexts', columns, contexts),
    h('details', { class: 'panel form-panel', id: 'create-context' }, h('summary', {}, h('h2', {}, 'Create a TLS context')), contextForm(ctx, definitions, null, identities)));
}
