// "File or pasted text" for every upload: a file input and beside it a textarea "or paste PEM"
// (the Avaya "Paste from clipboard in PEM format"). Either travels base64 in the JSON body, as the
// contract's uploads do; the file wins when both are given.
import { fileToBase64, textToBase64 } from './api.js';
import { field, h } from './dom.js';

// The two fields for upload `name`: the file input (labelled `label`) and the textarea
// `<name>-pem` (labelled "or paste PEM — <what>"). options: {id, accept, required, help, keys, what}.
export function fileOrPaste(label, name, { id, accept, required = false, help, keys = [], what = 'certificate' } = {}) {
  const file = h('input', { type: 'file', name, id, required, accept });
  const paste = h('textarea', {
    name: `${name}-pem`, id: `${id}-pem`, rows: 4, class: 'pem paste', spellcheck: 'false',
    placeholder: '-----BEGIN CERTIFICATE-----',
  });
  return h('div', { class: 'file-or-paste' },
    field(label, file, { help, keys }),
    field(`or paste PEM — ${what}`, paste, { keys }));
}

// The base64 of the chosen file or the pasted text of upload `name` in `data` (FormData);
// undefined when neither is given. `required`: the message to throw then.
export async function uploadValue(data, name, required) {
  const file = data.get(name);
  if (file instanceof File && file.size > 0) return fileToBase64(file);
  const text = String(data.get(`${name}-pem`) || '').trim();
  if (text) return textToBase64(`${text}\n`);
  if (required) throw Object.assign(new Error(required), { hint: 'choose a file or paste its PEM text' });
  return undefined;
}
