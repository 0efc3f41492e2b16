// Test helpers: a telecertd of its own for each test (fresh data dir in a temporary folder, a port
// the kernel picks, the `admin password: PW` line read from stdout, stopped by its PID), Debian's
// chromium driven by playwright-core, login, screenshots, and the `openssl` command as the
// independent peer that makes and checks files.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const STARTUP_TIMEOUT_MS = 30000;

export function tempDir(prefix = 'telecert-browser-') {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

// Starts telecertd (env TELECERTD) on a fresh data dir; resolves {url, password, pid, stop()}.
export async function startDaemon() {
  const binary = process.env.TELECERTD;
  if (!binary || !fs.existsSync(binary)) {
    throw new Error(`TELECERTD must name the built telecertd (got '${binary ?? ''}'); ctest sets it`);
  }
  const folder = tempDir();
  const dataDir = path.join(folder, 'data');
  const child = spawn(binary, ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--threads', '2'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let log = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { log += chunk; });
  const started = await new Promise((resolve, reject) => {
    const deadline = setTimeout(() => finish(new Error(`telecertd did not start within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
    const poll = setInterval(() => {
      const listening = /listening on (https:\/\/\S+)/.exec(output + log);
      const password = /admin password: (\S+)/.exec(output);
      if (listening && password) finish(null, { url: listening[1].replace(/\/$/, ''), password: password[1] });
    }, 20);
    const exited = (code) => finish(new Error(`telecertd exited (${code}) before listening:\n${output}\n${log}`));
    child.once('exit', exited);
    function finish(error, value) {
      clearTimeout(deadline);
      clearInterval(poll);
      child.off('exit', exited);
      if (error) {
        child.kill('SIGKILL');
        reject(error);
      } else {
        resolve(value);
      }
    }
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(killer);
    }
    fs.rmSync(folder, { recursive: true, force: true });
  };
  return { ...started, pid: child.pid, dataDir, log: () => log, stop };
}

export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
    ],
  });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of (401|403|404|409|413|422)/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { browser, context, page, problems };
}

// One test's world: a daemon and a browser page; `done()` saves a screenshot and stops both.
export async function setUp(name) {
  const daemon = await startDaemon();
  let world;
  try {
    world = await launchBrowser();
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  const { browser, page, problems } = world;
  const done = async () => {
    try {
      await screenshot(page, name);
    } finally {
      await browser.close();
      await daemon.stop();
    }
  };
  return { daemon, ...world, problems, done };
}

export async function screenshot(page, name) {
  const folder = process.env.TELECERT_SCREENSHOT_DIR || path.join(os.tmpdir(), 'telecert-screenshots');
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function login(page, daemon, user = 'admin', password = daemon.password) {
  await page.goto(`${daemon.url}/`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#shell').waitFor({ state: 'visible' });
}

// A JSON request as the logged-in browser session (same cookies), with its CSRF token on writes.
export async function apiAsPage(page, daemon, method, route, body) {
  const session = await page.request.get(`${daemon.url}/api/v1/session`);
  const { csrf_token: csrf } = await session.json();
  const response = await page.request.fetch(`${daemon.url}${route}`, {
    method,
    headers: { 'X-CSRF-Token': csrf || '', 'Content-Type': 'application/json' },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  return response;
}

export function openssl(...args) {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

// A self-signed EC certificate and key with `days` of validity; answers {cert, key} paths.
export function selfSigned(folder, name, cn, days, extra = []) {
  const cert = path.join(folder, `${name}.pem`);
  const key = path.join(folder, `${name}.key`);
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', String(days), '-subj', `/CN=${cn}`, ...extra);
  return { cert, key };
}
