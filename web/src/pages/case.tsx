// A child's case: the identity bar, then the summary, the chronology, the
// family and household, what may be recorded next (each step's form built
// from the framework), and the family's copy of the plan.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import * as api from '../api';
import { useApp } from '../app';
import type { Route } from '../app';
import { Checkboxes, Radios, SummaryList, Tag, WarningText } from '../components/govuk';
import { Badge, DatePicker, FilterLayout, IdentityBar, MojAlert, SubNavigation, Timeline } from '../components/moj';
import { communicationNeed, dateTime, humanise, isoDate, longDate, relative } from '../format';
import { provenanceText, TransitionForm } from '../forms/transitionForm';
import { agencyName, directory, staffName } from '../directory';
import { LoadError, Loading, useLoad } from '../load';
import type { CaseRecord, CaseSummary, ChronologyEntry, Framework, NextStep, Person, Transition } from '../types';
import { DueBadge } from './work';
import { FamilyCopy } from './familyCopy';

type Tab = 'summary' | 'chronology' | 'family' | 'next' | 'copy';

export function who(id: string | undefined, me: api.User): string {
  if (!id) return '';
  if (id === me.id) return `you (${me.display_name})`;
  if (id === 'withheld') return 'withheld';
  return staffName(id) ?? id;
}

// The access policy has one relationship for the lead professional and the
// allocated worker: name the one the user is on this case.
function accessPart(relationship: string, c: CaseSummary['case'], me: api.User): string {
  if (relationship === 'allocated_worker') return c.lead_professional === me.id ? 'Lead professional' : c.allocated_worker === me.id ? 'Allocated worker' : 'Lead professional or allocated worker';
  return humanise(relationship);
}

export function CasePage({ child, tab, transition }: { child: string; tab: Tab | 'step'; transition?: string }) {
  const app = useApp();
  const [version, setVersion] = useState(0);
  const data = useLoad(async () => {
    // The directory (names for ids) loads alongside, once per sign-in.
    const [summary] = await Promise.all([api.get<CaseSummary>(`/api/v1/children/${encodeURIComponent(child)}`), directory()]);
    const fw = await app.framework(summary.framework);
    return { summary, fw };
  }, [child, version]);
  if (data.loading && !data.data) return <Loading />;
  if (data.error)
    return (
      <LoadError error={data.error}>
        {data.error.status === 403 && (
          <p class="govuk-body">
            <a class="govuk-link" {...app.link({ page: 'breakglass' })}>
              Emergency access
            </a>{' '}
            is there if a child may come to harm without it.
          </p>
        )}
      </LoadError>
    );
  const { summary, fw } = data.data!;
  const d = summary.details;
  const c = summary.case;
  const level = fw.vocabulary.level ?? 'Level';
  const tabLink = (t: Tab) => {
    const l = app.link({ page: 'case', child, tab: t });
    return { href: l.href, onClick: l.onClick as (e: Event) => void, current: tab === t || (tab === 'step' && t === 'next') };
  };
  const breakGlass = /break.?glass/i.test(summary.access.basis);
  const refresh = () => setVersion((v) => v + 1);
  return (
    <>
      <IdentityBar
        title={
          <>
            <span class="govuk-!-font-weight-bold">{d.display_name}</span>
          </>
        }
      >
        <p class="govuk-body-s govuk-!-margin-bottom-0">
          Born {longDate(d.date_of_birth)}
          {d.nhs_number ? ` · NHS number ${String(d.nhs_number)}` : ''} · {fw.name}
        </p>
        <p class="govuk-body-s govuk-!-margin-bottom-0">
          {c.level > 0 ? (
            <Badge colour={c.level >= 4 ? 'red' : c.level === 3 ? 'purple' : 'blue'}>
              {level} {c.level}: {c.level_name}
            </Badge>
          ) : (
            <Badge colour="grey">No level decided</Badge>
          )}{' '}
          <Tag colour="grey">{c.state_label}</Tag> {c.facts.map((f) => <Tag colour="red" key={f}>{fw.facts.find((x) => x.id === f)?.label ?? humanise(f)}</Tag>)}
        </p>
      </IdentityBar>
      {breakGlass && (
        <MojAlert variant="warning" title="Emergency access">
          <p class="govuk-body">{summary.access.basis}. You can read, not record. Every page you open is audited and your safeguarding leads have been alerted.</p>
        </MojAlert>
      )}
      <SubNavigation
        label="Case"
        items={[
          { text: 'Summary', ...tabLink('summary') },
          { text: 'Chronology', ...tabLink('chronology') },
          { text: 'Family and household', ...tabLink('family') },
          { text: 'Record', ...tabLink('next') },
          { text: `Family's copy of the plan`, ...tabLink('copy') },
        ]}
      />
      {tab === 'summary' && <Summary summary={summary} fw={fw} />}
      {tab === 'chronology' && <Chronology child={child} fw={fw} />}
      {tab === 'family' && <Family child={child} summary={summary} />}
      {tab === 'next' && <Next child={child} fw={fw} />}
      {tab === 'step' && transition && <Step child={child} summary={summary} fw={fw} transition={transition} onDone={refresh} />}
      {tab === 'copy' && <FamilyCopy child={child} summary={summary} fw={fw} />}
    </>
  );
}

