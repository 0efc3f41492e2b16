// The validity timeline of the dashboard: one horizontal bar per certificate from notBefore to
// notAfter on a shared time axis, a "now" line, each certificate's warning window (the last
// expiry_warning_days before notAfter) shaded, and expired / warning certificates coloured and
// labelled in text (not by colour alone). Built as SVG through the DOM (no inline styles, so a
// strict Content-Security-Policy holds).

const SVG = 'http://www.w3.org/2000/svg';
const DAY = 86400000;
const WIDTH = 1000;
const LABEL_WIDTH = 300;
const STATUS_WIDTH = 170;
const PLOT_LEFT = LABEL_WIDTH;
const PLOT_RIGHT = WIDTH - STATUS_WIDTH;
const AXIS_HEIGHT = 34;
const ROW_HEIGHT = 28;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) element.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

function truncate(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

// The axis range: every bar's span, but at most `spanDays` ahead of now and a fifth of that back
// (long-lived roots run off the edges, drawn open-ended), and always now plus the warning window.
function axisRange(items, now, warningDays, spanDays) {
  let start = now - 30 * DAY;
  let end = now + (warningDays + 30) * DAY;
  for (const item of items) {
    if (item.notBefore !== null) start = Math.min(start, item.notBefore);
    if (item.notAfter !== null) end = Math.max(end, item.notAfter);
  }
  start = Math.max(start, now - Math.max(60, spanDays / 5) * DAY);
  end = Math.min(end, now + spanDays * DAY);
  const pad = (end - start) * 0.02;
  return [start - pad, end + pad];
}

function ticks(start, end) {
  const spanYears = (end - start) / (365 * DAY);
  const step = spanYears > 5 ? 12 : spanYears > 2.5 ? 6 : spanYears > 1.2 ? 3 : 1;
  const result = [];
  const first = new Date(start);
  let date = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1));
  while (date.getTime() < end) {
    if (date.getUTCMonth() % step === 0) {
      const month = date.getUTCMonth();
      const label = step === 12 || month === 0 ? String(date.getUTCFullYear()) : `${MONTHS[month]} ${String(date.getUTCFullYear()).slice(2)}`;
      result.push({ time: date.getTime(), label, major: month === 0 });
    }
    date = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
  }
  return result;
}

function statusText(item) {
  if (item.status === 'pending') return 'pending CSR';
  if (item.status === 'expired') return `expired ${Math.abs(item.daysLeft)} d ago`;
  if (item.status === 'warning') return `warning · ${item.daysLeft} d left`;
  return `${item.daysLeft} d left`;
}

