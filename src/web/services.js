// Services and the TLS context each one uses; an admin changes a binding with the select.
import { api } from './api.js';
import { errorText, formAlert, h, pageHeader, select, table, writeControl } from './dom.js';

export async function render(ctx) {
  const [services, contexts] = await Promise.all([api('GET', '/api/v1/services'), api('GET', '/api/v1/contexts?limit=1000')]);
  const names = contexts.map((c) => c.name);
  const alert = formAlert();
  const holder = h('div', {}, alert);
  const bindCell = (binding) => {
    const id = `bind-${binding.service}`;
    const chooser = select('context', names, binding.context, { id, 'aria-label': `Context for ${binding.service}` });
    const button = writeControl(h('button', { type: 'button', class: 'small' }, 'Bind'), ctx.session);
    button.addEventListener('click', async () => {
      try {
        await api('PUT', `/api/v1/services/${encodeURIComponent(binding.service)}`, { context: chooser.value });
        await ctx.refresh();
        const fresh = document.querySelector('#main .form-alert');
        if (fresh) {
          fresh.className = 'form-alert ok';
          fresh.textContent = `${binding.service} now uses ${chooser.value}.`;
        }
      } catch (error) {
        alert.className = 'form-alert error';
        alert.textContent = errorText(error);
      }
    });
    return h('span', { class: 'inline-form' }, chooser, ' ', button);
  };
  const columns = [
    { title: 'Service', cell: (s) => s.service },
    { title: 'Context', cell: (s) => h('a', { href: `#/contexts/${encodeURIComponent(s.context)}` }, s.context) },
    { title: 'Bound', cell: (s) => (s.bound ? 'yes' : 'no (uses default)') },
    { title: 'Change binding', cell: bindCell },
  ];
  holder.append(table('Services', columns, services));
  return h('section', { dataset: { title: 'Services' } },
    pageHeader('Services'),
    h('p', { class: 'help' }, 'SIP over TLS, HTTPS provisioning, 802.1X (EAP-TLS) and the web admin each use one TLS context; an unbound service uses "default".'),
    holder);
}
