// The practitioner journeys in a real browser, one test per journey, on the
// demo families of all four frameworks: every page visited is checked with
// axe-core and saved as a screenshot; the pathway forms are the ones the app
// generates from each framework's declarations.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeBrowser, dateInDays, Journey, launchBrowser, Server, totpCode } from './harness.mjs';

let server;
let browser;
const frameworks = {};

before(async () => {
  server = new Server().setUp();
  await server.start(['--idle-timeout-minutes', '30']);
  browser = await launchBrowser();
  for (const id of ['worcestershire', 'devon', 'staffordshire', 'scotland']) frameworks[id] = (await server.api('c.lead', 'GET', `/api/v1/frameworks/${id}`)).body;
});

after(async () => {
  if (browser) await closeBrowser(browser);
  if (server) await server.stop();
});

async function journey(name, fn, opts) {
  const j = await new Journey(browser, server, name, opts).open();
  try {
    await fn(j);
  } finally {
    await j.close();
  }
}

// A step's label depends on the case's state (one event, several
// transitions): any of the event's labels names it.
const escape = (x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const labelOf = (fw, event) => frameworks[fw].pathway.transitions.find((t) => t.event === event).label;
const labelsOf = (fw, event) => new RegExp(`^(${[...new Set(frameworks[fw].pathway.transitions.filter((t) => t.event === event).map((t) => escape(t.label)))].join('|')})$`);

// Fills every field of the form on the page that is still empty: the first
// choice of each group, a sentence in each text box, a date nine weeks
// ahead (inside the 6-to-12-week review window), until nothing is left.
async function fillForm(j, overrides = {}) {
  const p = j.page;
  // An override is a choice's label (or a pattern), a text, or
  // { other: NAME }: someone from the directory, under "someone else".
  for (const [label, value] of Object.entries(overrides)) {
    const group = p.getByRole('group', { name: new RegExp(`^${escape(label)}(\\W|$)`) });
    if (value && typeof value === 'object' && 'other' in value) {
      const g = group.first();
      await j.check(g.getByLabel('Someone or somewhere else', { exact: true }));
      const select = g.locator('select');
      if (await select.count()) {
        const option = await select.first().evaluate((s, name) => [...s.options].find((o) => o.text.startsWith(name))?.value, value.other);
        if (!option) throw new Error(`${label}: no ${value.other} in the directory`);
        await j.select(select.first(), option);
      } else await j.check(g.getByLabel(new RegExp(`^${escape(value.other)}`)).first());
    } else if (await group.count()) await j.check(group.first().getByLabel(value, { exact: typeof value === 'string' }).first());
    else await j.fill(p.getByLabel(label, { exact: true }), value);
  }
  for (let round = 0; round < 6; round++) {
    const tasks = await p.evaluate(() => {
      const form = [...document.querySelectorAll('main form')].pop();
      const out = [];
      for (const fs of form.querySelectorAll('fieldset')) {
        if (fs.classList.contains('moj-add-another') || !fs.offsetParent) continue;
        const own = [...fs.querySelectorAll(':scope > .govuk-radios > .govuk-radios__item > input, :scope > .govuk-checkboxes > .govuk-checkboxes__item > input')];
        if (own.length && !own.some((i) => i.checked)) out.push({ kind: 'check', id: own[0].id });
      }
      for (const t of form.querySelectorAll('textarea')) if (!t.value) out.push({ kind: 'text', id: t.id });
      for (const i of form.querySelectorAll('input[type=text]')) {
        if (i.value || i.id.endsWith('-other') || !i.offsetParent) continue;
        out.push({ kind: i.classList.contains('moj-js-datepicker-input') ? 'date' : i.inputMode === 'numeric' ? 'int' : 'input', id: i.id });
      }
      for (const s of form.querySelectorAll('select')) if (!s.value && s.offsetParent) out.push({ kind: 'select', id: s.id });
      return out;
    });
    if (!tasks.length) return;
    for (const t of tasks) {
      const el = p.locator(`[id="${t.id}"]`);
      if (t.kind === 'check') await j.check(el);
      else if (t.kind === 'text') await j.fill(el, 'Recorded in the browser test with the family.');
      else if (t.kind === 'date') await j.fill(el, dateInDays(63));
      else if (t.kind === 'int') await j.fill(el, '1');
      else if (t.kind === 'select') await el.selectOption({ index: 1 });
      else await j.fill(el, 'An item agreed with the family');
    }
  }
}

async function expectNoErrors(j, what) {
  const summary = j.page.locator('.govuk-error-summary');
  if (await summary.count()) assert.fail(`${what}: ${await summary.first().innerText()}`);
}

async function openChild(j, name) {
  const p = j.page;
  if (!(await p.getByRole('heading', { name: 'My work' }).isVisible())) await j.click(p.getByRole('link', { name: 'My work' }));
  await j.fill(p.getByLabel('Name, NHS number or record id'), name);
  await j.click(p.getByRole('button', { name: 'Search' }));
  await j.click(p.getByRole('link', { name }).first());
  await p.getByRole('heading', { name: 'Case summary' }).waitFor();
}

// Record one pathway step from the case's "Record" tab.
async function recordStep(j, fw, event, overrides, label) {
  const p = j.page;
  await j.click(p.getByRole('navigation', { name: 'Case' }).getByRole('link', { name: 'Record', exact: true }));
  await p.getByRole('heading', { name: 'Record on the case' }).waitFor();
  await j.click(p.getByRole('link', { name: labelsOf(fw, event) }));
  await p.getByRole('heading', { name: labelsOf(fw, event) }).waitFor();
  await fillForm(j, overrides);
  await j.visit(label ?? event.replace(/\./g, '-'));
  await j.click(p.getByRole('button', { name: 'Save and record' }));
  await p.waitForFunction(() => document.querySelector('.govuk-notification-banner--success') || document.querySelector('.govuk-error-summary'));
  await expectNoErrors(j, `${fw} ${event}`);
  await p.getByText(new RegExp(`${labelsOf(fw, event).source.slice(1, -1)}: recorded`)).waitFor();
}


test('sign in: errors, a second factor, the timeout warning, sign out', async () => {
  const out = server.cli(['user', 'add', 'z.totp', '--name', 'Zoe Totp', '--role', 'practitioner', '--agency', 'st-marys-primary', '--totp', '--password-file', '-'], 'demo password 2026\n');
  const secret = out.split('\n').find((l) => /TOTP secret/.test(l)).split(':').slice(1).join(':').trim();
  await journey('signin', async (j) => {
    const p = j.page;
    await j.visit('sign-in');
    await j.click(p.getByRole('button', { name: 'Sign in' }));
    await p.locator('.govuk-error-summary').waitFor();
    await j.visit('sign-in-errors');
    await j.fill(p.getByLabel('User name'), 'z.totp');
    await j.fill(p.getByLabel('Password', { exact: true }), 'demo password 2026');
    await j.click(p.getByRole('button', { name: 'Sign in' }));
    await p.getByText('The user name, password or security code is not right').first().waitFor();
    await j.signIn('z.totp', { totp: totpCode(secret) });
    await j.visit('signed-in-with-code');
    // The GOV.UK timeout warning: the clock is moved on, not waited for.
    await p.clock.fastForward('27:00');
    await p.getByRole('dialog').waitFor();
    await j.visit('timeout-warning');
    await j.click(p.getByRole('button', { name: 'Stay signed in' }));
    await p.getByRole('dialog').waitFor({ state: 'detached' });
    await j.click(p.getByRole('link', { name: 'Sign out' }).first());
    await p.getByText('You have signed out.').waitFor();
  }, { clock: true });
});

test('my work: due and overdue, the caseload, search; alerts for a safeguarding lead', async () => {
  await journey('my-work', async (j) => {
    const p = j.page;
    await j.signIn('m.clarke');
    await p.getByText('Deadlines you or your team own').waitFor();
    await j.visit('my-work');
    await j.fill(p.getByLabel('Name, NHS number or record id'), 'Jayden');
    await j.click(p.getByRole('button', { name: 'Search' }));
    await p.getByRole('link', { name: 'Jayden Moss' }).first().waitFor();
    await j.visit('search');
    await j.assertNoPersonalData(['Jayden', 'demo-wo-jayden']);
  });
  // Emergency access raises an alert, which the lead sees and acknowledges.
  await server.api('t.jones', 'POST', '/api/v1/children/demo-wo-lily/break-glass', { reason: 'Lily brought to school with a head injury by a stranger' });
  await journey('alerts', async (j) => {
    const p = j.page;
    await j.signIn('c.lead');
    await p.getByText(/alert.* not yet acknowledged/).waitFor();
    await j.visit('my-work-lead');
    await j.click(p.getByRole('link', { name: 'Alerts', exact: true }).first());
    await p.getByRole('heading', { name: 'Alerts' }).waitFor();
    await j.visit('alerts');
    await j.click(p.getByRole('button', { name: /Acknowledge/ }).first());
    await p.getByText(/acknowledged/).first().waitFor();
  });
});

// A concern about a new child, on the needs windscreen of each framework.
const practitioners = { worcestershire: 't.jones', devon: 'e.rowe', staffordshire: 'f.hill', scotland: 'i.fraser' };
for (const fw of Object.keys(practitioners)) {
  test(`record a concern (${fw}): the windscreen, the suggestion and its explanation, sent to the front door`, async () => {
    await journey(`concern-${fw}`, async (j) => {
      const p = j.page;
      await j.signIn(practitioners[fw]);
      await j.click(p.getByRole('link', { name: 'Record a concern', exact: true }).first());
      await j.check(p.getByLabel(frameworks[fw].authority, { exact: false }).first());
      await j.fill(p.getByLabel("Child's full name"), `Test Child ${fw}`);
      await j.fill(p.getByLabel('Date of birth'), '14/3/2017');
      await j.visit('about-the-child');
      await j.click(p.getByRole('button', { name: 'Continue' }));
      // An immediate-risk indicator, found by searching its words.
      const urgent = frameworks[fw].indicators.find((i) => i.immediate && !i.age_under && !i.age_at_least);
      const plain = frameworks[fw].indicators.find((i) => !i.immediate && i.level >= 2 && !i.age_under && !i.age_at_least);
      await j.fill(p.getByLabel('Search what you have seen'), plain.label.split(/\s+/).slice(0, 3).join(' '));
      await j.check(p.getByLabel(plain.label, { exact: false }).first());
      await p.locator('#suggested-level').waitFor();
      await j.visit('windscreen');
      if (urgent) {
        await j.fill(p.getByLabel('Search what you have seen'), urgent.label.split(/\s+/).slice(0, 3).join(' '));
        await j.check(p.getByLabel(urgent.label, { exact: false }).first());
        await p.getByText(/Immediate risk: act now/).waitFor();
      }
      const explanation = await p.locator('#explanation li').count();
      assert.ok(explanation > 0, 'the suggestion is explained');
      await j.click(p.getByRole('button', { name: 'Continue' }));
      if (urgent) {
        await p.getByRole('heading', { name: /Act now/ }).waitFor();
        await j.visit('immediate-risk');
        await j.click(p.getByRole('button', { name: 'Record what happened' }));
      }
      const entry = p.getByRole('group', { name: 'What are you recording?' });
      if (await entry.count()) await j.check(entry.getByLabel(labelOf(fw, 'request.received'), { exact: true }));
      await p.getByRole('button', { name: 'Send' }).waitFor();
      await fillForm(j);
      await j.visit('request-form');
      await j.click(p.getByRole('button', { name: 'Send' }));
      await p.getByRole('heading', { name: /^Sent to/ }).waitFor();
      await p.getByText(/cannot open/).waitFor();
      await j.visit('sent');
      await j.assertNoPersonalData([`Test Child ${fw}`]);
    });
  });
}

test('practitioner effort: from my work to a recorded concern with its suggested level and explanation', async () => {
  const started = Date.now();
  let count = 0;
  await journey('effort', async (j) => {
    const p = j.page;
    await j.signIn('t.jones');
    j.interactions = 0;
    const fw = frameworks.worcestershire;
    const seen = fw.indicators.find((i) => !i.immediate && i.level === 3 && !i.age_under && !i.age_at_least);
    await j.click(p.locator('#record-concern'));
    await j.check(p.getByLabel(fw.authority, { exact: false }).first());
    await j.fill(p.getByLabel("Child's full name"), 'Ruby Effort');
    await j.fill(p.getByLabel('Date of birth'), '2/2/2016');
    await j.click(p.getByRole('button', { name: 'Continue' }));
    await j.fill(p.getByLabel('Search what you have seen'), seen.label.split(/\s+/).slice(0, 3).join(' '));
    await j.check(p.getByLabel(seen.label, { exact: false }).first());
    await p.locator('#suggested-level').waitFor();
    assert.ok((await p.locator('#explanation li').count()) > 0);
    await j.click(p.getByRole('button', { name: 'Continue' }));
    const request = fw.pathway.transitions.find((t) => t.event === 'request.received');
    // A request for support or a referral: the practitioner says which.
    await p.locator('#entry, #f-source').first().waitFor();
    const entry = p.getByRole('group', { name: 'What are you recording?' });
    if (await entry.count()) await j.check(entry.getByLabel(request.label, { exact: true }));
    // The request's required fields: the first choice of each, a sentence for text.
    for (const f of request.fields.filter((x) => !x.optional)) {
      const id = `#f-${f.name}`;
      if (f.type === 'text') await j.fill(p.locator(id), 'Ruby says there is no food at home and she is often hungry at school.');
      else if (f.type === 'bool') await j.check(p.locator(`${id}-2`));
      else if ((await p.locator(id).evaluate((e) => e.tagName)) === 'SELECT') await j.select(p.locator(id), { index: 1 });
      else await j.check(p.locator(id));
    }
    await j.click(p.getByRole('button', { name: 'Send' }));
    await p.getByRole('heading', { name: /^Sent to/ }).waitFor();
    await j.visit('sent');
    count = j.interactions;
  });
  const seconds = (Date.now() - started) / 1000;
  console.log(`practitioner effort: ${count} interactions, ${seconds.toFixed(1)} s of scripted input`);
  assert.ok(count <= 15, `${count} interactions (at most 15)`);
  assert.ok(seconds < 120, `${seconds} s (under 2 minutes)`);
});

// The pathway's steps on a child of each framework, by the case's lead
// professional or allocated worker, through the generated forms.
// The steps follow each framework's rules: consent before a team from
// another agency, actions before a plan, the review before the closure,
// the social work assessment before a step down.
const pathways = [
  {
    fw: 'worcestershire',
    user: 'm.clarke',
    child: 'Jayden Moss',
    steps: [
      ['consent.given', { Agencies: { other: 'Targeted Family Support' }, Form: 'Written' }],
      ['action.added'],
      ['team.member_added', { Member: { other: 'Gwen Evans' }, Role: 'Targeted Family Support team leader (allocated)' }],
      ['review.held', { Outcome: 'Positive change', Decision: 'Continue', 'Brought forward': 'No' }],
      // Discussed with the allocated team leader on the team, not the lead (Appendix 6).
      ['concern.raised', { 'Discussed with': /^Gwen Evans/, Decision: 'Remains at current level' }],
      ['escalation.raised', { 'With agency': { other: 'Family Front Door' } }],
      ['consent.overridden', { Ground: 'Significant harm' }],
      ['step_up.requested'],
    ],
  },
  {
    fw: 'worcestershire',
    user: 'd.ali',
    child: 'Noah Webb',
    steps: [['escalation.resolved'], ['review.held', { Outcome: 'Positive change', Decision: 'End needs met', 'Brought forward': 'No' }], ['case.closed', { Reason: 'Needs met', 'Signposted to': 'Virtual family hub' }]],
  },
  {
    fw: 'worcestershire',
    user: 'r.patel',
    child: 'Amelia Hart',
    steps: [
      ['social_care.assessment_completed', { Outcome: 'Early help', Level: /^Level 3/ }],
      ['step_down.requested', { 'Recommended level': /^Level 3/, 'Agreed by': { other: 'Sam Ahmed' } }],
      ['step_down.case_discussion'],
      ['consent.given', { Form: 'Verbal' }],
      ['action.added'],
      ['step_down.final_meeting'],
    ],
  },
  { fw: 'devon', user: 'e.rowe', child: 'Kai Turner', steps: [['action.added'], ['review.held', { Decision: 'End needs met' }], ['case.closed', { Reason: 'Needs met' }]] },
  { fw: 'staffordshire', user: 'f.hill', child: 'Maya Price', steps: [['assessment.completed'], ['action.added'], ['plan.agreed', { 'Plan type': 'Single agency' }]] },
  { fw: 'scotland', user: 'i.fraser', child: 'Ellie Murray', steps: [['action.added'], ['chronology.entry_added']] },
  { fw: 'scotland', user: 'w.reid', child: 'Callum Stewart', steps: [['team.member_added'], ['note.added']] },
];
for (const w of pathways) {
  test(`pathway (${w.fw}, ${w.child}): ${w.steps.map((s) => s[0]).join(', ')}`, async () => {
    await journey(`pathway-${w.fw}-${w.user.replace('.', '')}`, async (j) => {
      const p = j.page;
      await j.signIn(w.user);
      await openChild(j, w.child);
      await j.visit('case');
      for (const [event, overrides] of w.steps) await recordStep(j, w.fw, event, overrides);
      await j.visit('after');
      await j.assertNoPersonalData([w.child, 'demo-']);
    });
  });
}

test('chronology: filters by agency, type, significance and date; print view', async () => {
  await journey('chronology', async (j) => {
    const p = j.page;
    await j.signIn('r.patel');
    await openChild(j, 'Lily Carter');
    await j.click(p.getByRole('link', { name: 'Chronology' }));
    await p.locator('.moj-timeline__item').first().waitFor();
    await j.visit('chronology');
    const all = await p.locator('.moj-timeline__item').count();
    await j.check(p.getByRole('group', { name: 'Significance' }).getByLabel('Key events only'));
    await j.fill(p.getByLabel('From'), dateInDays(-150));
    await j.click(p.getByRole('button', { name: 'Apply filters' }));
    await p.waitForFunction((n) => document.querySelectorAll('.moj-timeline__item').length < n, all);
    await j.visit('chronology-filtered');
    await p.emulateMedia({ media: 'print' });
    await j.visit('chronology-print');
    await p.emulateMedia({ media: 'screen' });
  });
});

test('front door queue: the duty team’s decisions with their clocks', async () => {
  await journey('front-door', async (j) => {
    const p = j.page;
    await j.signIn('k.osei');
    await j.click(p.getByRole('link', { name: 'Front door queue' }));
    await p.getByRole('heading', { name: 'Front door queue' }).waitFor();
    await p.getByText('Harry Finch').first().waitFor();
    await j.visit('queue');
    await j.click(p.getByRole('link', { name: 'Harry Finch' }).first());
    await p.getByRole('heading', { name: 'Case summary' }).waitFor();
    // Early help is with the family's agreement: their consent first (§4).
    await recordStep(j, 'worcestershire', 'consent.given', { Form: 'Verbal' });
    await recordStep(j, 'worcestershire', 'request.decided', { Decision: 'Early help', Level: /^Level 3/ });
    // The lead professional: the GP who asked, from the directory.
    await recordStep(j, 'worcestershire', 'lead_professional.assigned', { 'Lead professional': { other: 'Ben Young' }, Service: 'Health' });
  });
});

test('emergency access: reason, time limit, reading only', async () => {
  await journey('break-glass', async (j) => {
    const p = j.page;
    await j.signIn('b.young');
    await j.click(p.getByRole('link', { name: 'Emergency access' }));
    await j.click(p.getByRole('button', { name: 'Get emergency access' }));
    await p.locator('.govuk-error-summary').waitFor();
    await j.fill(p.getByLabel("Child's record id"), 'demo-wo-sophie');
    await j.fill(p.getByLabel('Why do you need access now?'), 'Sophie arrived at the surgery out of hours with bruising');
    await j.visit('break-glass');
    await j.click(p.getByRole('button', { name: 'Get emergency access' }));
    await p.getByText(/Emergency access granted until/).waitFor();
    await p.getByRole('region', { name: /Emergency access/ }).waitFor();
    await j.visit('case-under-break-glass');
    await j.assertNoPersonalData(['demo-wo-sophie', 'Sophie']);
  });
});

test("family's copy of the plan: plain words, large print and EasyRead from the recorded needs", async () => {
  await journey('family-copy', async (j) => {
    const p = j.page;
    await j.signIn('m.clarke');
    await openChild(j, 'Jayden Moss');
    await j.click(p.getByRole('link', { name: "Family's copy of the plan" }));
    await p.getByRole('article').waitFor();
    await j.visit('standard');
    await j.check(p.getByLabel('Large print'));
    await j.visit('large-print');
    await j.check(p.getByLabel('EasyRead'));
    await p.getByText('Who is helping us?').waitFor();
    await j.visit('easy-read');
    await p.emulateMedia({ media: 'print' });
    await j.visit('easy-read-print');
  });
});

test('administration: agencies, teams with a duty, accounts', async () => {
  server.cli(['user', 'add', 'admin', '--name', 'Ada Admin', '--role', 'administrator', '--agency', 'worcestershire-council', '--password-file', '-'], 'demo password 2026\n');
  await journey('admin', async (j) => {
    const p = j.page;
    await j.signIn('admin');
    await p.getByRole('heading', { name: 'Accounts' }).waitFor();
    await j.visit('accounts');
    await j.click(p.getByRole('link', { name: 'Agencies' }));
    await j.fill(p.getByLabel('Id', { exact: true }), 'oak-nursery');
    await j.fill(p.getByLabel('Name', { exact: true }), 'Oak Nursery');
    await j.click(p.getByRole('button', { name: 'Save agency' }));
    await p.getByText('Agency Oak Nursery saved').waitFor();
    await j.visit('agencies');
    await j.click(p.getByRole('link', { name: 'Teams' }));
    await j.fill(p.getByLabel('Id', { exact: true }), 'oak-duty');
    await j.fill(p.getByLabel('Name', { exact: true }), 'Oak duty');
    await p.getByLabel('Agency').selectOption('oak-nursery');
    await p.getByLabel('Duty').selectOption('devon/front_door');
    await j.click(p.getByRole('button', { name: 'Save team' }));
    await p.getByText('Team Oak duty saved').waitFor();
    await j.visit('teams');
    await j.click(p.getByRole('link', { name: 'Accounts' }));
    await j.fill(p.getByLabel('User name', { exact: true }), 'o.keeper');
    await j.fill(p.getByLabel('Full name'), 'Olive Keeper');
    await p.getByLabel('Agency').selectOption('oak-nursery');
    await j.fill(p.getByLabel('First password'), 'a long first password 2026');
    await j.check(p.getByLabel(/security code/));
    await j.click(p.getByRole('button', { name: 'Create account' }));
    await p.getByText('Account o.keeper created').waitFor();
    await j.visit('account-created');
  });
});

test('keyboard only: sign in and record a concern without a mouse', async () => {
  await journey('keyboard', async (j) => {
    const p = j.page;
    const focused = (sel) => new Function(`return document.activeElement && document.activeElement.matches(${JSON.stringify(sel)})`);
    await j.tabTo(focused('#username'));
    await j.type('t.jones');
    await j.press('Tab');
    await j.type('demo password 2026');
    await j.press('Enter');
    await p.getByText('Signed in as').waitFor();
    await j.tabTo(focused('#record-concern'));
    await j.press('Enter');
    // Worcestershire's threshold document: arrow keys move through the choices.
    await j.tabTo(focused('input[name=framework]'));
    await j.press('Space');
    const authority = frameworks.worcestershire.authority;
    for (let i = 0; i < 8 && !(await p.evaluate((a) => document.activeElement.labels[0].textContent.includes(a), authority)); i++) await j.press('ArrowDown');
    await j.tabTo(focused('#child-name'));
    await j.type('Kit Keyboard');
    await j.tabTo(focused('#child-dob'));
    await j.type('1/1/2015');
    await j.press('Enter');
    await p.getByRole('heading', { name: 'What have you seen?' }).waitFor();
    await j.tabTo(focused('#needs-search'));
    const seen = frameworks.worcestershire.indicators.find((i) => !i.immediate && i.level === 2 && !i.age_under && !i.age_at_least);
    const words = seen.label.split(/\s+/).slice(0, 3).join(' ');
    await j.type(words);
    await j.tabTo(new Function(`const a = document.activeElement; return !!a && a.matches('input[type=checkbox]') && !!a.labels && a.labels[0].textContent.includes(${JSON.stringify(words)})`));
    await j.press('Space');
    await p.locator('#suggested-level').waitFor();
    await j.tabTo(focused('#needs-continue'));
    await j.press('Enter');
    await p.locator('#entry, #f-source').first().waitFor();
    if (await p.locator('#entry').count()) {
      // The first choice is the request for support.
      await j.tabTo(focused('#entry'));
      await j.press('Space');
    }
    await p.getByRole('button', { name: 'Send' }).waitFor();
    const request = frameworks.worcestershire.pathway.transitions.find((t) => t.event === 'request.received');
    for (const f of request.fields.filter((x) => !x.optional)) {
      if (f.type === 'text') {
        await j.tabTo(focused(`#f-${f.name}`));
        await j.type('Kit is often hungry and tired at school.');
      } else {
        await j.tabTo(focused(f.type === 'bool' ? `#f-${f.name}, #f-${f.name}-2` : `#f-${f.name}`));
        if (await p.evaluate(() => document.activeElement.tagName === 'SELECT')) {
          await j.press('ArrowDown');
          continue;
        }
        if (f.type === 'bool') await j.press('ArrowDown');
        await j.press('Space');
      }
    }
    await j.tabTo(focused('button[type=submit]'));
    await j.press('Enter');
    await p.getByRole('heading', { name: /^Sent to/ }).waitFor();
    await j.visit('sent-by-keyboard');
  });
});

test('320 px wide: the main pages reflow without sideways scrolling', async () => {
  await journey(
    'narrow',
    async (j) => {
      const p = j.page;
      await j.fitsWidth('sign-in');
      await j.signIn('r.patel');
      await j.fitsWidth('my-work');
      await j.visit('my-work');
      await openChild(j, 'Lily Carter');
      await j.fitsWidth('case');
      await j.visit('case');
      await j.click(p.getByRole('link', { name: 'Chronology' }));
      await p.locator('.moj-timeline__item').first().waitFor();
      await j.fitsWidth('chronology');
      await j.click(p.getByRole('link', { name: 'Record', exact: true }));
      await p.getByRole('heading', { name: 'Record on the case' }).waitFor();
      await j.fitsWidth('record');
    },
    { width: 320, height: 640 },
  );
});

// Figures for docs/benchmarks.md, measured in the browser (no timed
// assertion): the app's first load (the sign-in page), and a child's case from
// the click to its summary on screen with its data loaded.
test('measure: first load and the case page, in the browser', async () => {
  await journey('measure', async (j) => {
    const p = j.page;
    // The sign-in page, loaded fresh: the app's scripts and styles parsed and run.
    await p.getByRole('button', { name: 'Sign in' }).waitFor();
    const load = await p.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
    await j.signIn('r.patel');
    await p.getByText('Deadlines you or your team own').waitFor();
    await j.fill(p.getByLabel('Name, NHS number or record id'), 'Lily');
    await j.click(p.getByRole('button', { name: 'Search' }));
    const link = p.getByRole('link', { name: 'Lily Carter' }).first();
    await link.waitFor();
    const times = [];
    for (let i = 0; i < 5; i++) {
      await p.evaluate(() => (window.__t0 = performance.now()));
      await link.click();
      await p.getByRole('heading', { name: 'Case summary' }).waitFor();
      times.push(await p.evaluate(() => performance.now() - window.__t0));
      await p.goBack();
      await link.waitFor();
    }
    times.sort((a, b) => a - b);
    console.log(`web figures: first load of the app ${load.toFixed(0)} ms; case page interactive (median of 5) ${times[2].toFixed(0)} ms, slowest ${times[4].toFixed(0)} ms`);
  });
});
