// Verify a chain (upload it, get the report: chain as built, every problem with its remedy) and
// probe a TLS server (admins), showing the report the daemon makes.
import { api } from './api.js';
import { field, formAlert, h, input, onSubmit, pageHeader, select, writeControl } from './dom.js';
import { fileOrPaste, uploadValue } from './upload.js';

function problems(report) {
  const list = report.problems || [];
  if (list.length === 0) return h('p', { class: 'all-good' }, 'No problems found.');
  return h('ul', { class: 'problems' }, list.map((p) => h('li', { class: `problem ${p.severity}` },
    h('strong', {}, `${p.severity}: ${p.code}`), ` — ${p.message}`, p.remedy ? h('div', { class: 'help' }, `What to do: ${p.remedy}`) : null)));
}

function reportView(report) {
  const chain = report.chain_details || [];
  return h('div', { class: 'report' },
    h('p', { class: `verdict ${report.trusted ? 'ok' : 'expired'}`, role: 'status' }, report.trusted ? 'Trusted' : 'Not trusted'),
    chain.length ? h('ol', { class: 'chain' }, chain.map((c) => h('li', {}, `${c.subject} (expires ${String(c.not_after).slice(0, 10)})${c.trust_anchor ? ' — trust anchor' : ''}`))) : null,
    problems(report),
    h('details', {}, h('summary', {}, 'Full report (JSON)'), h('pre', { class: 'pem' }, JSON.stringify(report, null, 2))));
}

function verifyForm() {
  const result = h('div', { class: 'result' });
  const form = h('form', { id: 'verify-form', novalidate: true },
    formAlert(),
    fileOrPaste('Chain file (PEM: leaf first)', 'chain', { id: 'verify-chain', required: true, accept: '.pem,.crt,.cer,.der', keys: ['chain'], what: 'chain, leaf first' }),
    h('div', { class: 'grid-3' },
      field('Purpose', select('purpose', ['server', 'client'], 'server', { id: 'verify-purpose' })),
      field('Expected name (optional)', input('name', { id: 'verify-name', placeholder: 'sbc.example.com or sip:…' }), { keys: ['reference identity', 'name'] }),
      field('Context (optional)', input('context', { id: 'verify-context', placeholder: 'default' }), { keys: ['context'] })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Verify')));
  onSubmit(form, async (data) => {
    const body = { chain: await uploadValue(data, 'chain', 'Choose a chain file or paste the chain'), purpose: String(data.get('purpose')) };
    for (const key of ['name', 'context']) if (String(data.get(key) || '').trim()) body[key] = String(data.get(key)).trim();
    result.replaceChildren(reportView(await api('POST', '/api/v1/verify', body)));
  });
  return h('div', {}, form, result);
}

function probeForm(ctx) {
  const result = h('div', { class: 'result' });
  const submit = writeControl(h('button', { type: 'submit', class: 'primary' }, 'Probe'), ctx.session);
  const form = h('form', { id: 'probe-form', novalidate: true },
    formAlert(),
    h('div', { class: 'grid-3' },
      field('URL', input('url', { id: 'probe-url', required: true, placeholder: 'sips:sbc.example.com:5061' }), { keys: ['url', 'address'] }),
      field('Expected name (optional)', input('name', { id: 'probe-name' })),
      field('Context (optional)', input('context', { id: 'probe-context', placeholder: 'default' }), { keys: ['context'] })),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, async (data) => {
    const body = { url: String(data.get('url')).trim() };
    for (const key of ['name', 'context']) if (String(data.get(key) || '').trim()) body[key] = String(data.get(key)).trim();
    const answer = await api('POST', '/api/v1/probe', body);
    const labels = {
      target: 'Target', tls_version: 'TLS version', cipher: 'Cipher', group: 'Key exchange group',
      stapled_ocsp: 'Stapled OCSP response', sip_status: 'SIP answer', http_status: 'HTTP answer', answer_error: 'No answer because',
    };
    const facts = Object.entries(labels).filter(([key]) => answer[key] !== undefined && answer[key] !== null && answer[key] !== '')
      .flatMap(([key, text]) => [h('dt', {}, text), h('dd', {}, typeof answer[key] === 'boolean' ? (answer[key] ? 'yes' : 'no') : String(answer[key]))]);
    result.replaceChildren(h('dl', { class: 'fields probe-facts' }, facts), reportView(answer));
  });
  return h('div', {}, form, result);
}

export async function render(ctx) {
  return h('section', { dataset: { title: 'Verify / probe' } },
    pageHeader('Verify and probe'),
    h('section', { class: 'panel' }, h('h2', {}, 'Verify a certificate chain'), verifyForm()),
    h('section', { class: 'panel' }, h('h2', {}, 'Probe a TLS server'), h('p', { class: 'help' }, 'Connects from this device, shows the chain, why it is or is not trusted, protocol and cipher, and the SIP/HTTP answer.'), probeForm(ctx)));
}