// items: [{key, label, kind, status, notBefore (ms|null), notAfter (ms|null), daysLeft, href}]
export function timeline(items, { now = Date.now(), warningDays = 60, spanDays = 730 } = {}) {
  const [start, end] = axisRange(items, now, warningDays, spanDays);
  const x = (time) => PLOT_LEFT + ((time - start) / (end - start)) * (PLOT_RIGHT - PLOT_LEFT);
  const clampX = (time) => Math.min(PLOT_RIGHT, Math.max(PLOT_LEFT, x(time)));
  const height = AXIS_HEIGHT + items.length * ROW_HEIGHT + 12;
  const problems = items.filter((i) => i.status !== 'ok').length;
  const root = svg('svg', {
    class: 'timeline',
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: WIDTH,
    height,
    role: 'group',
    'aria-labelledby': 'timeline-title',
  });
  root.append(svg('title', { id: 'timeline-title' }, `Validity timeline of ${items.length} certificates, ${problems} need attention`));
  const defs = svg('defs', {},
    svg('pattern', { id: 'warn-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      svg('rect', { width: 6, height: 6, class: 'hatch-bg' }), svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' })),
    svg('linearGradient', { id: 'fade-left', x1: 0, x2: 1, y1: 0, y2: 0 },
      svg('stop', { offset: '0', class: 'fade-stop-0' }), svg('stop', { offset: '1', class: 'fade-stop-1' })),
  );
  root.append(defs);

  // grid and axis labels
  const axis = svg('g', { class: 'axis', 'aria-hidden': 'true' });
  for (const tick of ticks(start, end)) {
    const tx = x(tick.time);
    axis.append(svg('line', { x1: tx, x2: tx, y1: AXIS_HEIGHT - 6, y2: height - 8, class: tick.major ? 'grid major' : 'grid' }));
    axis.append(svg('text', { x: tx, y: AXIS_HEIGHT - 12, class: 'tick-label' }, tick.label));
  }
  axis.append(svg('line', { x1: PLOT_LEFT, x2: PLOT_RIGHT, y1: AXIS_HEIGHT - 6, y2: AXIS_HEIGHT - 6, class: 'axis-line' }));
  root.append(axis);

  const rows = svg('g', { role: 'list' });
  root.append(rows);
  items.forEach((item, index) => {
    const top = AXIS_HEIGHT + index * ROW_HEIGHT;
    const middle = top + ROW_HEIGHT / 2;
    const label = `${item.label} (${item.kind}): ${item.status === 'pending' ? 'pending CSR, no certificate yet' : `valid until ${new Date(item.notAfter).toISOString().slice(0, 10)}`}, ${item.status}`;
    const row = svg('g', { class: `row ${item.status}`, 'data-status': item.status, 'data-name': item.key, role: 'listitem', 'aria-label': label });
    if (index % 2 === 1) row.append(svg('rect', { x: 0, y: top, width: WIDTH, height: ROW_HEIGHT, class: 'stripe' }));
    row.append(svg('title', {}, label));
    const name = svg('text', { x: 8, y: middle + 4, class: 'row-label' }, truncate(item.label, 26));
    const kind = svg('text', { x: LABEL_WIDTH - 8, y: middle + 4, class: 'row-kind' }, item.kind);
    if (item.href) {
      const link = svg('a', { href: item.href }, name);
      row.append(link);
    } else {
      row.append(name);
    }
    row.append(kind);
    if (item.notAfter !== null) {
      const barStart = item.notBefore === null ? start : item.notBefore;
      const x1 = clampX(barStart);
      const x2 = clampX(item.notAfter);
      const barTop = middle - 7;
      row.append(svg('rect', { x: x1, y: barTop, width: Math.max(2, x2 - x1), height: 14, rx: 3, class: 'bar' }));
      const warnStart = clampX(item.notAfter - warningDays * DAY);
      if (x2 > warnStart) {
        row.append(svg('rect', { x: warnStart, y: barTop, width: x2 - warnStart, height: 14, class: 'warning-window' }));
      }
      if (item.notBefore === null || item.notBefore < start) {
        row.append(svg('rect', { x: x1, y: barTop, width: Math.min(30, x2 - x1), height: 14, class: 'open-start' }));
      }
      if (item.notAfter > end) {
        row.append(svg('path', { d: `M${PLOT_RIGHT - 2} ${barTop - 2} l8 9 l-8 9 z`, class: 'open-end' }));
      }
      if (item.status === 'expired' || item.status === 'warning') {
        row.append(svg('circle', { cx: x2, cy: middle, r: 5, class: 'marker' }));
      }
    }
    row.append(svg('text', { x: PLOT_RIGHT + 14, y: middle + 4, class: 'row-status' }, statusText(item)));
    rows.append(row);
  });

  // "now" on top of the bars
  const nowX = x(now);
  root.append(svg('line', { x1: nowX, x2: nowX, y1: AXIS_HEIGHT - 10, y2: height - 6, class: 'now-line' }));
  root.append(svg('text', { x: nowX, y: 11, class: 'now-label' }, 'now'));
  return root;
}

export function legend() {
  const entries = [
    ['ok', 'valid'],
    ['warning', 'inside the warning window'],
    ['expired', 'expired'],
    ['window', 'warning window (hatched)'],
    ['now', 'now'],
  ];
  const list = document.createElement('ul');
  list.className = 'legend';
  for (const [kind, text] of entries) {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = `swatch ${kind}`;
    swatch.setAttribute('aria-hidden', 'true');
    item.append(swatch, document.createTextNode(text));
    list.append(item);
  }
  return list;
}
