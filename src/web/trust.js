// Trusted roots: the AudioCodes "Trusted Root Certificates" table (index, subject, issuer,
// expires) with the source, a filter (all / built-in / custom), import from a file, export of the
// shown set as a PEM bundle, and removal.
import { api, fileToBase64 } from './api.js';
import {
  badge, confirmDialog, errorText, field, formAlert, formatDay, h, onSubmit, pageHeader, select,
  showMessage, table, writeControl,
} from './dom.js';

let currentFilter = 'custom';

function importForm(ctx) {
  const submit = writeControl(h('button', { type: 'submit', class: 'primary' }, 'Import'), ctx.session);
  const form = h('form', { id: 'trust-import-form', novalidate: true },
    h('h2', {}, 'Import a root or intermediate certificate'),
    formAlert(),
    field('Certificate file (PEM, may hold several, or DER)', h('input', { type: 'file', name: 'file', id: 'trust-file', required: true, accept: '.pem,.crt,.cer,.der' }), { keys: ['certificate', 'file'] }),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, async (data) => {
    const file = data.get('file');
    if (!(file instanceof File) || file.size === 0) throw Object.assign(new Error('Choose a certificate file'), { hint: '' });
    const answer = await api('POST', '/api/v1/trust', { file: await fileToBase64(file) });
    const added = (answer.added || []).length;
    const duplicates = (answer.duplicates || []).length;
    currentFilter = 'custom';
    await ctx.refresh();
    const fresh = document.getElementById('trust-import-form');
    if (fresh) showMessage(fresh, `Added ${added} certificate${added === 1 ? '' : 's'}${duplicates ? `; ${duplicates} already trusted` : ''}.`);
  });
  return h('section', { class: 'panel' }, form);
}

export async function render(ctx) {
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
    { title: 'Status', cell: (r) => badge(r.status) },
    { title: 'Source', cell: (r) => (r.source === 'builtin' ? 'built-in' : r.source) },
    {
      title: 'Actions',
      cell: (r) => writeControl(h('button', { type: 'button', class: 'small danger', 'aria-label': `Remove root ${r.id}`, onclick: () => remove(r) }, 'Remove'), ctx.session),
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