function fieldValue(v: unknown, fw: Framework, t?: Transition, name?: string, me?: api.User): ComponentChildren {
  if (v === null || v === undefined) return '';
  const type = t?.fields.find((f) => f.name === name)?.type;
  if (Array.isArray(v)) {
    if (!v.length) return 'None';
    if (type === 'communication') return v.map((x) => communicationNeed(String(x))).join('; ');
    if (type === 'facts') return v.map((x) => fw.facts.find((f) => f.id === x)?.label ?? String(x)).join('; ');
    return (
      <ul class="govuk-list govuk-list--bullet govuk-!-margin-bottom-0">
        {v.map((x, i) => (
          <li key={i}>{type === 'users' && me ? who(String(x), me) : type === 'agencies' ? (agencyName(String(x)) ?? String(x)) : String(x)}</li>
        ))}
      </ul>
    );
  }
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (type === 'level') return `${fw.vocabulary.level ?? 'Level'} ${v}: ${fw.levels.find((l) => l.level === v)?.name ?? ''}`;
  if (type === 'date') return longDate(String(v));
  if (type === 'user' && me) return who(String(v), me);
  if (type === 'agency') return agencyName(String(v)) ?? String(v);
  if (type === 'enum') return humanise(String(v));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function transitionFor(fw: Framework, id?: string, type?: string): Transition | undefined {
  return fw.pathway?.transitions.find((t) => (id ? t.id === id : t.event === type));
}

function FieldsList({ fields, fw, t }: { fields: Record<string, unknown>; fw: Framework; t?: Transition }) {
  const app = useApp();
  const rows = Object.entries(fields).map(([k, v]) => ({
    key: t?.fields.find((f) => f.name === k)?.label ?? humanise(k),
    value: <span class="app-break">{fieldValue(v, fw, t, k, app.user)}</span>,
  }));
  if (!rows.length) return null;
  return <SummaryList rows={rows} />;
}

function Summary({ summary, fw }: { summary: CaseSummary; fw: Framework }) {
  const app = useApp();
  const c = summary.case;
  const consent = Object.values(summary.records.consent ?? {});
  const kinds = Object.entries(summary.records).filter(([k]) => !['consent', 'team_member', 'person', 'correction'].includes(k));
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <h1 class="govuk-heading-l">Case summary</h1>
        <SummaryList
          rows={[
            { key: 'Stage', value: c.state_label },
            { key: fw.vocabulary.lead_professional ? humanise(fw.vocabulary.lead_professional) : 'Lead professional', value: c.lead_professional ? `${who(c.lead_professional, app.user)}${c.lead_service ? ` (${humanise(c.lead_service).toLowerCase()})` : ''}` : 'None' },
            { key: 'Allocated worker', value: who(c.allocated_worker, app.user) || 'None' },
            { key: fw.vocabulary.team ?? 'Team around the child', value: c.team.length ? c.team.map((m) => who(m, app.user)).join(', ') : 'No one yet' },
            { key: 'Duty team', value: c.duty_team || 'None' },
            { key: 'Communication needs', value: c.communication_needs.length ? c.communication_needs.map((n) => communicationNeed(String(n))).join('; ') : 'None recorded' },
            { key: 'Your access', value: `${accessPart(summary.access.relationship, c, app.user)}; consent: ${humanise(summary.access.consent).toLowerCase()}` },
          ]}
        />
        <h2 class="govuk-heading-m">Open deadlines</h2>
        {summary.deadlines.length === 0 ? (
          <p class="govuk-body">None.</p>
        ) : (
          <ul class="govuk-list">
            {summary.deadlines.map((d) => (
              <li key={d.deadline_id}>
                <DueBadge d={d} /> {d.label}: {dateTime(d.due_at)} ({relative(d.due_at)}), {d.owner ? `owned by ${who(d.owner, app.user)}` : `owned by team ${d.team}`}
              </li>
            ))}
          </ul>
        )}
        <h2 class="govuk-heading-m">Consent</h2>
        {consent.length === 0 ? (
          <p class="govuk-body">No consent recorded.</p>
        ) : (
          <ul class="govuk-list govuk-list--bullet">
            {consent.map((r, i) => (
              <li key={i}>
                {humanise(r.kind ?? '')} {r.agencies?.length ? `for ${r.agencies.join(', ')}` : ''} on {longDate(r.occurred_at)}
              </li>
            ))}
          </ul>
        )}
        {kinds.map(([kind, recs]) => (
          <section key={kind}>
            <h2 class="govuk-heading-m">{humanise(kind)}</h2>
            {Object.entries(recs).map(([id, r]: [string, CaseRecord]) => (
              <div key={id} class="govuk-summary-card">
                <div class="govuk-summary-card__title-wrapper">
                  <h3 class="govuk-summary-card__title">
                    {transitionFor(fw, undefined, r.type)?.label ?? humanise(r.type ?? kind)} · {longDate(r.updated_at ?? r.occurred_at)}
                  </h3>
                </div>
                <div class="govuk-summary-card__content">
                  <FieldsList fields={r.fields} fw={fw} t={transitionFor(fw, undefined, r.type)} />
                </div>
              </div>
            ))}
          </section>
        ))}
      </div>
      <div class="govuk-grid-column-one-third">
        <h2 class="govuk-heading-m">Record</h2>
        <p class="govuk-body">
          <a class="govuk-link" {...app.link({ page: 'case', child: summary.child_id, tab: 'next' })}>
            Record a step on this case
          </a>
        </p>
        <p class="govuk-body">
          <a class="govuk-link" {...app.link({ page: 'record', child: summary.child_id })}>
            Record a new concern with the needs windscreen
          </a>
        </p>
      </div>
    </div>
  );
}

