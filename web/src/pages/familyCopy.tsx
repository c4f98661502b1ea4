// The family's copy of the plan, in plain words, to print: standard, large
// print or EasyRead, chosen from the communication needs recorded for the
// child and the family. Which records are "the plan" and "the actions" comes
// from the framework's declarations, not from their names: the plan is the
// record kept by the steps that appoint the lead professional; the actions
// are records kept one per key, with a deadline each.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { useApp } from '../app';
import { Radios, WarningText } from '../components/govuk';
import { communicationNeed, humanise, longDate } from '../format';
import { LoadError, Loading, useLoad } from '../load';
import type { CaseRecord, CaseSummary, Framework, Person, Transition } from '../types';

type Layout = 'standard' | 'large_print' | 'easy_read';

function planKinds(fw: Framework): Set<string> {
  const out = new Set<string>();
  for (const t of fw.pathway?.transitions ?? []) {
    const lp = t.effects.lead_professional;
    if (t.effects.record && lp && lp !== 'end') out.add(t.effects.record.kind);
  }
  return out;
}

function actionKinds(fw: Framework): Set<string> {
  const out = new Set<string>();
  for (const t of fw.pathway?.transitions ?? []) {
    const r = t.effects.record;
    if (r && r.per !== 'episode' && r.per !== 'event' && t.starts.some((s) => s.key_field === r.per)) out.add(r.kind);
  }
  return out;
}

function transitionOf(fw: Framework, type?: string): Transition | undefined {
  return fw.pathway?.transitions.find((t) => t.event === type);
}

function latest(recs: Record<string, CaseRecord> | undefined): CaseRecord | null {
  const all = Object.values(recs ?? {});
  all.sort((a, b) => String(b.updated_at ?? b.occurred_at).localeCompare(String(a.updated_at ?? a.occurred_at)));
  return all[0] ?? null;
}

