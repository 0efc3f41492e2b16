// Users and API tokens (admins only): create (the generated password or the token is shown once),
// delete a user, revoke a token.
import { api } from './api.js';
import {
  confirmDialog, errorText, field, formAlert, formatDate, h, input, onSubmit, pageHeader, select, table,
} from './dom.js';

function secretOnce(title, value) {
  const id = `secret-${Math.random().toString(36).slice(2)}`;
  return h('div', { class: 'secret-once', role: 'status' },
    h('label', { for: id }, title),
    h('input', { id, readonly: true, value, class: 'secret', size: Math.min(60, value.length + 2) }),
    h('p', { class: 'help' }, 'Copy it now: it is not shown again.'));
}

function removeButton(label, message, path, alert, ctx) {
  return h('button', {
    type: 'button',
    class: 'small danger',
    'aria-label': label,
    onclick: async () => {
      if (!(await confirmDialog(message, 'Yes'))) return;
      try {
        await api('DELETE', path);
        await ctx.refresh();
      } catch (error) {
        alert.className = 'form-alert error';
        alert.textContent = errorText(error);
      }
    },
  }, label.split(' ')[0]);
}

function userForm(ctx, shown) {
  const form = h('form', { id: 'user-form', novalidate: true },
    formAlert(),
    h('div', { class: 'grid-3' },
      field('User name', input('name', { id: 'user-name', required: true, autocomplete: 'off' }), { keys: ['user name', 'username'] }),
      field('Role', select('role', ['monitor', 'admin'], 'monitor', { id: 'user-role' }), { keys: ['role'] }),
      field('Password (empty: generate one)', h('input', { type: 'password', name: 'password', id: 'user-password', autocomplete: 'new-password' }), { keys: ['password'] })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create user')));
  onSubmit(form, async (data) => {
    const body = { name: String(data.get('name')).trim(), role: String(data.get('role')) };
    if (data.get('password')) body.password = String(data.get('password'));
    const answer = await api('POST', '/api/v1/users', body);
    await ctx.refresh();
    if (answer.password) shown(secretOnce(`Password of ${body.name}`, answer.password));
  });
  return form;
}

function tokenForm(ctx, shown) {
  const form = h('form', { id: 'token-form', novalidate: true },
    formAlert(),
    h('div', { class: 'grid-3' },
      field('Token name', input('name', { id: 'token-name', required: true, autocomplete: 'off' }), { keys: ['token name'] }),
      field('Role', select('role', ['monitor', 'admin'], 'monitor', { id: 'token-role' }), { keys: ['role'] })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create API token')));
  onSubmit(form, async (data) => {
    const answer = await api('POST', '/api/v1/tokens', { name: String(data.get('name')).trim(), role: String(data.get('role')) });
    await ctx.refresh();
    shown(secretOnce(`API token ${answer.name} (use as "Authorization: Bearer …")`, answer.token));
  });
  return form;
}

let pendingSecret = null;

export async function render(ctx) {
  const [users, tokens] = await Promise.all([api('GET', '/api/v1/users'), api('GET', '/api/v1/tokens')]);
  const alert = formAlert();
  const secretSlot = h('div', { id: 'secret-slot' });
  if (pendingSecret) {
    secretSlot.append(pendingSecret);
    pendingSecret = null;
  }
  const shown = (element) => {
    const slot = document.getElementById('secret-slot');
    if (slot) slot.replaceChildren(element);
    else pendingSecret = element;
  };
  const userColumns = [
    { title: 'Name', cell: (u) => u.name },
    { title: 'Role', cell: (u) => u.role },
    { title: 'Created', cell: (u) => formatDate(u.created_at) },
    { title: 'Password changed', cell: (u) => formatDate(u.password_changed_at) },
    { title: 'Actions', cell: (u) => (u.name === ctx.session.user ? '(you)' : removeButton(`Delete user ${u.name}`, `Delete the user ${u.name}?`, `/api/v1/users/${encodeURIComponent(u.name)}`, alert, ctx)) },
  ];
  const tokenColumns = [
    { title: 'Name', cell: (t) => t.name },
    { title: 'Role', cell: (t) => t.role },
    { title: 'Created', cell: (t) => formatDate(t.created_at) },
    { title: 'Actions', cell: (t) => removeButton(`Revoke token ${t.name}`, `Revoke the API token ${t.name}? Scripts using it stop working.`, `/api/v1/tokens/${encodeURIComponent(t.name)}`, alert, ctx) },
  ];
  return h('section', { dataset: { title: 'Users & tokens' } },
    pageHeader('Users and API tokens'),
    alert,
    secretSlot,
    h('section', { class: 'panel' }, h('h2', {}, 'Users'), table('Users', userColumns, users), h('h3', {}, 'Create a user'), userForm(ctx, shown)),
    h('section', { class: 'panel' }, h('h2', {}, 'API tokens'), table('API tokens', tokenColumns, tokens, { empty: 'No API tokens.' }), h('h3', {}, 'Create an API token'), tokenForm(ctx, shown)));
}