function Chronology({ child, fw }: { child: string; fw: Framework }) {
  const app = useApp();
  const [agencies, setAgencies] = useState<string[]>([]);
  const [types, setTypes] = useState<string[]>([]);
  const [sig, setSig] = useState('0');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [applied, setApplied] = useState({ agencies: [] as string[], types: [] as string[], sig: '0', from: '', to: '' });
  const [dateError, setDateError] = useState<Record<string, string>>({});
  const all = useLoad(() => api.get<{ events: ChronologyEntry[] }>(`/api/v1/children/${encodeURIComponent(child)}/chronology`), [child]);
  const list = useLoad(
    () =>
      api.get<{ events: ChronologyEntry[] }>(`/api/v1/children/${encodeURIComponent(child)}/chronology`, {
        agency: applied.agencies,
        types: applied.types,
        min_significance: applied.sig === '0' ? undefined : applied.sig,
        from: applied.from,
        to: applied.to,
      }),
    [child, JSON.stringify(applied)],
  );
  const everyAgency = [...new Set((all.data?.events ?? []).map((e) => e.agency).filter((a) => a && a !== 'withheld'))].sort();
  const everyType = [...new Set((all.data?.events ?? []).map((e) => e.type))];
  const typeLabel = (type: string) => transitionFor(fw, undefined, type)?.label ?? humanise(type.replace('.', ' '));
  const apply = () => {
    const errs: Record<string, string> = {};
    const f = from ? isoDate(from) : '';
    const t = to ? isoDate(to) : '';
    if (from && !f) errs['chron-from'] = 'Enter the “from” date as a real date, for example 1/9/2025';
    if (to && !t) errs['chron-to'] = 'Enter the “to” date as a real date, for example 31/3/2026';
    setDateError(errs);
    if (Object.keys(errs).length) return;
    setApplied({ agencies, types, sig, from: f, to: t });
  };
  const sigName = ['Routine', 'Significant', 'Key'];
  const events = list.data?.events ?? [];
  return (
    <>
      <div class="app-actions">
        <h1 class="govuk-heading-l">Chronology</h1>
        <button type="button" class="govuk-button govuk-button--secondary app-no-print" data-module="govuk-button" onClick={() => window.print()}>
          Print chronology
        </button>
      </div>
      <FilterLayout
        onApply={apply}
        filter={
          <>
            <Checkboxes id="chron-agency" label="Agency" items={everyAgency.map((a) => ({ value: a, text: a }))} values={agencies} onChange={setAgencies} small />
            <Checkboxes id="chron-type" label="What happened" items={everyType.map((t) => ({ value: t, text: typeLabel(t) }))} values={types} onChange={setTypes} small />
            <Radios
              id="chron-sig"
              label="Significance"
              items={[
                { value: '0', text: 'Everything' },
                { value: '1', text: 'Significant and key' },
                { value: '2', text: 'Key events only' },
              ]}
              value={sig}
              onChange={setSig}
              small
            />
            <DatePicker id="chron-from" label="From" value={from} onInput={setFrom} error={dateError['chron-from']} />
            <DatePicker id="chron-to" label="To (before)" value={to} onInput={setTo} error={dateError['chron-to']} />
          </>
        }
      >
        {list.loading && <Loading />}
        {list.error && <LoadError error={list.error} />}
        {list.data && (
          <>
            <p class="govuk-body" role="status">
              {events.length} event{events.length === 1 ? '' : 's'}
            </p>
            <Timeline
              items={[...events].reverse().map((e) => {
                const t = transitionFor(fw, e.transition, e.type);
                return {
                  key: e.id,
                  title: (
                    <>
                      {t?.label ?? typeLabel(e.type)} {e.significance > 0 && <Badge colour={e.significance === 2 ? 'red' : 'blue'}>{sigName[e.significance]}</Badge>}
                      {e.superseded_by && <Tag colour="grey">Corrected later</Tag>}
                    </>
                  ),
                  byline: e.author === 'withheld' ? 'withheld (confidential)' : `${who(e.author, app.user)}, ${agencyName(e.agency) ?? e.agency}`,
                  datetime: e.occurred_at,
                  date: dateTime(e.occurred_at),
                  body: (
                    <>
                      {e.reason && <p class="govuk-body">Correction: {e.reason}</p>}
                      <FieldsList fields={e.fields} fw={fw} t={t} />
                      {(e.warnings ?? []).map((w, i) => (
                        <WarningText key={i}>{w}</WarningText>
                      ))}
                    </>
                  ),
                };
              })}
            />
          </>
        )}
      </FilterLayout>
    </>
  );
}

