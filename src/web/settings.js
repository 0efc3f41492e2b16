// Settings (expiry warning days, keep certificates on factory reset, limits) and the factory
// reset, which asks the admin to type "factory-reset".
import { api } from './api.js';
import { field, formAlert, h, input, onSubmit, pageHeader, showMessage, writeControl } from './dom.js';

const HELP = {
  expiry_warning_days: 'days before expiry at which a certificate is flagged "warning" (30–180)',
  max_custom_trusted: 'most custom trusted root certificates the store accepts',
  max_upload_bytes: 'largest file accepted for import, in bytes',
  max_validity_days: 'longest validity of a certificate telecert creates, in days (at most 825)',
  keep_certificates_on_factory_reset: 'keep user identities and custom roots through a factory reset',
};

function label(name) {
  const text = name.replaceAll('_', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function settingsForm(ctx, settings) {
  const controls = Object.entries(settings).map(([name, value]) => {
    const control = typeof value === 'boolean'
      ? h('input', { type: 'checkbox', name, id: `setting-${name}`, checked: value })
      : input(name, { id: `setting-${name}`, type: 'number', value: String(value) });
    return field(label(name), control, { help: HELP[name], keys: [name, name.replaceAll('_', ' ')] });
  });
  const submit = writeControl(h('button', { type: 'submit', class: 'primary', id: 'save-settings' }, 'Save settings'), ctx.session);
  const form = h('form', { id: 'settings-form', novalidate: true }, formAlert(), controls, h('div', { class: 'actions' }, submit));
  onSubmit(form, async () => {
    const changes = {};
    for (const [name, value] of Object.entries(settings)) {
      const element = form.elements.namedItem(name);
      const now = typeof value === 'boolean' ? element.checked : String(element.value).trim();
      if (String(now) !== String(value)) changes[name] = now;
    }
    if (Object.keys(changes).length === 0) {
      showMessage(form, 'Nothing changed.');
      return;
    }
    const saved = await api('PATCH', '/api/v1/settings', changes);
    Object.assign(settings, saved);
    showMessage(form, `Saved: ${Object.keys(changes).join(', ')}.`);
  });
  return form;
}

function factoryResetForm(ctx) {
  const submit = writeControl(h('button', { type: 'submit', class: 'danger', id: 'factory-reset' }, 'Factory reset'), ctx.session);
  const form = h('form', { id: 'factory-reset-form', novalidate: true },
    formAlert(),
    field('Type factory-reset to confirm', input('confirm', { id: 'factory-reset-confirm', autocomplete: 'off' }), { keys: ['confirm'] }),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, async (data) => {
    const result = await api('POST', '/api/v1/factory-reset', { confirm: String(data.get('confirm') || '') });
    showMessage(form, `Factory reset done: ${result.identities_removed} identities and ${result.trust_anchors_removed} custom roots removed${result.certificates_kept ? ' (certificates kept)' : ''}, ${result.contexts_removed} contexts removed, ${result.services_unbound} services unbound.`);
  });
  return form;
}

// Any user changes their own password (with the current one); PUT /api/v1/users/{name}/password.
function passwordForm(ctx) {
  const form = h('form', { id: 'password-form', novalidate: true },
    formAlert(),
    h('div', { class: 'grid-3' },
      field('Current password', h('input', { type: 'password', name: 'current_password', id: 'password-current', autocomplete: 'current-password' }), { keys: ['current password', 'current_password'] }),
      field('New password (at least 12 characters)', h('input', { type: 'password', name: 'password', id: 'password-new', autocomplete: 'new-password', minlength: 12 }), { keys: ['new password', 'password must', 'characters'] }),
      field('New password again', h('input', { type: 'password', name: 'again', id: 'password-again', autocomplete: 'new-password' }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Change my password')));
  onSubmit(form, async (data) => {
    if (data.get('password') !== data.get('again')) {
      throw Object.assign(new Error('The new passwords differ'), { hint: 'type the same new password twice' });
    }
    await api('PUT', `/api/v1/users/${encodeURIComponent(ctx.session.user)}/password`, {
      password: String(data.get('password')),
      current_password: String(data.get('current_password')),
    });
    form.reset();
    showMessage(form, 'Password changed.');
  });
  return form;
}

export async function render(ctx) {
  const settings = await api('GET', '/api/v1/settings');
  return h('section', { dataset: { title: 'Settings' } },
    pageHeader('Settings'),
    h('section', { class: 'panel' }, h('h2', {}, 'Device settings'), settingsForm(ctx, settings)),
    ctx.session.kind === 'token' ? null : h('section', { class: 'panel' }, h('h2', {}, `Your password (${ctx.session.user})`), passwordForm(ctx)),
    h('section', { class: 'panel danger-zone' },
      h('h2', {}, 'Factory reset'),
      h('p', {}, 'Removes the identities (but the factory identity), the custom roots and the TLS contexts, unless "keep certificates on factory reset" is on. Users and tokens stay.'),
      factoryResetForm(ctx)));
}
