// Shared helpers for the browser tests of the practitioner web app.
//
// Each test file starts `continuum serve` itself on 127.0.0.1 (a free port,
// a scratch SQLite database with the demo families loaded through the CLI,
// the built app from web/dist), drives Debian's Chromium through
// playwright-core (never a downloaded browser), checks every page it visits
// with axe-core (injected from axe.min.js) for serious or critical
// violations, and saves a screenshot of each.
//
//   CONTINUUM_BIN        the binary (default build/continuum)
//   CHROMIUM             the browser (default /usr/bin/chromium)
//   WEB_SCREENSHOTS      where screenshots go (default build/web-screenshots;
//                        docs/screenshots to refresh the committed set)
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(ROOT, 'web', 'package.json'));
const { chromium } = require('playwright-core');
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const BIN = process.env.CONTINUUM_BIN || path.join(ROOT, 'build', 'continuum');
export const SHOTS = process.env.WEB_SCREENSHOTS || path.join(ROOT, 'build', 'web-screenshots');
export const PASSWORD = 'demo password 2026';

// --- the server -------------------------------------------------------------

export class Server {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'continuum-web-'));
    this.db = `sqlite:${path.join(this.dir, 'web.db')}`;
    this.proc = null;
    this.url = '';
  }

  cli(args, input) {
    const r = spawnSync(BIN, ['--frameworks-dir', path.join(ROOT, 'frameworks'), ...args], {
      env: { ...process.env, CONTINUUM_DB: this.db, CONTINUUM_USER: '' },
      input: input ?? '',
      encoding: 'utf8',
      cwd: ROOT,
    });
    if (r.status !== 0) throw new Error(`continuum ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  // A database with the demo families, agencies, teams and accounts.
  setUp() {
    this.cli(['init']);
    this.cli(['demo']);
    return this;
  }

  async start(extra = []) {
    const portFile = path.join(this.dir, 'port');
    this.log = fs.openSync(path.join(this.dir, 'serve.log'), 'w');
    this.proc = spawn(
      BIN,
      ['--frameworks-dir', path.join(ROOT, 'frameworks'), 'serve', '--db', this.db, '--listen', '127.0.0.1:0', '--port-file', portFile, '--web-dir', path.join(ROOT, 'web', 'dist'), ...extra],
      { stdio: ['ignore', this.log, this.log], cwd: ROOT },
    );
    for (let i = 0; i < 300; i++) {
      if (fs.existsSync(portFile) && fs.readFileSync(portFile, 'utf8').trim()) break;
      if (this.proc.exitCode !== null) throw new Error(`continuum serve exited: ${fs.readFileSync(path.join(this.dir, 'serve.log'), 'utf8')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const port = fs.readFileSync(portFile, 'utf8').trim();
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const done = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await done;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  // The API as a named user, for setting up and checking (bearer or cookie).
  async api(username, method, p, body) {
    if (!this.tokens) this.tokens = {};
    if (!this.tokens[username]) {
      const r = await fetch(`${this.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password: PASSWORD }),
      });
      const j = await r.json();
      if (!j.token) throw new Error(`login ${username}: ${JSON.stringify(j)}`);
      this.tokens[username] = j.token;
    }
    const r = await fetch(`${this.url}${p}`, {
      method,
      headers: { Authorization: `Bearer ${this.tokens[username]}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }
}

// --- the browser ------------------------------------------------------------

// playwright-core gives each launch a fresh temporary profile
// (--user-data-dir), removed when the browser closes.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export async function closeBrowser(browser) {
  await browser.close();
}

// One journey: a page, its screenshots, accessibility checks and a count of
// the user's interactions (each click, key press and field filled is one).
export class Journey {
  constructor(browser, server, name, { width = 1280, height = 900, clock = false } = {}) {
    this.clock = clock;
    this.browser = browser;
    this.server = server;
    this.name = name;
    this.viewport = { width, height };
    this.shots = 0;
    this.interactions = 0;
    this.problems = [];
  }

  async open() {
    this.context = await this.browser.newContext({ viewport: this.viewport, baseURL: this.server.url });
    this.page = await this.context.newPage();
    this.page.on('console', (m) => {
      const t = m.text();
      if (/Content.Security.Policy|Refused to/i.test(t)) this.problems.push(`CSP: ${t}`);
    });
    this.page.on('pageerror', (e) => this.problems.push(`page error: ${e.message}`));
    // A clock the test moves on (the session timeout warning), installed before the app loads.
    if (this.clock) await this.page.clock.install();
    await this.page.goto('/');
    await this.page.locator('h1').first().waitFor();
    return this;
  }

  async close() {
    await this.context.close();
    if (this.problems.length) throw new Error(`${this.name}: ${this.problems.join('\n')}`);
  }

  // --- counted interactions ---
  async click(locator) {
    this.interactions++;
    await locator.click();
  }
  async fill(locator, text) {
    this.interactions++;
    await locator.fill(text);
  }
  async check(locator) {
    this.interactions++;
    await locator.check();
  }
  async select(locator, value) {
    this.interactions++;
    await locator.selectOption(value);
  }
  async press(key) {
    this.interactions++;
    await this.page.keyboard.press(key);
  }
  async type(text) {
    // Typing a value into the focused field counts as one interaction.
    this.interactions++;
    await this.page.keyboard.type(text);
  }

  // Press Tab until the focused element matches the test, as a keyboard user would.
  async tabTo(test, max = 300) {
    for (let i = 0; i < max; i++) {
      await this.press('Tab');
      if (await this.page.evaluate(test)) return;
    }
    throw new Error(`${this.name}: could not reach the element by keyboard`);
  }

  // A screenshot of the page, and its accessibility check.
  async visit(label) {
    await this.page.waitForLoadState('networkidle');
    await this.page.waitForFunction(() => !document.querySelector('[role=status]') || !/Loading/.test(document.querySelector('[role=status]').textContent));
    await this.axe(label);
    fs.mkdirSync(SHOTS, { recursive: true });
    this.shots++;
    const file = path.join(SHOTS, `${this.name}-${String(this.shots).padStart(2, '0')}-${label}.png`);
    await this.page.screenshot({ path: file, fullPage: true, clip: undefined });
    return file;
  }

  async axe(label) {
    const result = await this.page.evaluate(async (src) => {
      if (!window.axe) (0, eval)(src);
      const r = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
    }, AXE);
    if (result.length) throw new Error(`${this.name} / ${label}: accessibility violations:\n${result.join('\n')}`);
  }

  // Nothing scrolls sideways at this width.
  async fitsWidth(label) {
    const w = await this.page.evaluate(() => document.documentElement.scrollWidth);
    if (w > this.viewport.width) throw new Error(`${this.name} / ${label}: the page is ${w}px wide at ${this.viewport.width}px`);
  }

  async signIn(username, { totp } = {}) {
    const p = this.page;
    await this.fill(p.getByLabel('User name'), username);
    await this.fill(p.getByLabel('Password', { exact: true }), PASSWORD);
    if (totp) await this.fill(p.getByLabel(/Security code/), totp);
    await this.click(p.getByRole('button', { name: 'Sign in' }));
    await p.getByText(`Signed in as`).waitFor();
  }

  // The address bar and browser storage hold no personal data.
  async assertNoPersonalData(words) {
    const url = this.page.url();
    const storage = await this.page.evaluate(() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie]));
    for (const w of words) {
      if (url.includes(w)) throw new Error(`${this.name}: the address ${url} contains ${w}`);
      if (storage.includes(w)) throw new Error(`${this.name}: browser storage contains ${w}`);
    }
  }
}

export function totpCode(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/\s|=/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = crypto.createHmac('sha1', Buffer.from(bytes)).update(counter).digest();
  const off = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

export function dateInDays(n) {
  const d = new Date(Date.now() + n * 86400000);
  return `${d.getDate()}/${d.getMonth() + 1}/${d.getFullYear()}`;
}