function Family({ child, summary }: { child: string; summary: CaseSummary }) {
  const app = useApp();
  const people = useLoad(() => api.get<{ people: Person[] }>(`/api/v1/children/${encodeURIComponent(child)}/people`), [child]);
  return (
    <>
      <h1 class="govuk-heading-l">Family and household</h1>
      <p class="govuk-body">
        Child's communication needs: {summary.case.communication_needs.length ? summary.case.communication_needs.map((n) => communicationNeed(String(n))).join('; ') : 'none recorded'}.
      </p>
      {people.loading && <Loading />}
      {people.error && <LoadError error={people.error} />}
      {people.data &&
        (people.data.people.length === 0 ? (
          <p class="govuk-body">No one recorded yet.</p>
        ) : (
          people.data.people.map((p) => (
            <div class="govuk-summary-card" key={p.person_id}>
              <div class="govuk-summary-card__title-wrapper">
                <h2 class="govuk-summary-card__title">
                  {p.name} ({humanise(p.relationship).toLowerCase()})
                </h2>
              </div>
              <div class="govuk-summary-card__content">
                <SummaryList
                  rows={[
                    { key: 'Lives with the child', value: p.lives_with_child ? 'Yes' : 'No' },
                    { key: 'Parental responsibility', value: p.parental_responsibility === true ? 'Yes' : p.parental_responsibility === false ? 'No' : 'Not recorded' },
                    ...(p.date_of_birth ? [{ key: 'Date of birth', value: longDate(p.date_of_birth) }] : []),
                    { key: 'Communication needs', value: p.communication_needs?.length ? p.communication_needs.map(communicationNeed).join('; ') : 'None recorded' },
                    ...(p.note ? [{ key: 'Note', value: p.note }] : []),
                  ]}
                />
              </div>
            </div>
          ))
        ))}
      <p class="govuk-body">
        <a class="govuk-link" {...app.link({ page: 'case', child, tab: 'next' })}>
          Add or remove someone
        </a>{' '}
        (under Record).
      </p>
    </>
  );
}

