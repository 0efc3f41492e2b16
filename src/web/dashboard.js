// Dashboard: every certificate on a validity timeline (identities and custom roots first; the
// built-in roots behind a toggle), counts, and the list of what needs action (expired, inside the
// warning window, pending CSRs).
import { api } from './api.js';
import { h, select } from './dom.js';
import { legend, timeline } from './timeline.js';

const ORDER = { expired: 0, warning: 1, pending: 2, ok: 3 };

function time(iso) {
  return iso ? Date.parse(iso) : null;
}

function identityItems(status) {
  return status.identities.map((identity) => ({
    key: `identity:${identity.name}`,
    label: identity.name,
    kind: `identity · ${identity.origin}`,
    group: 'identity',
    status: identity.status,
    notBefore: time(identity.certificate?.not_before),
    notAfter: time(identity.certificate?.not_after ?? identity.not_after),
    daysLeft: identity.days_left,
    subject: identity.subject,
    href: `#/identities/${encodeURIComponent(identity.name)}`,
  }));
}

function rootItems(status, source) {
  return status.trust
    .filter((root) => root.source === source)
    .map((root) => ({
      key: `root:${root.id}`,
      label: commonName(root.subject) || `root #${root.id}`,
      kind: source === 'custom' ? `custom root #${root.id}` : `built-in #${root.id}`,
      group: source,
      status: root.status,
      notBefore: time(root.not_before),
      notAfter: time(root.not_after),
      daysLeft: root.days_left,
      subject: root.subject,
      href: '#/trust',
    }));
}

export function commonName(subject) {
  const match = /(?:^|[,/]\s*)CN\s*=\s*([^,/]+)/.exec(subject || '');
  return match ? match[1].trim() : subject;
}

function byUrgency(a, b) {
  return ORDER[a.status] - ORDER[b.status] || (a.notAfter ?? 0) - (b.notAfter ?? 0);
}

const ADVICE = {
  identity: {
    expired: 'expired: replace it (new CSR, upload or import)',
    warning: 'inside the warning window: renew it before it expires',
    pending: 'CSR waiting for the signed certificate: download the CSR, have it signed, upload the certificate',
  },
  custom: {
    expired: 'expired root: import its successor, then remove it',
    warning: 'root inside the warning window: import its successor before it expires',
  },
  builtin: {
    expired: 'expired built-in root: no longer trusted; updated by the system CA bundle',
    warning: 'built-in root inside the warning window; updated by the system CA bundle',
  },
};

function problemList(problems) {
  return h('ul', { class: 'problems' }, problems.map((item) => h('li', { class: `problem ${item.status}`, 'data-status': item.status },
    h('span', { class: `badge ${item.status}` }, item.status),
    ' ',
    h('a', { href: item.href }, item.label),
    ` (${item.kind}) — ${ADVICE[item.group][item.status] || item.status}`,
    item.status === 'pending' ? '' : `; ${item.status === 'expired' ? 'expired on' : 'expires on'} ${new Date(item.notAfter).toISOString().slice(0, 10)}`,
  )));
}

// Problems of the device's own certificates and custom roots first; built-in roots (maintained by
// the system bundle, not the admin) folded away.
function needsAction(items) {
  const problems = items.filter((item) => item.status !== 'ok').sort(byUrgency);
  const own = problems.filter((item) => item.group !== 'builtin');
  const builtin = problems.filter((item) => item.group === 'builtin');
  return h('div', { id: 'needs-action' },
    own.length ? problemList(own) : h('p', { class: 'all-good' }, 'Nothing needs action: every identity and custom root is valid beyond the warning window.'),
    builtin.length ? h('details', { class: 'builtin-problems' },
      h('summary', {}, `${builtin.length} built-in root${builtin.length === 1 ? '' : 's'} expired or inside the warning window`),
      problemList(builtin)) : null);
}

function counts(items) {
  const count = (filter) => items.filter(filter).length;
  // Built-in roots are the system bundle's business: counted apart from the device's own.
  const extra = (status) => {
    const builtin = count((i) => i.group === 'builtin' && i.status === status);
    return builtin ? ` (+${builtin} built-in)` : '';
  };
  const card = (value, text, kind = '') => h('div', { class: `card ${kind}` }, h('span', { class: 'count' }, String(value)), h('span', {}, text));
  return h('div', { class: 'cards' },
    card(count((i) => i.group === 'identity'), 'identities'),
    card(count((i) => i.group === 'custom'), 'custom roots'),
    card(count((i) => i.group === 'builtin'), 'built-in roots'),
    card(count((i) => i.group !== 'builtin' && i.status === 'warning'), `in the warning window${extra('warning')}`, 'warning'),
    card(count((i) => i.group !== 'builtin' && i.status === 'expired'), `expired${extra('expired')}`, 'expired'),
    card(count((i) => i.status === 'pending'), 'pending CSRs', 'pending'));
}

export async function render() {
  const status = await api('GET', '/api/v1/status');
  const identities = identityItems(status);
  const custom = rootItems(status, 'custom');
  const builtin = rootItems(status, 'builtin');
  const all = [...identities, ...custom, ...builtin];
  const warningDays = Number(status.expiry_warning_days) || 60;

  const chartHolder = h('div', { class: 'timeline-holder' });
  const toggle = h('input', { type: 'checkbox', id: 'show-builtin', name: 'show-builtin' });
  const span = select('span', [['365', '1 year'], ['730', '2 years'], ['1825', '5 years'], ['3650', '10 years']], '730', { id: 'timeline-span' });
  const draw = () => {
    const shown = [...identities.sort(byUrgency), ...custom.sort(byUrgency), ...(toggle.checked ? builtin.sort(byUrgency) : [])];
    chartHolder.replaceChildren(shown.length
      ? timeline(shown, { warningDays, spanDays: Number(span.value) })
      : h('p', { class: 'empty' }, 'No identities or custom roots yet. Create one under Identities, or show the built-in roots.'));
  };
  toggle.addEventListener('change', draw);
  span.addEventListener('change', draw);
  draw();

  const page = h('section', { class: 'dashboard', dataset: { title: 'Dashboard' } },
    h('div', { class: 'page-header' }, h('h1', {}, 'Dashboard'), h('span', { class: 'device' }, status.device_id ? `device ${status.device_id}` : '')),
    counts(all),
    h('section', { 'aria-labelledby': 'needs-action-title', class: 'panel' },
      h('h2', { id: 'needs-action-title' }, 'Needs action'),
      needsAction(identities.concat(custom, builtin))),
    h('section', { 'aria-labelledby': 'timeline-heading', class: 'panel' },
      h('h2', { id: 'timeline-heading' }, 'Validity timeline'),
      h('p', { class: 'help' }, `Each bar runs from a certificate's start to its expiry. The hatched end is the warning window (${warningDays} days, Settings → expiry_warning_days).`),
      h('div', { class: 'timeline-controls' },
        h('div', { class: 'field checkbox' }, toggle, h('label', { for: 'show-builtin' }, `Include the ${builtin.length} built-in roots`)),
        h('div', { class: 'field inline' }, h('label', { for: 'timeline-span' }, 'Look ahead'), span),
        legend()),
      chartHolder));
  return page;
}
