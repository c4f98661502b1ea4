// The form for one pathway step, generated from the framework's declaration
// of the transition (GET /api/v1/frameworks/{id} → pathway.transitions, or
// GET /api/v1/children/{child}/next): its fields and their types, the
// conditions on them with the document section each comes from, and what
// the step does to the case. Nothing here knows an authority's event or
// field names: a new framework file works without web code.
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { ApiError } from '../api';
import type { User } from '../api';
import type { CaseSummary, Condition, Framework, Person, Suggestion, Transition, TransitionField, When } from '../types';
import { Button, Checkboxes, ErrorSummary, InsetText, Radios, Select, Tag, TextInput, Textarea } from '../components/govuk';
import { DatePicker } from '../components/moj';
import { humanise, isoDate } from '../format';
import type { Staff } from '../directory';

export interface FormContext {
  me: User;
  summary?: CaseSummary;
  people?: Person[];
  suggestion?: Suggestion | null;
  observedFacts?: string[];
  // The directory (GET /staff): colleagues and agencies by name.
  staff?: Staff;
}

export type { Staff };

type Value = string | string[];

export function provenanceText(p: { source?: string; local_default?: string }): ComponentChildren {
  if (p.source) return <>Source: {p.source}</>;
  if (p.local_default)
    return (
      <>
        <Tag colour="grey">Local default</Tag> {p.local_default}
      </>
    );
  return null;
}

// When `if` names one field of the form and nothing of the case, the field
// it governs is shown under that field's choices (a conditional reveal).
function revealOf(t: Transition, f: TransitionField): { on: string; values: string[] } | null {
  if (!f.optional) return null;
  const conds = t.require.filter((c) => c.field === f.name || c.date_within?.field === f.name || c.date_after?.field === f.name);
  if (!conds.length) return null;
  let on = '';
  const values = new Set<string>();
  for (const c of conds) {
    if (!c.if || c.if.case) return null;
    const keys = Object.keys(c.if);
    if (keys.length !== 1) return null;
    if (on && on !== keys[0]) return null;
    on = keys[0];
    for (const v of c.if[on] as unknown[]) values.add(String(v));
  }
  const parent = t.fields.find((x) => x.name === on);
  if (!parent || !(parent.type === 'enum' || parent.type === 'bool')) return null;
  // Only when nothing else names the field (a date_after on it, say).
  return { on, values: [...values] };
}

function whenHolds(w: When | undefined, values: Record<string, Value>): boolean | null {
  if (!w) return true;
  if (w.case) return null; // depends on the record: the server decides
  for (const [k, allowed] of Object.entries(w)) {
    const v = values[k];
    if (v === undefined || v === '' || (Array.isArray(v) && !v.length)) return false;
    const vs = Array.isArray(v) ? v : [v];
    if (!vs.some((x) => (allowed as unknown[]).map(String).includes(x))) return false;
  }
  return true;
}

function describeWhen(w: When | undefined, t: Transition): string {
  if (!w) return '';
  const parts: string[] = [];
  for (const [k, allowed] of Object.entries(w)) {
    if (k === 'case') {
      parts.push('the record says so');
      continue;
    }
    const f = t.fields.find((x) => x.name === k);
    const label = f?.label ?? humanise(k);
    parts.push(`${label.toLowerCase()} is ${(allowed as unknown[]).map((v) => humanise(String(v)).toLowerCase()).join(' or ')}`);
  }
  return parts.length ? `When ${parts.join(' and ')}: ` : '';
}

function fieldLabel(f: TransitionField): string {
  return f.label ?? humanise(f.name);
}

interface Option {
  value: string;
  text: string;
}

function staffName(ctx: FormContext, id: string): string {
  return ctx.staff?.users.find((u) => u.id === id)?.display_name ?? id;
}

function agencyName(ctx: FormContext, id: string): string {
  return ctx.staff?.agencies.find((a) => a.id === id)?.name ?? id;
}

