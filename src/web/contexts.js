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
  if (definition.name === 'trust' && options.roots) return trustControl(id, value, options);
  if (definition.kind === 'bool') return h('input', { type: 'checkbox', name: definition.name, id, checked: Boolean(value) });
  if (definition.kind === 'choice') return select(definition.name, definition.choices || [], textValue(definition, value), { id });
  if (definition.kind === 'number') return input(definition.name, { id, type: 'number', value: textValue(definition, value) });
  return input(definition.name, { id, value: textValue(definition, value), autocomplete: 'off' });
}

const SCOPES = [['all', 'all (built-in and custom)'], ['builtin', 'builtin'], ['custom', 'custom'], ['list', 'list (chosen below)']];

// "trust": a scope select, and for the explicit list a checkbox list of the trusted roots (with a
// filter box) whose SHA-256 fingerprints are written as the comma list the daemon takes.
function trustControl(id, value, options) {
  const text = String(value || '');
  const scope = ['all', 'builtin', 'custom'].includes(text) ? text : 'list';
  const chosen = new Set(scope === 'list' ? text.split(',').map((f) => f.trim()).filter(Boolean) : []);
  const scopeSelect = select('trust', SCOPES, scope, { id });
  const known = new Set(options.roots.map((r) => r.sha256_fingerprint));
  // Chosen roots first, then custom ones, then the built-in bundle.
  const rank = (r) => (chosen.has(r.sha256_fingerprint) ? 0 : r.source === 'builtin' ? 2 : 1);
  const entries = [
    ...[...options.roots].sort((a, b) => rank(a) - rank(b)).map((r) => ({ fingerprint: r.sha256_fingerprint, text: `#${r.id} ${r.subject} (${r.source === 'builtin' ? 'built-in' : r.source})` })),
    ...[...chosen].filter((f) => !known.has(f)).map((f) => ({ fingerprint: f, text: 'not in the trusted roots any more' })),
  ];
  const items = entries.map((entry, i) => {
    const box = h('input', { type: 'checkbox', name: 'trust-root', value: entry.fingerprint, id: `${id}-root-${i}`, checked: chosen.has(entry.fingerprint) });
    return h('li', { dataset: { search: `${entry.text} ${entry.fingerprint}`.toLowerCase() } },
      box, h('label', { for: box.id, title: entry.fingerprint }, entry.text, ' ', h('code', { class: 'fingerprint' }, `${entry.fingerprint.slice(0, 11)}…`)));
  });
  const filter = input('trust-root-filter', { id: `${id}-filter`, type: 'search', autocomplete: 'off', placeholder: 'subject or fingerprint' });
  filter.addEventListener('input', () => {
    const needle = filter.value.trim().toLowerCase();
    for (const item of items) item.hidden = needle !== '' && !item.dataset.search.includes(needle) && !item.querySelector('input').checked;
  });
  const count = h('p', { class: 'help', 'aria-live': 'polite' });
  const picker = h('fieldset', { class: 'trust-picker', id: `${id}-picker` },
    h('legend', {}, 'Trusted roots of the explicit list'),
    field('Filter roots', filter),
    count,
    h('ul', { class: 'plain root-choices' }, items));
  const update = () => {
    picker.hidden = scopeSelect.value !== 'list';
    const n = picker.querySelectorAll('input[name=trust-root]:checked').length;
    count.textContent = `${n} root${n === 1 ? '' : 's'} chosen`;
  };
  scopeSelect.addEventListener('change', update);
  picker.addEventListener('change', update);
  update();
  options.trustPicker = picker;
  return scopeSelect;
}

// The "trust" value of the form: the scope, or the sorted fingerprints of the chosen roots.
function trustValue(form) {
  const scope = form.elements.namedItem('trust').value;
  if (scope !== 'list') return scope;
  return [...form.querySelectorAll('input[name=trust-root]:checked')].map((box) => box.value).sort().join(',');
}

function formValue(form, definition) {
  if (definition.name === 'trust' && form.querySelector('.trust-picker')) return trustValue(form);
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
    let before = textValue(definition, currentValue(baseline, definition));
    if (definition.name === 'trust') before = before.split(',').sort().join(',');
    if (now !== before) fields[definition.name] = now;
  }
  return fields;
}

// The note on the context the web UI is served with.
const WEB_UI_NOTE = 'serves this web UI — requiring client certificates or a TLS version/cipher your browser lacks will lock the browser out; recover with `telecert context set` on the device';

