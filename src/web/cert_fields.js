// The fields of one certificate as a definition list (identity detail, its chain, trusted root
// detail). A field the API does not send for that kind of certificate is left out.
import { badge, formatDate, h } from './dom.js';

export function list(values) {
  return values && values.length ? h('ul', { class: 'plain' }, values.map((v) => h('li', {}, v))) : '—';
}

function yesNo(value) {
  if (value === undefined || value === null) return undefined;
  return value ? 'yes' : 'no';
}

export function certificateFields(certificate) {
  const has = (key) => certificate[key] !== undefined && certificate[key] !== null;
  const rows = [
    ['Subject', certificate.subject],
    ['Issuer', certificate.issuer],
    ['Serial number', certificate.serial],
    ['Valid from', has('not_before') ? formatDate(certificate.not_before) : undefined],
    ['Valid until', has('not_after') ? formatDate(certificate.not_after) : undefined],
    ['Days left', has('days_left') ? String(certificate.days_left) : undefined],
    ['Status', has('status') ? badge(certificate.status) : undefined],
    ['Subject alternative names', has('subject_alt_names') ? list(certificate.subject_alt_names) : undefined],
    ['Public key', certificate.public_key],
    ['Signature algorithm', certificate.signature_algorithm],
    ['Key usage', has('key_usage') ? list(certificate.key_usage) : undefined],
    ['Extended key usage', has('extended_key_usage') ? list(certificate.extended_key_usage) : undefined],
    ['CA', has('is_ca') ? (certificate.is_ca ? `yes${certificate.path_length != null ? `, path length ${certificate.path_length}` : ''}` : 'no') : undefined],
    ['Self-signed', yesNo(certificate.self_signed)],
    ['SHA-256 fingerprint', has('sha256_fingerprint') ? h('code', { class: 'fingerprint' }, certificate.sha256_fingerprint) : undefined],
    ['SHA-1 fingerprint', has('sha1_fingerprint') ? h('code', { class: 'fingerprint' }, certificate.sha1_fingerprint) : undefined],
  ].filter(([, value]) => value !== undefined && value !== null);
  return h('dl', { class: 'fields' }, rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

// "AB:CD:…:EF" for a table cell; the full fingerprint is in the title (and the detail view).
export function shortFingerprint(fingerprint) {
  const text = String(fingerprint || '');
  const short = text.length > 23 ? `${text.slice(0, 11)}…${text.slice(-11)}` : text;
  return h('code', { class: 'fingerprint', title: text }, short);
}