// The people on the case first (by their part in it), then the directory.
function knownUsers(ctx: FormContext): Option[] {
  const out = new Map<string, string>();
  out.set(ctx.me.id, `You (${ctx.me.display_name})`);
  const s = ctx.summary;
  if (s) {
    if (s.case.lead_professional && !out.has(s.case.lead_professional)) out.set(s.case.lead_professional, `${staffName(ctx, s.case.lead_professional)} (lead professional)`);
    if (s.case.allocated_worker && !out.has(s.case.allocated_worker)) out.set(s.case.allocated_worker, `${staffName(ctx, s.case.allocated_worker)} (allocated worker)`);
    for (const r of Object.values(s.records.team_member ?? {})) {
      if (r.member && !out.has(r.member)) out.set(r.member, `${staffName(ctx, r.member)} (${[r.role, r.member_agency && agencyName(ctx, r.member_agency)].filter(Boolean).join(', ')})`);
    }
    for (const m of s.case.team) if (!out.has(m)) out.set(m, `${staffName(ctx, m)} (team around the child)`);
  }
  return [...out].map(([value, text]) => ({ value, text }));
}

function directoryUsers(ctx: FormContext): Option[] {
  return (ctx.staff?.users ?? []).map((u) => ({ value: u.id, text: `${u.display_name} (${humanise(u.role)}, ${agencyName(ctx, u.agency_id)})` }));
}

function directoryAgencies(ctx: FormContext): Option[] {
  return (ctx.staff?.agencies ?? []).map((a) => ({ value: a.id, text: a.name }));
}

function knownAgencies(ctx: FormContext): Option[] {
  const out = new Set<string>([ctx.me.agency_id]);
  const s = ctx.summary;
  if (s) {
    for (const r of Object.values(s.records.team_member ?? {})) if (r.member_agency) out.add(r.member_agency);
    for (const r of Object.values(s.records.consent ?? {})) for (const a of r.agencies ?? []) if (a !== 'all') out.add(a);
  }
  return [...out].map((a) => ({ value: a, text: a === ctx.me.agency_id ? `${agencyName(ctx, a)} (your agency)` : agencyName(ctx, a) }));
}

function recordKeys(t: Transition, f: TransitionField, ctx: FormContext): Option[] | null {
  // An existing record the step updates (an action's progress): choose it.
  const completesKey = t.completes.some((c) => c.key_field === f.name);
  const rec = t.effects.record;
  const startsKey = t.starts.some((s) => s.key_field === f.name);
  if (startsKey || !(completesKey || rec?.per === f.name)) return null;
  const kind = rec?.kind;
  const recs = (kind && ctx.summary?.records[kind]) || {};
  const opts = Object.entries(recs).map(([key, r]) => {
    const firstText = Object.values(r.fields).find((v) => typeof v === 'string' && v.length > 3 && v !== key) as string | undefined;
    return { value: key, text: firstText ? `${firstText} (${key})` : key };
  });
  return opts.length ? opts : null;
}

const COMM_KINDS: { value: string; text: string }[] = [
  { value: 'interpreter', text: 'Needs an interpreter' },
  { value: 'bsl', text: 'Uses British Sign Language (BSL)' },
  { value: 'easy_read', text: 'Needs information in EasyRead' },
  { value: 'large_print', text: 'Needs large print' },
  { value: 'other', text: 'Something else' },
];