export function FamilyCopy({ child, summary, fw }: { child: string; summary: CaseSummary; fw: Framework }) {
  const app = useApp();
  const people = useLoad(() => api.get<{ people: Person[] }>(`/api/v1/children/${encodeURIComponent(child)}/people`), [child]);
  const needs = [...summary.case.communication_needs.map(String), ...(people.data?.people ?? []).flatMap((p) => p.communication_needs ?? [])];
  const suggested: Layout = needs.includes('easy_read') ? 'easy_read' : needs.includes('large_print') ? 'large_print' : 'standard';
  const [chosen, setChosen] = useState<Layout | null>(null);
  const layout = chosen ?? suggested;
  if (people.loading) return <Loading />;
  if (people.error) return <LoadError error={people.error} />;

  const planWord = fw.vocabulary.plan ?? 'plan';
  const kinds = planKinds(fw);
  const plan = latest(Object.fromEntries(Object.entries(summary.records).filter(([k]) => kinds.has(k)).flatMap(([, v]) => Object.entries(v))));
  const planT = transitionOf(fw, plan?.type);
  const aKinds = actionKinds(fw);
  const actions = Object.entries(summary.records)
    .filter(([k]) => aKinds.has(k))
    .flatMap(([, v]) => Object.values(v));
  const name = summary.details.display_name;
  const first = name.split(' ')[0];
  const lead = summary.case.lead_professional;
  const leadName = lead ? (lead === app.user.id ? app.user.display_name : 'your lead professional') : '';
  const reviews = summary.deadlines.filter((d) => !d.deadline_id.split(':')[2]).filter((d) => d.owner === lead || !d.team);
  const nextMeeting = reviews.sort((a, b) => a.due_at.localeCompare(b.due_at))[0];
  const easy = layout === 'easy_read';
  const planTexts = plan ? Object.entries(plan.fields).filter(([k, v]) => planT?.fields.find((f) => f.name === k)?.type === 'text' && typeof v === 'string') : [];
  const planLists = plan ? Object.entries(plan.fields).filter(([, v]) => Array.isArray(v) && (v as unknown[]).length) : [];
  const interpreters = needs.filter((n) => n.startsWith('interpreter:') || n === 'bsl');

  return (
    <>
      <div class="app-no-print">
        <h1 class="govuk-heading-l">Family's copy of the plan</h1>
        {needs.length > 0 && (
          <WarningText>
            Recorded communication needs: {[...new Set(needs)].map(communicationNeed).join('; ')}.
            {interpreters.length > 0 && ' Go through this copy with the family with an interpreter, or have it translated.'}
          </WarningText>
        )}
        <Radios
          id="layout"
          label="Layout"
          inline
          items={[
            { value: 'standard', text: 'Standard' },
            { value: 'large_print', text: 'Large print' },
            { value: 'easy_read', text: 'EasyRead' },
          ]}
          value={layout}
          onChange={(v) => setChosen(v as Layout)}
          hint={suggested !== 'standard' ? `Chosen from the recorded needs: ${humanise(suggested)}.` : undefined}
        />
        <button type="button" class="govuk-button" data-module="govuk-button" onClick={() => window.print()}>
          Print the family's copy
        </button>
      </div>
      <article class={`app-family-copy app-family-copy--${layout.replace('_', '-')}`} aria-label="The family's copy">
        <h2 class="govuk-heading-l">
          {easy ? `${first}'s ${planWord}` : `${planWord} for ${name}`}
        </h2>
        {!plan ? (
          <p class="govuk-body">There is no {planWord.toLowerCase()} yet. When one is agreed with you, it will be written here.</p>
        ) : (
          <>
            <section class={easy ? 'app-easy-read-item' : ''}>
              <h3 class="govuk-heading-m">{easy ? 'Who is helping us?' : 'Who is helping'}</h3>
              <p class="govuk-body">
                {leadName ? (easy ? `${leadName} is the person to talk to.` : `${leadName} is your lead professional: the person to contact about this ${planWord.toLowerCase()}.`) : 'We will tell you who your lead professional is.'}
              </p>
              {!easy && summary.case.team.length > 1 && <p class="govuk-body">{summary.case.team.length} people from different services work with you on it.</p>}
            </section>
            {planLists.map(([k, v]) => (
              <section class={easy ? 'app-easy-read-item' : ''} key={k}>
                <h3 class="govuk-heading-m">{easy ? 'What we want to happen' : humanise(planT?.fields.find((f) => f.name === k)?.label ?? k)}</h3>
                <ul class={`govuk-list ${easy ? '' : 'govuk-list--bullet'}`}>
                  {(v as unknown[]).map((x, i) => (
                    <li key={i}>{String(x)}</li>
                  ))}
                </ul>
              </section>
            ))}
            {planTexts.map(([k, v]) => (
              <section class={easy ? 'app-easy-read-item' : ''} key={k}>
                <h3 class="govuk-heading-m">{humanise(planT?.fields.find((f) => f.name === k)?.label ?? k)}</h3>
                <p class="govuk-body">{String(v)}</p>
              </section>
            ))}
            {actions.length > 0 && (
              <section class={easy ? 'app-easy-read-item' : ''}>
                <h3 class="govuk-heading-m">{easy ? 'Who will do what' : 'Who will do what, and by when'}</h3>
                <ul class={`govuk-list ${easy ? '' : 'govuk-list--bullet'}`}>
                  {actions.map((a, i) => {
                    const t = transitionOf(fw, a.type);
                    const f = a.fields;
                    const text = Object.entries(f).find(([k]) => t?.fields.find((x) => x.name === k)?.type === 'text')?.[1] ?? '';
                    const due = Object.entries(f).find(([k]) => t?.fields.find((x) => x.name === k)?.type === 'date')?.[1];
                    const status = Object.entries(f).find(([k]) => /status/.test(k))?.[1];
                    return (
                      <li key={i}>
                        {String(text)}
                        {due ? (easy ? `. By ${longDate(String(due))}.` : ` — by ${longDate(String(due))}`) : ''}
                        {status ? ` (${humanise(String(status)).toLowerCase()})` : ''}
                      </li>
                    );
                  })}
                </ul>
              </section>
            )}
            <section class={easy ? 'app-easy-read-item' : ''}>
              <h3 class="govuk-heading-m">{easy ? 'When we meet again' : 'When we will next meet'}</h3>
              <p class="govuk-body">{nextMeeting ? `${easy ? 'On ' : 'By '}${longDate(nextMeeting.due_at)}${easy ? '.' : `: ${nextMeeting.label.toLowerCase()}.`}` : 'We will agree a date with you.'}</p>
            </section>
            <section class={easy ? 'app-easy-read-item' : ''}>
              <h3 class="govuk-heading-m">{easy ? 'Your information' : 'Sharing information'}</h3>
              <p class="govuk-body">
                {easy
                  ? 'We only share what we need to, with the people helping you. You can change your mind.'
                  : 'We share information only with the services named on the plan, as you agreed. You can withdraw your agreement at any time by telling your lead professional.'}
              </p>
            </section>
            <p class="govuk-body-s">Written on {longDate(new Date().toISOString())}.</p>
          </>
        )}
      </article>
    </>
  );
}