function Next({ child, fw }: { child: string; fw: Framework }) {
  const app = useApp();
  const next = useLoad(() => api.get<{ state_label: string; next: NextStep[] }>(`/api/v1/children/${encodeURIComponent(child)}/next`), [child]);
  if (next.loading) return <Loading />;
  if (next.error) return <LoadError error={next.error} />;
  const steps = next.data!.next;
  // A step is offered when the caller may take it and the record is ready
  // for it; the others are listed with why not or what they wait for.
  const allowed = steps.filter((s) => s.allowed_for_you && s.ready !== false);
  const not = steps.filter((s) => !(s.allowed_for_you && s.ready !== false));
  const stepLink = (s: NextStep): Route => ({ page: 'step', child, transition: s.id });
  return (
    <>
      <h1 class="govuk-heading-l">Record on the case</h1>
      <p class="govuk-body">
        The case is at: <strong>{next.data!.state_label}</strong>. {fw.name} says what may follow.
      </p>
      {allowed.length === 0 ? (
        <p class="govuk-body">There is nothing you may record on this case now.</p>
      ) : (
        <ul class="govuk-list">
          {allowed.map((s) => (
            <li key={s.id} class="govuk-!-margin-bottom-3">
              <a class="govuk-link govuk-!-font-weight-bold" {...app.link(stepLink(s))}>
                {s.label}
              </a>
              {s.significance !== 'routine' && (
                <>
                  {' '}
                  <Badge colour={s.significance === 'key' ? 'red' : 'blue'}>{humanise(s.significance)}</Badge>
                </>
              )}
              <br />
              <span class="govuk-body-s app-provenance">{provenanceText(s)}</span>
            </li>
          ))}
        </ul>
      )}
      {not.length > 0 && (
        <details class="govuk-details">
          <summary class="govuk-details__summary">
            <span class="govuk-details__summary-text">Steps you cannot record now, and why ({not.length})</span>
          </summary>
          <div class="govuk-details__text">
            <ul class="govuk-list govuk-list--bullet">
              {not.map((s) => (
                <li key={s.id}>
                  <strong>{s.label}</strong>: {s.why_not ?? `waits for: ${(s.waiting_for ?? []).join('; ')}`}
                </li>
              ))}
            </ul>
          </div>
        </details>
      )}
    </>
  );
}

function Step({ child, summary, fw, transition, onDone }: { child: string; summary: CaseSummary; fw: Framework; transition: string; onDone: () => void }) {
  const app = useApp();
  const data = useLoad(
    () =>
      Promise.all([
        api.get<{ next: NextStep[] }>(`/api/v1/children/${encodeURIComponent(child)}/next`),
        api.get<{ people: Person[] }>(`/api/v1/children/${encodeURIComponent(child)}/people`),
        // The directory names colleagues and agencies; a form still works without it.
        directory(),
      ]),
    [child, transition],
  );
  if (data.loading) return <Loading />;
  if (data.error) return <LoadError error={data.error} />;
  const [next, people, staff] = data.data!;
  const t = next.next.find((s) => s.id === transition);
  if (!t)
    return (
      <>
        <h1 class="govuk-heading-l">This step cannot follow now</h1>
        <p class="govuk-body">The case has moved on. <a class="govuk-link" {...app.link({ page: 'case', child, tab: 'next' })}>See what may be recorded now</a>.</p>
      </>
    );
  if (!t.allowed_for_you || t.ready === false)
    return (
      <>
        <h1 class="govuk-heading-l">{t.label}</h1>
        <WarningText>{t.why_not ?? `The record is not ready for this step: ${(t.waiting_for ?? []).join('; ')}`}</WarningText>
      </>
    );
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <a class="govuk-back-link" {...app.link({ page: 'case', child, tab: 'next' })}>
          Back
        </a>
        <TransitionForm
          key={t.id}
          framework={fw}
          transition={t}
          ctx={{ me: app.user, summary, people: people.people, staff }}
          onSubmit={async (fields) => {
            const r = await api.post<{ warnings?: string[] }>(`/api/v1/children/${encodeURIComponent(child)}/events`, { type: t.event, fields });
            const done = `${t.label}: recorded${r.warnings?.length ? `, with a warning: ${r.warnings.join('; ')}` : ''}`;
            // A step may end the recorder's part in the case (closing it,
            // handing it on): then the record is no longer theirs to open.
            const still = await api.get(`/api/v1/children/${encodeURIComponent(child)}`).then(
              () => true,
              () => false,
            );
            if (still) {
              app.go({ page: 'case', child, tab: 'summary' });
              app.flash(done);
              onDone();
            } else {
              app.go({ page: 'work' });
              app.flash(`${done}. You no longer work with this child, so their record is closed to you.`);
            }
          }}
        />
      </div>
    </div>
  );
}