function newKey(): string {
  const b = new Uint8Array(3);
  crypto.getRandomValues(b);
  return `a-${[...b].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

function initialValues(fw: Framework, t: Transition, ctx: FormContext): Record<string, Value> {
  const v: Record<string, Value> = {};
  for (const f of t.fields) {
    if (f.type === 'level' && ctx.suggestion) v[f.name] = String(ctx.suggestion.level);
    else if (f.type === 'facts' && ctx.observedFacts?.length) v[f.name] = [...ctx.observedFacts];
    else if (f.type === 'id' && t.starts.some((s) => s.key_field === f.name)) v[f.name] = newKey();
    else if (['list', 'users', 'agencies', 'people', 'facts', 'communication'].includes(f.type)) v[f.name] = f.type === 'list' ? [''] : [];
    else v[f.name] = '';
  }
  return v;
}

// The fields as the API takes them; errors for what cannot be sent.
function encode(t: Transition, values: Record<string, Value>, hidden: Set<string>, comm: Record<string, Record<string, string>>): { fields: Record<string, unknown>; errors: Record<string, string> } {
  const fields: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of t.fields) {
    if (hidden.has(f.name)) continue;
    const raw = values[f.name];
    const label = fieldLabel(f).toLowerCase();
    let out: unknown;
    switch (f.type) {
      case 'bool':
        out = raw === 'true' ? true : raw === 'false' ? false : undefined;
        break;
      case 'int':
      case 'level':
        if (raw !== '' && raw !== undefined) {
          const n = Number(raw);
          if (!Number.isInteger(n)) errors[f.name] = `Enter ${label} as a whole number`;
          else out = n;
        }
        break;
      case 'date':
        if (raw) {
          const d = isoDate(String(raw));
          if (!d) errors[f.name] = `Enter ${label} as a real date, for example 17/5/2026`;
          else out = d;
        }
        break;
      case 'enum': {
        const orig = (f.values ?? []).find((x) => String(x) === raw);
        out = raw === '' ? undefined : (orig ?? raw);
        break;
      }
      case 'list':
        out = (raw as string[]).map((s) => s.trim()).filter(Boolean);
        if (!(out as string[]).length) out = undefined;
        break;
      case 'communication': {
        const list: string[] = [];
        for (const k of raw as string[]) {
          const extra = comm[f.name]?.[k]?.trim() ?? '';
          if (k === 'interpreter' || k === 'other') {
            if (!extra) errors[f.name] = k === 'interpreter' ? 'Enter the language the interpreter is needed for' : 'Describe the communication need';
            list.push(`${k}:${extra}`);
          } else list.push(k);
        }
        out = list;
        break;
      }
      case 'users':
      case 'agencies':
      case 'people':
      case 'facts':
        out = (raw as string[]).filter(Boolean);
        if (!(out as string[]).length) out = undefined;
        break;
      default:
        out = typeof raw === 'string' ? (raw.trim() === '' ? undefined : raw.trim()) : raw;
    }
    if (out === undefined) {
      if (!f.optional && !errors[f.name]) {
        const choose = ['bool', 'enum', 'level', 'user', 'users', 'agency', 'agencies', 'person', 'people', 'facts'].includes(f.type);
        errors[f.name] = `${choose ? 'Select' : 'Enter'} ${label}`;
      }
      continue;
    }
    fields[f.name] = out;
  }
  return { fields, errors };
}

export function TransitionForm(props: {
  framework: Framework;
  transition: Transition;
  ctx: FormContext;
  submitLabel?: string;
  onSubmit: (fields: Record<string, unknown>) => Promise<void>;
  idPrefix?: string;
  headingLevel?: 'h1' | 'h2';
  before?: ComponentChildren;
}) {
  const { framework: fw, transition: t, ctx } = props;
  const [values, setValues] = useState<Record<string, Value>>(() => initialValues(fw, t, ctx));
  const [comm, setComm] = useState<Record<string, Record<string, string>>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const prefix = props.idPrefix ?? 'f-';
  const reveals = useMemo(() => {
    const m = new Map<string, { on: string; values: string[] }>();
    for (const f of t.fields) {
      const r = revealOf(t, f);
      if (r) m.set(f.name, r);
    }
    return m;
  }, [t]);
  const hidden = new Set<string>();
  for (const [name, r] of reveals) {
    const v = values[r.on];
    if (!r.values.includes(String(v))) hidden.add(name);
  }
  const set = (name: string, v: Value) => setValues((old) => ({ ...old, [name]: v }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(null);
    const { fields, errors: errs } = encode(t, values, hidden, comm);
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      await props.onSubmit(fields);
    } catch (err) {
      if (err instanceof ApiError) {
        const fe = err.fieldErrors();
        const own: Record<string, string> = {};
        for (const [k, v] of Object.entries(fe)) if (t.fields.some((f) => f.name === k)) own[k] = v;
        setErrors(own);
        if (!Object.keys(own).length) setProblem(err.problem.detail);
      } else setProblem(String(err));
    } finally {
      setBusy(false);
    }
  };

  const conditionsFor = (name: string): Condition[] => t.require.filter((c) => c.field === name || c.date_within?.field === name || c.date_after?.field === name);
  const levelName = (n: number) => fw.levels.find((l) => l.level === n)?.name ?? '';
  const stateLabel = (id: string) => fw.pathway?.states.find((s) => s.id === id)?.label ?? humanise(id);
  const timescale = (id?: string) => fw.timescales.find((x) => x.id === id);

  const renderField = (f: TransitionField): ComponentChildren => {
    const id = `${prefix}${f.name}`;
    const label = (
      <>
        {fieldLabel(f)}
        {f.optional && !reveals.has(f.name) ? ' (optional)' : ''}
        {f.confidential && (
          <>
            {' '}
            <Tag colour="purple">Confidential</Tag>
          </>
        )}
      </>
    );
    const conds = conditionsFor(f.name);
    const hint =
      conds.length > 0 ? (
        <>
          {conds.map((c, i) => {
            const holds = whenHolds(c.if, values);
            return (
              <span class="govuk-!-display-block" key={i}>
                {describeWhen(c.if, t)}
                {c.message}
                {holds === true && c.if ? ' (applies now)' : ''} <span class="app-provenance">({c.source ? c.source : `local default: ${c.local_default}${c.enforce ? '' : '; recorded with a warning if not met'}`})</span>
              </span>
            );
          })}
          {f.confidential && <span class="govuk-!-display-block">Withheld from readers outside social care and your agency.</span>}
        </>
      ) : f.confidential ? (
        'Withheld from readers outside social care and your agency.'
      ) : undefined;
    const error = errors[f.name];
    const v = values[f.name];
    const children = (parent: string, value: string) =>
      t.fields
        .filter((x) => reveals.get(x.name)?.on === parent && reveals.get(x.name)!.values.includes(value))
        .map((x) => <div key={x.name}>{renderField(x)}</div>);
    const withReveals = (items: { value: string; text: ComponentChildren; hint?: ComponentChildren }[]) =>
      items.map((it) => {
        const kids = children(f.name, it.value);
        return kids.length ? { ...it, conditional: kids } : it;
      });

    switch (f.type) {
      case 'text':
        return <Textarea id={id} label={label} hint={hint} error={error} value={v as string} onInput={(x) => set(f.name, x)} rows={3} labelClass="govuk-label--s" />;
      case 'id': {
        const keys = recordKeys(t, f, ctx);
        if (keys)
          return <Radios id={id} label={label} hint={hint} error={error} items={keys} value={v as string} onChange={(x) => set(f.name, x)} />;
        return <TextInput id={id} label={label} hint={hint ?? (t.starts.some((s) => s.key_field === f.name) ? 'A short reference, so progress can be recorded against it later' : undefined)} error={error} value={v as string} onInput={(x) => set(f.name, x)} width="10" labelClass="govuk-label--s" spellcheck={false} />;
      }
      case 'date':
        return <DatePicker id={id} label={label} hint={hint ? <>{hint} For example, 17/5/2026.</> : undefined} error={error} value={v as string} onInput={(x) => set(f.name, x)} labelClass="govuk-label--s" />;
      case 'datetime':
        return <TextInput id={id} label={label} hint={<>{hint} Written as 2026-05-17T09:30:00Z (UTC).</>} error={error} value={v as string} onInput={(x) => set(f.name, x)} width="20" labelClass="govuk-label--s" />;
      case 'int':
        return <TextInput id={id} label={label} hint={hint} error={error} value={v as string} onInput={(x) => set(f.name, x)} width="5" inputMode="numeric" labelClass="govuk-label--s" />;
      case 'bool':
        return (
          <Radios
            id={id}
            label={label}
            hint={hint}
            error={error}
            inline={!t.fields.some((x) => reveals.get(x.name)?.on === f.name)}
            items={withReveals([
              { value: 'true', text: 'Yes' },
              { value: 'false', text: 'No' },
            ])}
            value={v as string}
            onChange={(x) => set(f.name, x)}
          />
        );
      case 'level':
        return (
          <Radios
            id={id}
            label={label}
            hint={
              <>
                {hint}
                {ctx.suggestion && <span class="govuk-!-display-block">Suggested: level {ctx.suggestion.level} ({ctx.suggestion.level_name}). You decide.</span>}
              </>
            }
            error={error}
            items={(f.values ?? fw.levels.map((l) => l.level)).map((n) => ({ value: String(n), text: `${fw.vocabulary.level ?? 'Level'} ${n}: ${levelName(Number(n))}` }))}
            value={v as string}
            onChange={(x) => set(f.name, x)}
          />
        );
      case 'enum': {
        const items = (f.values ?? []).map((x) => ({ value: String(x), text: humanise(String(x)) }));
        if (items.length > 8 && !t.fields.some((x) => reveals.get(x.name)?.on === f.name))
          return <Select id={id} label={label} hint={hint} error={error} items={[{ value: '', text: 'Choose one' }, ...items]} value={v as string} onChange={(x) => set(f.name, x)} labelClass="govuk-label--s" />;
        return <Radios id={id} label={label} hint={hint} error={error} items={withReveals(items)} value={v as string} onChange={(x) => set(f.name, x)} small={items.length > 4} />;
      }
      case 'list':
        return <AddAnother id={id} label={label} hint={hint} error={error} values={v as string[]} onChange={(x) => set(f.name, x)} />;
      case 'facts':
        return (
          <Checkboxes
            id={id}
            label={label}
            hint={hint}
            error={error}
            items={(f.values ?? fw.facts.map((x) => x.id)).map((x) => ({ value: String(x), text: fw.facts.find((ff) => ff.id === x)?.label ?? humanise(String(x)) }))}
            values={v as string[]}
            onChange={(x) => set(f.name, x)}
            small
          />
        );
      case 'user':
      case 'users':
        return <Picker id={id} label={label} hint={hint} error={error} many={f.type === 'users'} options={knownUsers(ctx)} directory={directoryUsers(ctx)} value={v} onChange={(x) => set(f.name, x)} otherLabel="Another person's account id" otherHint="Their account id from the directory, for example u-3f9a1c2b7d4e" />;
      case 'agency':
      case 'agencies':
        return (
          <Picker
            id={id}
            label={label}
            hint={hint}
            error={error}
            many={f.type === 'agencies'}
            options={[...knownAgencies(ctx), ...(f.type === 'agencies' ? [{ value: 'all', text: 'Every agency' }] : [])]}
            directory={directoryAgencies(ctx)}
            value={v}
            onChange={(x) => set(f.name, x)}
            otherLabel="Another agency's id"
            otherHint="For example, st-marys-primary"
          />
        );
      case 'person':
      case 'people': {
        const items = (ctx.people ?? []).map((p) => ({ value: p.person_id, text: `${p.name} (${humanise(p.relationship).toLowerCase()})` }));
        if (!items.length) return <InsetText>{fieldLabel(f)}: no one is recorded in the family or household yet. Add them under "Family and household" first.</InsetText>;
        return f.type === 'person' ? (
          <Radios id={id} label={label} hint={hint} error={error} items={items} value={v as string} onChange={(x) => set(f.name, x)} />
        ) : (
          <Checkboxes id={id} label={label} hint={hint} error={error} items={items} values={v as string[]} onChange={(x) => set(f.name, x)} />
        );
      }
      case 'communication': {
        const extras = comm[f.name] ?? {};
        const setExtra = (k: string, x: string) => setComm((old) => ({ ...old, [f.name]: { ...(old[f.name] ?? {}), [k]: x } }));
        return (
          <Checkboxes
            id={id}
            label={label}
            hint={hint ?? 'How the child and family need information given to them. The family’s copy of the plan uses this.'}
            error={error}
            items={COMM_KINDS.map((c) => ({
              ...c,
              conditional:
                c.value === 'interpreter' ? (
                  <TextInput id={`${id}-language`} label="Language" value={extras.interpreter ?? ''} onInput={(x) => setExtra('interpreter', x)} width="20" />
                ) : c.value === 'other' ? (
                  <TextInput id={`${id}-other`} label="Describe the need" value={extras.other ?? ''} onInput={(x) => setExtra('other', x)} />
                ) : undefined,
            }))}
            values={v as string[]}
            onChange={(x) => set(f.name, x)}
          />
        );
      }
      default:
        return <TextInput id={id} label={label} hint={hint} error={error} value={v as string} onInput={(x) => set(f.name, x)} labelClass="govuk-label--s" />;
    }
  };

  const summaryErrors = [
    ...t.fields.filter((f) => errors[f.name]).map((f) => ({ href: `#${prefix}${f.name}`, text: errors[f.name] })),
    ...(problem ? [{ href: '', text: problem }] : []),
  ];
  const H = props.headingLevel ?? 'h1';
  const to = t.to;
  return (
    <>
      <ErrorSummary errors={summaryErrors} />
      <span class="govuk-caption-l">{fw.name}</span>
      <H class={H === 'h1' ? 'govuk-heading-l' : 'govuk-heading-m'}>{t.label}</H>
      <p class="govuk-body app-provenance">
        {provenanceText(t)}
        {t.confidential?.author && (
          <>
            {' '}
            · <Tag colour="purple">Confidential</Tag> who recorded this is withheld from readers outside social care and your agency.
          </>
        )}
      </p>
      {t.help && <p class="govuk-body">{t.help}</p>}
      {props.before}
      <form onSubmit={submit} noValidate>
        {t.fields.filter((f) => !reveals.has(f.name)).map((f) => (
          <div key={f.name}>{renderField(f)}</div>
        ))}
        {t.require
          .filter((c) => !c.field && !c.date_within && !c.date_after)
          .map((c, i) => (
            <InsetText key={i}>
              {describeWhen(c.if, t)}
              {c.message} <span class="app-provenance">({c.source ?? `local default: ${c.local_default}`})</span>
            </InsetText>
          ))}
        {(to || t.starts.length > 0) && (
          <details class="govuk-details">
            <summary class="govuk-details__summary">
              <span class="govuk-details__summary-text">What recording this does</span>
            </summary>
            <div class="govuk-details__text">
              <ul class="govuk-list govuk-list--bullet">
                {typeof to === 'string' && <li>The case moves to: {stateLabel(to)}</li>}
                {to && typeof to === 'object' && (
                  <li>
                    The case moves according to {fieldLabel(t.fields.find((f) => f.name === to.field) ?? { name: to.field, type: 'enum', optional: false }).toLowerCase()}:{' '}
                    {Object.entries(to.map)
                      .map(([k, s]) => `${humanise(k).toLowerCase()} → ${stateLabel(s).toLowerCase()}`)
                      .join('; ')}
                  </li>
                )}
                {t.starts.map((s, i) => (
                  <li key={i}>
                    Starts a deadline: {timescale(s.timescale)?.label ?? humanise(s.deadline)}
                    {s.if ? ` (${describeWhen(s.if, t).replace(/: $/, '').toLowerCase()})` : ''}
                  </li>
                ))}
              </ul>
            </div>
          </details>
        )}
        <Button disabled={busy}>{props.submitLabel ?? 'Save and record'}</Button>
      </form>
    </>
  );
}

