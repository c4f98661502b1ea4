// The needs "windscreen": the framework's indicators grouped by domain and
// level, searchable, with strengths and statutory facts; and the live
// suggestion with its explanation and the document sections it rests on
// (POST /api/v1/frameworks/{id}/assess). The practitioner decides.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import * as api from '../api';
import { Checkboxes, Tag, TextInput, WarningText } from '../components/govuk';
import type { Framework, FrameworkItem, Suggestion } from '../types';

export interface Observed {
  indicators: string[];
  strengths: string[];
  facts: string[];
}

function matches(item: FrameworkItem, words: string[]): boolean {
  const l = item.label.toLowerCase();
  return words.every((w) => l.includes(w));
}

function applies(item: FrameworkItem, age: number | null): boolean {
  if (age === null) return true;
  if (item.age_under !== undefined && age >= item.age_under) return false;
  if (item.age_at_least !== undefined && age < item.age_at_least) return false;
  return true;
}

function ageHint(item: FrameworkItem): string | undefined {
  if (item.age_under !== undefined && item.age_at_least !== undefined) return `Ages ${item.age_at_least} to ${item.age_under - 1}`;
  if (item.age_under !== undefined) return `Under ${item.age_under}`;
  if (item.age_at_least !== undefined) return `Aged ${item.age_at_least} or over`;
  return undefined;
}

export function Windscreen({ fw, age, value, onChange }: { fw: Framework; age: number | null; value: Observed; onChange: (o: Observed) => void }) {
  const [q, setQ] = useState('');
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const words = q.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const levelName = (n: number) => fw.levels.find((l) => l.level === n)?.name ?? '';

  // Top-level domain of every domain or subdomain id.
  const parent = useMemo(() => {
    const m = new Map<string, string>();
    for (const d of fw.domains) {
      m.set(d.id, d.id);
      for (const s of d.subdomains ?? []) m.set(s.id, d.id);
    }
    return m;
  }, [fw]);

  const groups = fw.domains
    .map((d) => {
      const items = fw.indicators.filter((i) => parent.get(i.domain ?? '') === d.id && applies(i, age) && (!words.length || matches(i, words)));
      const levels = [...new Set(items.map((i) => i.level ?? 0))].sort((a, b) => a - b);
      return { d, items, levels };
    })
    .filter((g) => g.items.length > 0);
  const orphans = fw.indicators.filter((i) => !parent.has(i.domain ?? '') && applies(i, age) && (!words.length || matches(i, words)));
  const strengths = fw.strengths.filter((s) => !words.length || matches(s, words));
  const facts = fw.facts.filter((s) => !words.length || matches(s, words));
  const shown = groups.reduce((n, g) => n + g.items.length, 0) + orphans.length;

  const item = (i: FrameworkItem) => ({
    value: i.id,
    text: (
      <>
        {i.label}
        {i.immediate && (
          <>
            {' '}
            <Tag colour="red">Immediate risk</Tag>
          </>
        )}
      </>
    ),
    hint: ageHint(i),
  });

  const selectedIn = (ids: string[]) => ids.filter((id) => value.indicators.includes(id)).length;

  return (
    <div>
      <TextInput id="needs-search" label="Search what you have seen" hint="For example: attendance, domestic abuse, housing. Matching sections open below." value={q} onInput={setQ} labelClass="govuk-label--s" />
      <p class="govuk-body-s" aria-live="polite" role="status">
        {words.length ? `${shown} indicator${shown === 1 ? '' : 's'} match` : `${fw.indicators.length} indicators in ${fw.domains.length} areas`}
        {value.indicators.length ? ` · ${value.indicators.length} selected` : ''}
      </p>
      {groups.map((g) => {
        const isOpen = words.length > 0 || !!open[g.d.id];
        const n = selectedIn(g.items.map((i) => i.id));
        return (
          <details
            class="govuk-details govuk-!-margin-bottom-3"
            open={isOpen}
            key={g.d.id + (words.length ? ':s' : '')}
            onToggle={(e) => {
              const o = (e.currentTarget as HTMLDetailsElement).open;
              if (!words.length && o !== !!open[g.d.id]) setOpen((x) => ({ ...x, [g.d.id]: o }));
            }}
          >
            <summary class="govuk-details__summary">
              <span class="govuk-details__summary-text">
                {g.d.name} {n > 0 && <Tag colour="blue">{n} selected</Tag>}
              </span>
            </summary>
            <div class="govuk-details__text">
              {g.levels.map((lv) => (
                <Checkboxes
                  key={lv}
                  id={`ind-${g.d.id}-${lv}`}
                  name="indicators"
                  legendClass="govuk-fieldset__legend--s"
                  label={lv ? `${fw.vocabulary.level ?? 'Level'} ${lv}: ${levelName(lv)}` : 'Other'}
                  items={g.items.filter((i) => (i.level ?? 0) === lv).map(item)}
                  values={value.indicators}
                  onChange={(v) => onChange({ ...value, indicators: v })}
                  small
                />
              ))}
            </div>
          </details>
        );
      })}
      {orphans.length > 0 && (
        <Checkboxes id="ind-other" label="Other indicators" items={orphans.map(item)} values={value.indicators} onChange={(v) => onChange({ ...value, indicators: v })} small />
      )}
      {strengths.length > 0 && (
        <details class="govuk-details govuk-!-margin-bottom-3" open={words.length > 0 || value.strengths.length > 0}>
          <summary class="govuk-details__summary">
            <span class="govuk-details__summary-text">
              Strengths and protective factors {value.strengths.length > 0 && <Tag colour="green">{value.strengths.length} selected</Tag>}
            </span>
          </summary>
          <div class="govuk-details__text">
            <Checkboxes id="strengths" label="Strengths you have seen" hint="Strengths may lower a level some indicators set." items={strengths.map(item)} values={value.strengths} onChange={(v) => onChange({ ...value, strengths: v })} small />
          </div>
        </details>
      )}
      {facts.length > 0 && (
        <details class="govuk-details govuk-!-margin-bottom-3" open={words.length > 0 || value.facts.length > 0}>
          <summary class="govuk-details__summary">
            <span class="govuk-details__summary-text">
              Statutory facts {value.facts.length > 0 && <Tag colour="purple">{value.facts.length} selected</Tag>}
            </span>
          </summary>
          <div class="govuk-details__text">
            <Checkboxes id="facts" label="Statutory facts that apply" hint="For example, a child protection plan or being looked after." items={facts.map(item)} values={value.facts} onChange={(v) => onChange({ ...value, facts: v })} small />
          </div>
        </details>
      )}
    </div>
  );
}

