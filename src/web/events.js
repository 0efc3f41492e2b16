// Events: the audit log, newest first, 50 to a page.
import { apiList } from './api.js';
import { badge, formatDate, h, pageHeader, table } from './dom.js';

const PAGE = 50;

export async function render(ctx) {
  const offset = Math.max(0, Number(ctx.args[0] || 0));
  const { items, total } = await apiList(`/api/v1/events?limit=${PAGE}&offset=${offset}`);
  const columns = [
    { title: 'Time', cell: (e) => formatDate(e.time) },
    { title: 'Actor', cell: (e) => e.actor },
    { title: 'Action', cell: (e) => e.action },
    { title: 'Object', cell: (e) => e.object },
    { title: 'Outcome', cell: (e) => (e.outcome === 'ok' ? badge('ok') : e.outcome) },
  ];
  const last = Math.min(total, offset + items.length);
  const pager = h('nav', { class: 'pager', 'aria-label': 'Event pages' },
    offset > 0 ? h('a', { class: 'button', href: `#/events/${Math.max(0, offset - PAGE)}` }, '← Newer') : null,
    h('span', {}, total ? `${offset + 1}–${last} of ${total}` : 'no events'),
    last < total ? h('a', { class: 'button', href: `#/events/${offset + PAGE}` }, 'Older →') : null);
  return h('section', { dataset: { title: 'Events' } },
    pageHeader('Events'),
    pager,
    table('Events, newest first', columns, items, { empty: 'No events.' }));
}
