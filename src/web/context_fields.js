// The fields of a TLS context, as GET /api/v1/context-fields describes them (name, kind, choices,
// default, help). FALLBACK_FIELDS mirrors src/tls/context_definition.h for a daemon that does not
// serve that route; the daemon's answer always wins.
import { ApiError, api } from './api.js';

const FALLBACK_FIELDS = [
  { name: 'role', kind: 'choice', choices: ['both', 'server', 'client'], default: 'both', help: 'which side of a connection the context is for' },
  { name: 'min-tls', kind: 'choice', choices: ['1.0', '1.1', '1.2', '1.3'], default: '1.2', help: 'lowest TLS version (1.0/1.1 need legacy)' },
  { name: 'max-tls', kind: 'choice', choices: ['1.0', '1.1', '1.2', '1.3'], default: '1.3', help: 'highest TLS version' },
  { name: 'legacy', kind: 'bool', default: false, help: 'allow TLS 1.0/1.1, SHA-1 and 1024-bit DH for this context only' },
  { name: 'dtls', kind: 'choice', choices: ['1.0', '1.2'], default: '1.2', help: 'DTLS version' },
  { name: 'ciphers', kind: 'text', default: '', help: 'TLS 1.2 cipher list (OpenSSL syntax); empty: OpenSSL default' },
  { name: 'suites', kind: 'text', default: '', help: 'TLS 1.3 cipher suites; empty: OpenSSL default' },
  { name: 'groups', kind: 'text', default: '', help: 'key exchange groups, e.g. X25519:P-256' },
  { name: 'dh-bits', kind: 'number', default: 2048, help: 'DH key size' },
  { name: 'identity', kind: 'text', default: '', help: 'identity presented; empty: the factory identity' },
  { name: 'trust', kind: 'text', default: 'all', help: 'builtin, custom, all, or a comma list of root SHA-256 fingerprints' },
  { name: 'verify', kind: 'choice', choices: ['none', 'chain', 'chain+name'], default: 'chain+name', help: 'peer verification' },
  { name: 'cn-fallback', kind: 'bool', default: false, help: 'accept the subject CN as a name when there is no DNS SAN' },
  { name: 'client-cert', kind: 'choice', choices: ['none', 'request', 'require'], default: 'none', help: 'client certificate (server side)' },
  { name: 'ocsp', kind: 'bool', default: false, help: 'check revocation with OCSP' },
  { name: 'ocsp-url', kind: 'list', default: [], help: 'primary and secondary OCSP responder URLs (comma separated); empty: from the certificate' },
  { name: 'ocsp-stapling', kind: 'bool', default: false, help: 'staple our own OCSP response (server side)' },
  { name: 'crl', kind: 'bool', default: false, help: 'check revocation with CRLs' },
  { name: 'crl-file', kind: 'text', default: '', help: 'CRL file; empty: the certificates\' distribution points' },
  { name: 'ocsp-default', kind: 'choice', choices: ['reject', 'accept'], default: 'reject', help: 'when no revocation answer can be had' },
  { name: 'strict', kind: 'bool', default: false, help: 'strict certificate extension checks (key usage / EKU)' },
  { name: 'send-chain', kind: 'bool', default: true, help: 'send the full chain, not the leaf alone' },
];

let cached = null;

export async function contextFields() {
  if (cached) return cached;
  try {
    cached = await api('GET', '/api/v1/context-fields');
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 405)) throw error;
    cached = FALLBACK_FIELDS;
  }
  return cached;
}

// The text form a field's value takes in a request ("on"/"off", comma lists).
export function textValue(fieldDefinition, value) {
  if (fieldDefinition.kind === 'bool') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.join(',');
  if (value === undefined || value === null) return '';
  return String(value);
}

// The context's current value of a field as the form shows it ("trust" with an explicit list
// shows the fingerprints).
export function currentValue(context, fieldDefinition) {
  if (fieldDefinition.name === 'trust' && context.trust === 'list') return (context['trust-list'] || []).join(',');
  return context[fieldDefinition.name] ?? fieldDefinition.default;
}