// GOV.UK's "add another" pattern for a list: one text input per item.
function AddAnother(props: { id: string; label: ComponentChildren; hint?: ComponentChildren; error?: string; values: string[]; onChange: (v: string[]) => void }) {
  const vals = props.values.length ? props.values : [''];
  return (
    <div class={`govuk-form-group${props.error ? ' govuk-form-group--error' : ''}`}>
      <fieldset class="govuk-fieldset moj-add-another" aria-describedby={props.hint ? `${props.id}-hint` : undefined}>
        <legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{props.label}</legend>
        {props.hint && (
          <div id={`${props.id}-hint`} class="govuk-hint">
            {props.hint}
          </div>
        )}
        {props.error && (
          <p id={`${props.id}-error`} class="govuk-error-message">
            <span class="govuk-visually-hidden">Error:</span> {props.error}
          </p>
        )}
        {vals.map((v, i) => {
          const id = i === 0 ? props.id : `${props.id}-${i + 1}`;
          return (
            <div class="moj-add-another__item" key={i}>
              <div class="govuk-form-group">
                <label class="govuk-label" for={id}>
                  Item {i + 1}
                </label>
                <input class="govuk-input" id={id} type="text" value={v} onInput={(e) => props.onChange(vals.map((x, j) => (j === i ? (e.target as HTMLInputElement).value : x)))} />
              </div>
              {vals.length > 1 && (
                <button type="button" class="govuk-button govuk-button--secondary moj-add-another__remove-button" onClick={() => props.onChange(vals.filter((_, j) => j !== i))}>
                  Remove<span class="govuk-visually-hidden"> item {i + 1}</span>
                </button>
              )}
            </div>
          );
        })}
        <div class="moj-button-action">
          <button
            type="button"
            class="govuk-button govuk-button--secondary moj-add-another__add-button govuk-!-margin-bottom-4"
            onClick={() => {
              props.onChange([...vals, '']);
              setTimeout(() => document.getElementById(`${props.id}-${vals.length + 1}`)?.focus(), 0);
            }}
          >
            Add another item
          </button>
        </div>
      </fieldset>
    </div>
  );
}

