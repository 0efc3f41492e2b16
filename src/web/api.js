// The REST API v1 client of the web UI (see /api/v1/openapi.json and docs of the contract).
// Keeps the session's CSRF token and sends it as X-CSRF-Token on every write; turns the error
// shape {"error": {"code", "message", "hint"}} into an ApiError; a 401 on anything but the login
// itself hands control back to the login page.

let csrfToken = null;
let unauthenticated = () => {};

export function setCsrfToken(token) {
  csrfToken = token || null;
}

export function onUnauthenticated(handler) {
  unauthenticated = handler;
}

export class ApiError extends Error {
  constructor(status, code, message, hint) {
    super(message);
    this.status = status;
    this.code = code;
    this.hint = hint || '';
  }
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function errorFrom(response) {
  let code = `http_${response.status}`;
  let message = `The server answered ${response.status} ${response.statusText}`.trim();
  let hint = '';
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
      hint = body.error.hint || '';
    }
  } catch {
    // not the error shape (a proxy's page, an empty body): keep the status line
  }
  return new ApiError(response.status, code, message, hint);
}

// Sends a request and answers the Response; throws ApiError for any non-2xx answer.
export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (WRITE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (cause) {
    throw new ApiError(0, 'network', 'The daemon cannot be reached', 'check that telecertd runs and reload the page');
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401 && path !== '/api/v1/session') unauthenticated(error);
    throw error;
  }
  return response;
}

// JSON answer (null for 204).
export async function api(method, path, body) {
  const response = await request(method, path, body);
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

// A paginated list: {items, total}.
export async function apiList(path) {
  const response = await request('GET', path);
  const items = await response.json();
  const total = Number(response.headers.get('X-Total-Count') ?? items.length);
  return { items, total };
}

// Reads a File in the browser and answers its bytes as base64 (the contract's upload form).
export async function fileToBase64(file) {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()));
}

// Pasted text (PEM) as base64 of its UTF-8 bytes, like a file holding it.
export function textToBase64(text) {
  return bytesToBase64(new TextEncoder().encode(text));
}

function bytesToBase64(bytes) {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

// The filename of a Content-Disposition attachment, or `fallback`.
export function attachmentName(response, fallback) {
  const header = response.headers.get('Content-Disposition') || '';
  const match = /filename="?([^";]+)"?/i.exec(header);
  return match ? match[1] : fallback;
}

// Saves a Response's body as a file in the browser.
export async function saveResponse(response, fallbackName) {
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = attachmentName(response, fallbackName);
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
