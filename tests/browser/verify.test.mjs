// Verify page: a chain signed by a root the device trusts (imported on the Trusted roots page) is
// reported trusted for its own name, and not trusted, with the problem and its remedy, for
// another name. The probe form connects to an `openssl s_server` that presents that chain and
// shows the TLS version, the cipher and the verdict.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { login, openssl, selfSigned, setUp, tempDir } from './telecertd.mjs';

// `openssl s_server` on a free loopback port presenting `cert`; stopped by its PID.
async function startTlsServer(cert, key) {
  const port = await new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  const child = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', cert, '-key', key, '-www', '-quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const deadline = Date.now() + 10000;
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('openssl s_server did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, stop: () => process.kill(child.pid, 'SIGTERM') };
}

test('VerifyReportsTrustedChainAndExplainsANameMismatchAndProbeShowsTheServersHandshake', { timeout: 60000 }, async () => {
  const world = await setUp('verify');
  const { page, daemon } = world;
  const folder = tempDir();
  try {
    const ca = selfSigned(folder, 'ca', 'Verify Test Root', 3650, ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const leafKey = path.join(folder, 'leaf.key');
    const leafCsr = path.join(folder, 'leaf.csr');
    const leaf = path.join(folder, 'leaf.pem');
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', leafKey,
      '-out', leafCsr, '-subj', '/CN=sip.example.com', '-addext', 'subjectAltName=DNS:sip.example.com',
      '-addext', 'extendedKeyUsage=serverAuth', '-addext', 'keyUsage=critical,digitalSignature');
    openssl('x509', '-req', '-in', leafCsr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', '90',
      '-copy_extensions', 'copyall', '-out', leaf);

    await login(page, daemon);
    await page.goto(`${daemon.url}/#/trust`);
    await page.getByLabel('Certificate file (PEM, may hold several, or DER)').setInputFiles(ca.cert);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#trust-import-form .form-alert.ok').waitFor();

    await page.getByRole('link', { name: 'Verify / probe' }).click();
    const form = page.locator('#verify-form');
    await form.getByLabel('Chain file (PEM: leaf first)').setInputFiles(leaf);
    await form.getByLabel('Expected name (optional)').fill('sip.example.com');
    await form.getByRole('button', { name: 'Verify' }).click();
    await page.locator('.verdict', { hasText: /^Trusted$/ }).waitFor();
    assert.match(await page.locator('.report .chain').textContent(), /Verify Test Root/);

    await form.getByLabel('Expected name (optional)').fill('other.example.com');
    await form.getByRole('button', { name: 'Verify' }).click();
    await page.locator('.verdict', { hasText: 'Not trusted' }).waitFor();
    const problems = await page.locator('.report .problems').textContent();
    assert.match(problems, /other\.example\.com/);
    assert.match(problems, /What to do:/);

    const server = await startTlsServer(leaf, leafKey);
    try {
      const probe = page.locator('#probe-form');
      await probe.getByLabel('URL').fill(`tls://127.0.0.1:${server.port}`);
      await probe.getByLabel('Expected name (optional)').fill('sip.example.com');
      await probe.getByRole('button', { name: 'Probe' }).click();
      const facts = page.locator('.probe-facts');
      await facts.waitFor();
      assert.match(await facts.textContent(), /TLS version\s*TLSv1\.3/);
      assert.match(await facts.textContent(), /Cipher\s*TLS_/);
      assert.equal(await page.locator('#probe-form ~ .result .verdict').textContent(), 'Trusted');
    } finally {
      server.stop();
    }
    assert.deepEqual(world.problems, []);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    await world.done();
  }
});