// The live suggestion, asked for again shortly after each change.
export function useSuggestion(fw: Framework | null, observed: Observed, age: number | null): { suggestion: Suggestion | null; error: string | null } {
  const [suggestion, setSuggestion] = useState<Suggestion | null>(null);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const key = JSON.stringify([fw?.id, observed, age]);
  useEffect(() => {
    if (!fw || observed.indicators.length + observed.strengths.length + observed.facts.length === 0) {
      setSuggestion(null);
      return;
    }
    const n = ++seq.current;
    const t = setTimeout(() => {
      const body: Record<string, unknown> = { ...observed };
      if (age !== null && age >= 0 && age <= 25) body.age = age;
      api.post<Suggestion>(`/api/v1/frameworks/${encodeURIComponent(fw.id)}/assess`, body).then(
        (s) => n === seq.current && (setSuggestion(s), setError(null)),
        (e) => n === seq.current && setError(e instanceof api.ApiError ? e.problem.detail : String(e)),
      );
    }, 200);
    return () => clearTimeout(t);
  }, [key]);
  return { suggestion, error };
}

export function SuggestionPanel({ fw, suggestion, error, sticky }: { fw: Framework; suggestion: Suggestion | null; error: string | null; sticky?: boolean }) {
  const level = fw.vocabulary.level ?? 'Level';
  return (
    <section class={`app-suggestion${sticky ? ' app-suggestion--sticky' : ''}${suggestion?.urgent ? ' app-suggestion--urgent' : ''}`} aria-labelledby="suggestion-heading">
      <h2 class="govuk-heading-m" id="suggestion-heading">
        Suggested level
      </h2>
      <div aria-live="polite" id="suggestion">
        {error && <p class="govuk-error-message">{error}</p>}
        {!suggestion && !error && <p class="govuk-body">Select what you have seen. The suggestion and why appear here.</p>}
        {suggestion && (
          <>
            <p class="govuk-heading-l govuk-!-margin-bottom-2" id="suggested-level">
              {level} {suggestion.level}: {suggestion.level_name}
            </p>
            {suggestion.urgent && <WarningText>Immediate risk: act now. {suggestion.urgent_actions[0] ?? ''}</WarningText>}
            <p class="govuk-body">
              <strong>{suggestion.response_name ?? suggestion.response_label}.</strong> {suggestion.response_text}
            </p>
            <h3 class="govuk-heading-s">Why</h3>
            <ol class="govuk-list govuk-list--number" id="explanation">
              {suggestion.explanation.map((e, i) => (
                <li key={i}>
                  {e.summary}{' '}
                  <span class="govuk-body-s app-provenance">
                    {e.source ? `(${e.source})` : (
                      <>
                        (<Tag colour="grey">Local default</Tag> {e.local_default})
                      </>
                    )}
                  </span>
                </li>
              ))}
            </ol>
            {suggestion.notes.length > 0 && (
              <>
                <h3 class="govuk-heading-s">Notes</h3>
                <ul class="govuk-list govuk-list--bullet govuk-body-s">
                  {suggestion.notes.map((n, i) => (
                    <li key={i}>{n.text}</li>
                  ))}
                </ul>
              </>
            )}
            <details class="govuk-details govuk-!-margin-bottom-0">
              <summary class="govuk-details__summary">
                <span class="govuk-details__summary-text">What you selected, and where each comes from</span>
              </summary>
              <div class="govuk-details__text">
                <ul class="govuk-list govuk-body-s">
                  {suggestion.evidence.map((e) => (
                    <li key={e.id}>
                      {e.label}
                      {e.level ? ` (${level.toLowerCase()} ${e.level})` : ''} — {e.source ?? `local default: ${e.local_default}`}
                    </li>
                  ))}
                </ul>
              </div>
            </details>
            <p class="govuk-body-s govuk-!-margin-top-3">This is a suggestion from {fw.name}. You decide, with your professional judgement.</p>
          </>
        )}
      </div>
    </section>
  );
}