function webUiNote() {
  return h('p', { class: 'web-ui-note', role: 'note' }, h('strong', {}, 'Note: '), `this context ${WEB_UI_NOTE}`);
}

// The context web-admin is bound to ("default" when unbound).
function webUiContext(services) {
  const binding = services.find((s) => s.service === 'web-admin');
  return (binding && binding.bound !== false && binding.context) || 'default';
}

function contextForm(ctx, definitions, context, identities, roots) {
  const creating = context === null;
  const baseline = context || {};
  const prefix = creating ? 'new-context' : 'edit-context';
  const nameField = creating ? field('Name', input('name', { id: `${prefix}-name`, required: true, autocomplete: 'off' }), { keys: ['context name'] }) : null;
  const options = { identities, roots, extras: [], trustPicker: null };
  const controls = grouped(definitions).map(([title, list]) => {
    const cells = list.map((definition) =>
      field(definition.name, control(definition, currentValue(baseline, definition), prefix, options), { help: definition.help, keys: [definition.name] }));
    const picker = list.some((d) => d.name === 'trust') ? options.trustPicker : null;
    return h('fieldset', {}, h('legend', {}, title), h('div', { class: 'grid-3' }, cells), picker);
  });
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

async function trustedRoots() {
  return api('GET', '/api/v1/trust?filter=all&limit=1000');
}

async function renderEdit(ctx, name) {
  const [definitions, context, identities, roots, services] = await Promise.all([
    contextFields(), api('GET', `/api/v1/contexts/${encodeURIComponent(name)}`), identityNames(), trustedRoots(),
    api('GET', '/api/v1/services?limit=1000')]);
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
    webUiContext(services) === name ? webUiNote() : null,
    h('section', { class: 'panel' }, contextForm(ctx, definitions, context, identities, roots)),
    name === 'default' ? null : h('section', { class: 'panel danger-zone' }, h('h2', {}, 'Delete'), alert, remove));
}

export async function render(ctx) {
  if (ctx.args[0]) return renderEdit(ctx, ctx.args[0]);
  const [definitions, contexts, identities, roots, services] = await Promise.all([
    contextFields(), api('GET', '/api/v1/contexts?limit=1000'), identityNames(), trustedRoots(), api('GET', '/api/v1/services?limit=1000')]);
  const webUi = webUiContext(services);
  const columns = [
    {
      title: 'Name',
      cell: (c) => [h('a', { href: `#/contexts/${encodeURIComponent(c.name)}` }, c.name),
        c.name === webUi ? h('span', { class: 'web-ui-mark', title: WEB_UI_NOTE }, ' (serves this web UI)') : null],
    },
    { title: 'Role', cell: (c) => c.role },
    { title: 'TLS version', cell: (c) => `${c['min-tls']} – ${c['max-tls']}` },
    { title: 'DTLS', cell: (c) => c.dtls },
    { title: 'Ciphers (1.2)', cell: (c) => c.ciphers || 'default' },
    { title: 'Identity', cell: (c) => c.identity_in_use || c.identity || 'factory' },
    { title: 'Trust', cell: (c) => (c.trust === 'list' ? `${(c['trust-list'] || []).length} chosen roots` : c.trust) },
    { title: 'Verify peer', cell: (c) => c.verify },
    { title: 'Client cert', cell: (c) => c['client-cert'] },
    { title: 'OCSP', cell: (c) => (c.ocsp ? 'on' : 'off') },
    { title: 'Services', cell: (c) => (c.services || []).join(', ') || '—' },
    { title: 'Actions', cell: (c) => h('a', { class: 'button small', href: `#/contexts/${encodeURIComponent(c.name)}`, 'aria-label': `Edit ${c.name}` }, 'Edit') },
  ];
  return h('section', { dataset: { title: 'TLS contexts' } },
    pageHeader('TLS contexts'),
    h('p', { class: 'help' }, 'Each context says which TLS versions and ciphers to use, which identity to present, and how to verify the peer. Services are bound to a context under Services.'),
    h('p', { class: 'web-ui-note', role: 'note' }, h('strong', {}, `${webUi}: `), WEB_UI_NOTE),
    table('TLS contexts', columns, contexts),
    h('details', { class: 'panel form-panel', id: 'create-context' }, h('summary', {}, h('h2', {}, 'Create a TLS context')), contextForm(ctx, definitions, null, identities, roots)));
}
