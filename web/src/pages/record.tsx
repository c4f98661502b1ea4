// Recording a concern or a request for support: the child (and, for a new
// child, the framework), what was seen on the needs windscreen with the live
// suggestion, an immediate-risk page when the suggestion says act now, then
// the framework's entry step as a form. An author who does not work with the
// child gets back only the event: the record goes to the front door, and
// they cannot open it afterwards.
import { useEffect, useState } from 'preact/hooks';
import * as api from '../api';
import { useApp } from '../app';
import { Button, ErrorSummary, Panel, Radios, TextInput, WarningText } from '../components/govuk';
import { DatePicker } from '../components/moj';
import { ageOn, humanise, isoDate, longDate } from '../format';
import { TransitionForm } from '../forms/transitionForm';
import { directory } from '../directory';
import { LoadError, Loading, useLoad } from '../load';
import type { CaseSummary, Framework, FrameworkSummary, NextStep, Person, Transition } from '../types';
import { SuggestionPanel, useSuggestion, Windscreen } from './windscreen';
import type { Observed } from './windscreen';

type Step = 'child' | 'needs' | 'urgent' | 'record' | 'sent';

interface Sent {
  childId: string;
  name: string;
  transition: Transition;
  canRead: boolean;
  warnings: string[];
}

export function RecordPage({ child }: { child?: string }) {
  const app = useApp();
  const [step, setStep] = useState<Step>(child ? 'needs' : 'child');
  const [fwId, setFwId] = useState('');
  const [name, setName] = useState('');
  const [dob, setDob] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [observed, setObserved] = useState<Observed>({ indicators: [], strengths: [], facts: [] });
  const [registered, setRegistered] = useState<string | null>(null);
  const [entryId, setEntryId] = useState('');
  const [sent, setSent] = useState<Sent | null>(null);

  const list = useLoad(() => app.frameworks(), []);
  // Colleagues and agencies by name, for the request's user and agency fields.
  const staff = useLoad(() => directory(), []);
  const existing = useLoad(
    () =>
      child
        ? Promise.all([
            api.get<CaseSummary>(`/api/v1/children/${encodeURIComponent(child)}`),
            api.get<{ next: NextStep[] }>(`/api/v1/children/${encodeURIComponent(child)}/next`),
            api.get<{ people: Person[] }>(`/api/v1/children/${encodeURIComponent(child)}/people`),
          ])
        : Promise.resolve(null),
    [child],
  );
  const summary = existing.data?.[0] ?? null;
  const effectiveFw = summary?.framework ?? fwId;
  const fw = useLoad<Framework | null>(() => (effectiveFw ? app.framework(effectiveFw) : Promise.resolve(null)), [effectiveFw]);
  const dobIso = summary?.details.date_of_birth ?? isoDate(dob);
  const age = dobIso ? ageOn(dobIso) : null;
  const { suggestion, error: suggestionError } = useSuggestion(fw.data ?? null, observed, age);

  useEffect(() => {
    window.scrollTo(0, 0);
    const h = document.querySelector('main h1') as HTMLElement | null;
    if (h && step !== 'child') {
      h.tabIndex = -1;
      h.focus();
    }
  }, [step]);

  if (list.loading || existing.loading) return <Loading />;
  if (list.error) return <LoadError error={list.error} />;
  if (existing.error) return <LoadError error={existing.error} />;

  // The entry steps this user may take: on a case they work with, as the
  // case's next steps say; for a new child, those that open a case.
  const entries = (): Transition[] => {
    if (!fw.data?.pathway) return [];
    if (existing.data) return existing.data[1].next.filter((n) => n.entry && n.allowed_for_you);
    return fw.data.pathway.transitions.filter((t) => t.entry && t.roles.includes(app.user.role) && t.from.includes('none'));
  };

  if (step === 'child') {
    const frameworks = (list.data ?? []).filter((f: FrameworkSummary) => f.has_pathway);
    const next = (e: Event) => {
      e.preventDefault();
      const errs: Record<string, string> = {};
      if (!fwId) errs['framework'] = "Select the local authority whose threshold document applies to the child";
      if (!name.trim()) errs['child-name'] = "Enter the child's name";
      if (!dob.trim()) errs['child-dob'] = "Enter the child's date of birth";
      else if (!isoDate(dob)) errs['child-dob'] = 'Enter the date of birth as a real date, for example 14/3/2017';
      setErrors(errs);
      if (!Object.keys(errs).length) setStep('needs');
    };
    return (
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <ErrorSummary errors={Object.entries(errors).map(([k, v]) => ({ href: `#${k}`, text: v }))} />
          <span class="govuk-caption-l">Record a concern or request for support</span>
          <h1 class="govuk-heading-l">About the child</h1>
          <p class="govuk-body">
            If you work with the child already, <a class="govuk-link" {...app.link({ page: 'work' })}>find them from My work</a> and record from their case.
          </p>
          <WarningText>If a child is in immediate danger, call 999 now. Record afterwards.</WarningText>
          <form onSubmit={next} noValidate>
            <Radios
              id="framework"
              label="Where does the child live?"
              hint="The local authority's threshold document is used to suggest a level of need."
              legendClass="govuk-fieldset__legend--m"
              items={frameworks.map((f) => ({ value: f.id, text: f.authority || f.name, hint: f.name }))}
              value={fwId}
              onChange={setFwId}
              error={errors['framework']}
            />
            <TextInput id="child-name" label="Child's full name" value={name} onInput={setName} error={errors['child-name']} autocomplete="off" spellcheck={false} labelClass="govuk-label--s" />
            <DatePicker id="child-dob" label="Date of birth" hint="For example, 14/3/2017. An expected baby: the due date." value={dob} onInput={setDob} error={errors['child-dob']} labelClass="govuk-label--s" />
            <Button>Continue</Button>
          </form>
        </div>
      </div>
    );
  }

  if (fw.loading) return <Loading />;
  if (fw.error || !fw.data) return fw.error ? <LoadError error={fw.error} /> : <Loading />;
  const framework = fw.data;
  const childName = summary?.details.display_name ?? name.trim();

  if (step === 'needs') {
    return (
      <>
        <span class="govuk-caption-l">
          {childName} · {framework.name}
        </span>
        <h1 class="govuk-heading-l">What have you seen?</h1>
        <div class="govuk-grid-row">
          <div class="govuk-grid-column-two-thirds">
            <p class="govuk-body">Select the indicators, strengths and facts that describe the child and family now. The indicators are examples from the document, not a checklist.</p>
            <Windscreen fw={framework} age={age} value={observed} onChange={setObserved} />
            <Button type="button" onClick={() => setStep(suggestion?.urgent ? 'urgent' : 'record')} id="needs-continue">
              Continue
            </Button>
          </div>
          <div class="govuk-grid-column-one-third">
            <SuggestionPanel fw={framework} suggestion={suggestion} error={suggestionError} sticky />
          </div>
        </div>
      </>
    );
  }

  if (step === 'urgent' && suggestion) {
    const rules = suggestion.explanation.filter((e) => e.kind === 'immediate_risk');
    return (
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <span class="govuk-caption-l">{childName}</span>
          <h1 class="govuk-heading-xl">Act now: the child may be at immediate risk</h1>
          <WarningText>If the child is in immediate danger, call 999 now.</WarningText>
          <h2 class="govuk-heading-m">What to do now</h2>
          <ol class="govuk-list govuk-list--number">
            {suggestion.urgent_actions.map((a, i) => (
              <li key={i}>{a}</li>
            ))}
          </ol>
          {rules.length > 0 && (
            <>
              <h2 class="govuk-heading-m">Why</h2>
              <ul class="govuk-list govuk-list--bullet">
                {rules.map((r, i) => (
                  <li key={i}>
                    {r.summary} <span class="app-provenance">({r.source ?? `local default: ${r.local_default}`})</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p class="govuk-body">When the child is safe, record what you saw and what you did. It goes to the front door straight away.</p>
          <div class="govuk-button-group">
            <Button type="button" onClick={() => setStep('record')}>
              Record what happened
            </Button>
            <a
              class="govuk-link"
              href="#"
              onClick={(e) => {
                e.preventDefault();
                setStep('needs');
              }}
            >
              Back to what you have seen
            </a>
          </div>
        </div>
      </div>
    );
  }

  if (step === 'record' || step === 'urgent') {
    const options = entries();
    if (!options.length)
      return (
        <>
          <h1 class="govuk-heading-l">You cannot record a concern here</h1>
          <p class="govuk-body">{framework.name} has no entry step your role may record{summary ? ' on this case now' : ''}. Speak to your safeguarding lead.</p>
        </>
      );
    const chosen = options.find((t) => t.id === entryId) ?? (options.length === 1 ? options[0] : null);
    const submit = async (fields: Record<string, unknown>) => {
      let id = child ?? registered;
      if (!id) {
        const r = await api.post<{ child_id: string }>('/api/v1/children', { framework: framework.id, fields: { display_name: name.trim(), date_of_birth: isoDate(dob) } });
        id = r.child_id;
        setRegistered(id);
      }
      const r = await api.post<{ child_id: string; case?: unknown; warnings?: string[] }>(`/api/v1/children/${encodeURIComponent(id)}/events`, { type: chosen!.event, fields });
      setSent({ childId: id, name: childName, transition: chosen!, canRead: !!r.case, warnings: r.warnings ?? [] });
      setStep('sent');
    };
    return (
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          {options.length > 1 && (
            <Radios
              id="entry"
              label="What are you recording?"
              legendClass="govuk-fieldset__legend--m"
              items={options.map((t) => ({ value: t.id, text: t.label, hint: t.help }))}
              value={chosen?.id ?? ''}
              onChange={setEntryId}
            />
          )}
          {chosen && (
            <TransitionForm
              key={chosen.id}
              framework={framework}
              transition={chosen}
              ctx={{ me: app.user, summary: summary ?? undefined, people: existing.data?.[2].people, suggestion, observedFacts: observed.facts, staff: staff.data ?? undefined }}
              submitLabel="Send"
              before={<p class="govuk-body">About {childName}{dobIso ? `, born ${longDate(dobIso)}` : ''}.</p>}
              onSubmit={submit}
            />
          )}
        </div>
        <div class="govuk-grid-column-one-third">{suggestion && <SuggestionPanel fw={framework} suggestion={suggestion} error={null} />}</div>
      </div>
    );
  }

  if (step === 'sent' && sent) {
    const starts = sent.transition.starts.map((s) => framework.timescales.find((t) => t.id === s.timescale)?.label ?? humanise(s.deadline));
    const frontDoor = framework.vocabulary.front_door ?? 'the front door';
    return (
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <Panel title={`Sent to ${frontDoor}`}>
            {sent.transition.label}
            <br />
            about <strong>{sent.name}</strong>
          </Panel>
          {sent.warnings.length > 0 && (
            <WarningText>
              Recorded with {sent.warnings.length === 1 ? 'a warning' : 'warnings'}: {sent.warnings.join('; ')}
            </WarningText>
          )}
          <h2 class="govuk-heading-m">What happens next</h2>
          {starts.length > 0 && (
            <ul class="govuk-list govuk-list--bullet">
              {starts.map((s, i) => (
                <li key={i}>{s}.</li>
              ))}
            </ul>
          )}
          {sent.canRead ? (
            <p class="govuk-body">You work with this child, so you can follow the case.</p>
          ) : (
            <>
              <p class="govuk-body">
                {frontDoor} decides what happens. <strong>You cannot open {sent.name}'s record</strong> unless you are given a part in the work with the child, for example by joining the team around the family.
              </p>
              <p class="govuk-body">If you learn something new, record another concern. If there is an emergency, call 999.</p>
            </>
          )}
          <div class="govuk-button-group">
            {sent.canRead && (
              <Button type="button" onClick={() => app.go({ page: 'case', child: sent.childId, tab: 'summary' })}>
                Open the case
              </Button>
            )}
            <a class="govuk-link" {...app.link({ page: 'work' })}>
              Back to my work
            </a>
          </div>
        </div>
      </div>
    );
  }
  return <Loading />;
}
