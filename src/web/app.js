// The web UI's entry: login, the session (role and CSRF token), the navigation between pages
// (hash routes "#/page/arg"), and log out. A 401 from any request brings the login page back.
import { api, onUnauthenticated, setCsrfToken } from './api.js';
import { errorText, h } from './dom.js';

const pages = {
  dashboard: () => import('./dashboard.js'),
  identities: () => import('./identities.js'),
  trust: () => import('./trust.js'),
  contexts: () => import('./contexts.js'),
  services: () => import('./services.js'),
  verify: () => import('./verify.js'),
  settings: () => import('./settings.js'),
  events: () => import('./events.js'),
  users: () => import('./users.js'),
};

const session = { user: null, role: null, kind: null };
let renderSerial = 0;

function $(id) {
  return document.getElementById(id);
}

function showLogin(message) {
  session.user = null;
  session.role = null;
  setCsrfToken(null);
  $('shell').hidden = true;
  $('login-view').hidden = false;
  $('login-error').textContent = message || '';
  $('login-error').className = message ? 'form-alert error' : 'form-alert';
  $('login-password').value = '';
  $('login-password').focus();
}

function showShell() {
  $('login-view').hidden = true;
  $('shell').hidden = false;
  $('who').textContent = `${session.user} (${session.role}${session.role === 'admin' ? '' : ', read only'})`;
  for (const item of document.querySelectorAll('[data-admin-only]')) item.hidden = session.role !== 'admin';
  document.body.classList.toggle('read-only', session.role !== 'admin');
  route();
}

function adopt(answer) {
  session.user = answer.user;
  session.role = answer.role;
  session.kind = answer.kind || 'user';
  setCsrfToken(answer.csrf_token);
}

async function login(event) {
  event.preventDefault();
  const form = event.target;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const answer = await api('POST', '/api/v1/session', {
      username: form.username.value,
      password: form.password.value,
    });
    adopt(answer);
    if (!location.hash || location.hash === '#/login') location.hash = '#/dashboard';
    showShell();
  } catch (error) {
    const text = error.status === 401 ? 'Wrong username or password.' : errorText(error);
    showLogin(text);
  } finally {
    button.disabled = false;
  }
}

async function logout() {
  try {
    await api('DELETE', '/api/v1/session');
  } catch {
    // the session may be gone already; the login page is right either way
  }
  location.hash = '#/dashboard';
  showLogin('You are logged out.');
}

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const name = pages[parts[0]] ? parts[0] : 'dashboard';
  return { name, args: parts.slice(1) };
}

async function route() {
  if (!session.user) return;
  const { name, args } = parseHash();
  const serial = ++renderSerial;
  for (const link of document.querySelectorAll('.sidebar a')) {
    if (link.dataset.page === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const main = $('main');
  main.replaceChildren(h('p', { class: 'loading' }, 'Loading…'));
  try {
    const module = await pages[name]();
    const content = await module.render({ session, args, navigate, refresh: route });
    if (serial !== renderSerial) return;
    main.replaceChildren(content);
    document.title = `${content.dataset.title || name} · telecert`;
  } catch (error) {
    if (serial !== renderSerial || error.status === 401) return;
    main.replaceChildren(h('div', { class: 'form-alert error', role: 'alert' }, errorText(error)));
  }
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function start() {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  window.addEventListener('hashchange', () => {
    route().then(() => $('main').focus({ preventScroll: true }));
  });
  onUnauthenticated(() => showLogin('Your session has ended; log in again.'));
  try {
    adopt(await api('GET', '/api/v1/session'));
    showShell();
  } catch {
    showLogin('');
  }
}

start();
