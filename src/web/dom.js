// Small DOM helpers shared by the pages: an element builder, labelled fields, tables, error
// display next to the field (or at the top of the form), a confirmation dialog, date formats.
// Nothing here writes HTML strings: text always goes through textContent, so certificate fields
// (subjects, SANs) can never inject markup.

let nextId = 0;
export function uid(prefix = 'f') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

// h('button', {class: 'x', type: 'button', onclick: fn}, 'text', child...)
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      element.className = value;
    } else if (key === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (key === 'value') {
      element.value = value;
    } else if (key === 'checked') {
      element.checked = Boolean(value);
    } else {
      element.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// A labelled field: {label, input, help, name}. `name` is the API's name for the value; an error
// whose message mentions it is shown under this field.
export function field(label, input, { help, keys = [] } = {}) {
  if (!input.id) input.id = uid('field');
  const error = h('p', { class: 'field-error', id: `${input.id}-error`, hidden: true });
  const described = [error.id];
  let helpElement = null;
  if (help) {
    helpElement = h('p', { class: 'help', id: `${input.id}-help` }, help);
    described.push(helpElement.id);
  }
  input.setAttribute('aria-describedby', described.join(' '));
  // API-style names (expiry_warning_days, min-tls) identify the field in a message; plain words
  // ("name", "st") would match unrelated messages, so those come only through `keys`.
  const apiName = /[_-]/.test(input.name || '') ? [input.name] : [];
  const names = [...apiName, ...keys].filter(Boolean).map((k) => k.toLowerCase());
  input.dataset.errorKeys = names.join('|');
  const wrapper = h(
    'div',
    { class: input.type === 'checkbox' ? 'field checkbox' : 'field' },
    input.type === 'checkbox' ? [input, h('label', { for: input.id }, label)] : [h('label', { for: input.id }, label), input],
    helpElement,
    error,
  );
  return wrapper;
}

export function input(name, attributes = {}) {
  return h('input', { name, type: 'text', ...attributes });
}

export function select(name, options, selected, attributes = {}) {
  return h(
    'select',
    { name, ...attributes },
    options.map((option) => {
      const [value, text] = Array.isArray(option) ? option : [option, option];
      return h('option', { value, selected: String(value) === String(selected) }, text);
    }),
  );
}

// The alert area at the top of a form (role="alert": read out when it changes).
export function formAlert() {
  return h('div', { class: 'form-alert', role: 'alert' });
}

export function clearErrors(form) {
  for (const element of form.querySelectorAll('.field-error')) {
    element.hidden = true;
    element.textContent = '';
  }
  for (const element of form.querySelectorAll('[aria-invalid]')) element.removeAttribute('aria-invalid');
  const alert = form.querySelector('.form-alert');
  if (alert) {
    alert.textContent = '';
    alert.className = 'form-alert';
  }
}

export function errorText(error) {
  const status = error.status ? ` (HTTP ${error.status})` : '';
  return `${error.message}${status}${error.hint ? ` — ${error.hint}` : ''}`;
}

// Shows an API error next to the field it is about (its message names the field), else at the
// top of the form.
export function showError(form, error) {
  clearErrors(form);
  const message = String(error.message || '').toLowerCase();
  let best = null;
  let bestLength = 0;
  for (const control of form.querySelectorAll('[data-error-keys]')) {
    for (const key of control.dataset.errorKeys.split('|')) {
      if (key.length > 1 && key.length > bestLength && message.includes(key)) {
        best = control;
        bestLength = key.length;
      }
    }
  }
  const slot = best && form.querySelector(`#${CSS.escape(best.id)}-error`);
  if (slot) {
    slot.textContent = errorText(error);
    slot.hidden = false;
    slot.setAttribute('role', 'alert');
    best.setAttribute('aria-invalid', 'true');
    best.focus();
    return;
  }
  showMessage(form, errorText(error), 'error');
}

export function showMessage(form, text, kind = 'ok') {
  const alert = form.querySelector('.form-alert');
  if (!alert) return;
  alert.className = `form-alert ${kind}`;
  alert.textContent = text;
}

// Runs `action` for a form's submit; shows its error (or clears them) and keeps the button
// disabled meanwhile.
export function onSubmit(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const buttons = [...form.querySelectorAll('button[type=submit]')];
    const wasDisabled = buttons.map((b) => b.disabled);
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await action(new FormData(form));
    } catch (error) {
      showError(form, error);
    } finally {
      buttons.forEach((b, i) => { b.disabled = wasDisabled[i]; });
    }
  });
}

// A table: columns [{title, cell: row => node|string, class?}].
export function table(caption, columns, rows, { empty = 'Nothing here yet.' } = {}) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c.title)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c) => h('td', { class: c.class }, c.cell(row)))))),
    ),
  );
}

export function badge(status) {
  const text = status || 'unknown';
  return h('span', { class: `badge ${text}` }, text);
}

export function formatDate(iso) {
  if (!iso) return '—';
  return String(iso).replace('T', ' ').replace(/:\d\dZ$/, ' UTC');
}

export function formatDay(iso) {
  if (!iso) return '—';
  return String(iso).slice(0, 10);
}

// A modal confirmation (<dialog>): resolves true when confirmed. Escape or Cancel: false.
export function confirmDialog(message, confirmLabel = 'Confirm') {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'button', class: 'danger', value: 'yes' }, confirmLabel);
    const no = h('button', { type: 'button', value: 'no' }, 'Cancel');
    const dialog = h('dialog', { class: 'confirm', 'aria-label': 'Confirm' }, h('p', {}, message), h('div', { class: 'actions' }, yes, no));
    const finish = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    yes.addEventListener('click', () => finish(true));
    no.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}

// Marks a write control for the session's role: a monitor sees it disabled, with the reason.
export function writeControl(element, session) {
  if (session.role !== 'admin') {
    element.disabled = true;
    element.title = 'Read only: your role is monitor';
    element.dataset.readOnly = 'true';
  }
  return element;
}

export function pageHeader(title, ...extra) {
  return h('div', { class: 'page-header' }, h('h1', {}, title), ...extra);
}