// Choosing users or agencies: those the case already names, or another by id.
function Picker(props: {
  id: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string;
  many: boolean;
  options: Option[];
  // Everyone else who could be chosen: offered as a list under "someone or
  // somewhere else" (an id may still be typed when the directory is empty).
  directory?: Option[];
  value: Value;
  onChange: (v: Value) => void;
  otherLabel: string;
  otherHint: string;
}) {
  const known = new Set(props.options.map((o) => o.value));
  const current = Array.isArray(props.value) ? props.value : props.value ? [props.value] : [];
  const others = current.filter((x) => !known.has(x));
  const [other, setOther] = useState(others.join(', '));
  const [otherOn, setOtherOn] = useState(others.length > 0);
  const otherValues = (s: string) =>
    s
      .split(/[,\s]+/)
      .map((x) => x.trim())
      .filter(Boolean);
  const choices = (props.directory ?? []).filter((o) => !known.has(o.value));
  const otherInput = choices.length ? (
    props.many ? (
      <Checkboxes
        id={`${props.id}-other`}
        label={props.otherLabel.replace(/'s (account )?id$/, '')}
        values={others}
        items={choices}
        onChange={(vals) => {
          setOther(vals.join(', '));
          props.onChange([...current.filter((x) => known.has(x)), ...vals]);
        }}
        small
      />
    ) : (
      <Select
        id={`${props.id}-other`}
        label={props.otherLabel.replace(/'s (account )?id$/, '')}
        value={others[0] ?? ''}
        items={[{ value: '', text: 'Choose…' }, ...choices]}
        onChange={(x) => {
          setOther(x);
          props.onChange(x);
        }}
      />
    )
  ) : (
    <TextInput
      id={`${props.id}-other`}
      label={props.otherLabel}
      hint={props.many ? `${props.otherHint}. Separate several with commas.` : props.otherHint}
      value={other}
      spellcheck={false}
      onInput={(s) => {
        setOther(s);
        const kept = current.filter((x) => known.has(x));
        props.onChange(props.many ? [...kept, ...otherValues(s)] : otherValues(s)[0] ?? '');
      }}
    />
  );
  if (props.many) {
    return (
      <Checkboxes
        id={props.id}
        label={props.label}
        hint={props.hint}
        error={props.error}
        items={[...props.options, { value: '__other', text: 'Someone or somewhere else', conditional: otherInput }]}
        values={[...current.filter((x) => known.has(x)), ...(otherOn ? ['__other'] : [])]}
        onChange={(vals) => {
          const on = vals.includes('__other');
          setOtherOn(on);
          props.onChange([...vals.filter((x) => x !== '__other'), ...(on ? otherValues(other) : [])]);
        }}
      />
    );
  }
  return (
    <Radios
      id={props.id}
      label={props.label}
      hint={props.hint}
      error={props.error}
      items={[...props.options, { value: '__other', text: 'Someone or somewhere else', conditional: otherInput }]}
      value={otherOn ? '__other' : (current[0] ?? '')}
      onChange={(x) => {
        setOtherOn(x === '__other');
        props.onChange(x === '__other' ? (otherValues(other)[0] ?? '') : x);
      }}
    />
  );
}

