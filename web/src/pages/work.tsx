// My work: what is due and overdue, the children worked with, finding a
// child, and (for safeguarding leads) alerts waiting.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { useApp } from '../app';
import { Button, ErrorSummary, TextInput } from '../components/govuk';
import { Badge, MojAlert, SortableTable } from '../components/moj';
import { dateTime, humanise, longDate, relative } from '../format';
import { LoadError, Loading, useLoad } from '../load';
import type { Alert, Deadline } from '../types';

interface CaseloadEntry {
  child_id: string;
  display_name: string;
  state_label: string;
  relationship: string;
  open_deadlines: number;
  overdue_deadlines: number;
}

interface SearchResult {
  child_id: string;
  display_name: string;
  date_of_birth: string;
  framework: string;
  state: string;
  relationship: string;
}

export function DueBadge({ d }: { d: Deadline }) {
  if (d.overdue) return <Badge colour="red">Overdue</Badge>;
  const hours = (new Date(d.due_at).getTime() - Date.now()) / 3600000;
  if (hours < 48) return <Badge colour="purple">Due soon</Badge>;
  return <Badge colour="blue">Due</Badge>;
}

export function WorkPage() {
  const app = useApp();
  const mine = useLoad(() => api.get<{ deadlines: Deadline[] }>('/api/v1/due', { mine: true }), []);
  const all = useLoad(() => api.get<{ children: CaseloadEntry[] }>('/api/v1/caseload'), []);
  const alerts = useLoad(() => (app.user.role === 'safeguarding_lead' ? api.get<{ alerts: Alert[] }>('/api/v1/alerts') : Promise.resolve({ alerts: [] as Alert[] })), []);
  const [q, setQ] = useState('');
  const [qError, setQError] = useState('');
  const [results, setResults] = useState<SearchResult[] | null>(null);
  const [searching, setSearching] = useState(false);

  const childLink = (child: string, name: string) => {
    const l = app.link({ page: 'case', child, tab: 'summary' });
    return (
      <a class="govuk-link" href={l.href} onClick={l.onClick}>
        {name}
      </a>
    );
  };

  const search = async (e: Event) => {
    e.preventDefault();
    const text = q.trim();
    if (text.length < 2) {
      setQError('Enter at least 2 characters of the name, NHS number or record id');
      return;
    }
    setQError('');
    setSearching(true);
    try {
      const r = await api.get<{ results: SearchResult[] }>('/api/v1/children', { q: text });
      setResults(r.results);
    } catch (err) {
      setQError(err instanceof api.ApiError ? err.problem.detail : String(err));
    } finally {
      setSearching(false);
    }
  };

  // The caseload: the children whose case the user holds or works on.
  const caseload = all.data?.children ?? [];
  const overdueMine = (mine.data?.deadlines ?? []).filter((d) => d.overdue).length;
  const unacknowledged = (alerts.data?.alerts ?? []).filter((a) => !a.acknowledged_at).length;

  return (
    <>
      <ErrorSummary errors={qError ? [{ href: '#q', text: qError }] : []} />
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <h1 class="govuk-heading-l">My work</h1>
        </div>
      </div>
      <div class="app-actions govuk-!-margin-bottom-6">
        <a class="govuk-button govuk-button--start govuk-!-margin-bottom-0" role="button" draggable={false} {...app.link({ page: 'record' })} id="record-concern">
          Record a concern or request for support
          <svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" viewBox="0 0 33 40" aria-hidden="true" focusable="false">
            <path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z" />
          </svg>
        </a>
      </div>

      {unacknowledged > 0 && (
        <MojAlert variant="warning" title="Alerts for safeguarding leads">
          <p class="govuk-body">
            {unacknowledged} alert{unacknowledged === 1 ? '' : 's'} not yet acknowledged.{' '}
            <a class="govuk-link" {...app.link({ page: 'alerts' })}>
              Review alerts
            </a>
          </p>
        </MojAlert>
      )}

      <h2 class="govuk-heading-m">Find a child</h2>
      <form onSubmit={search} noValidate role="search">
        <TextInput id="q" label="Name, NHS number or record id" hint="Only children you work with are found." value={q} onInput={setQ} error={qError} width="20" labelClass="govuk-label--s" />
        <Button variant="secondary" disabled={searching}>
          Search
        </Button>
      </form>
      {results && (
        <div aria-live="polite">
          {results.length === 0 ? (
            <p class="govuk-body">No children you work with match “{q}”. If you are worried about a child, record a concern: it goes to the front door.</p>
          ) : (
            <SortableTable
              key={`s-${q}-${results.length}`}
              caption={`${results.length} result${results.length === 1 ? '' : 's'}`}
              captionClass="govuk-table__caption--s"
              columns={[{ title: 'Name' }, { title: 'Date of birth' }, { title: 'Framework' }, { title: 'Stage' }, { title: 'Your relationship' }]}
              rows={results.map((r) => [
                { content: childLink(r.child_id, r.display_name), sortValue: r.display_name },
                { content: longDate(r.date_of_birth), sortValue: r.date_of_birth },
                { content: humanise(r.framework) },
                { content: humanise(r.state) },
                { content: humanise(r.relationship) },
              ])}
            />
          )}
        </div>
      )}

      <h2 class="govuk-heading-m govuk-!-margin-top-6">
        Due and overdue for you {overdueMine > 0 && <Badge colour="red">{overdueMine} overdue</Badge>}
      </h2>
      {mine.loading && <Loading />}
      {mine.error && <LoadError error={mine.error} />}
      {mine.data &&
        (mine.data.deadlines.length === 0 ? (
          <p class="govuk-body">Nothing is due for you or your team.</p>
        ) : (
          <SortableTable
            key={`m-${mine.data.deadlines.length}`}
            caption="Deadlines you or your team own"
            captionClass="govuk-table__caption--s"
            columns={[{ title: 'Child' }, { title: 'What' }, { title: 'Due', sort: 'ascending' }, { title: 'Status' }]}
            rows={mine.data.deadlines.map((d) => [
              { content: childLink(d.child_id ?? '', d.display_name ?? ''), sortValue: d.display_name },
              { content: d.label },
              {
                content: (
                  <>
                    {dateTime(d.due_at)}
                    <br />
                    <span class="govuk-body-s">{relative(d.due_at)}</span>
                  </>
                ),
                sortValue: d.due_at,
              },
              { content: <DueBadge d={d} />, sortValue: d.overdue ? 0 : 1 },
            ])}
          />
        ))}

      <h2 class="govuk-heading-m govuk-!-margin-top-6">Children you work with</h2>
      {all.loading && <Loading />}
      {all.error && <LoadError error={all.error} />}
      {all.data &&
        (caseload.length === 0 ? (
          <p class="govuk-body">No open cases of yours. Use “Find a child” for others you work with.</p>
        ) : (
          <SortableTable
            key={`c-${caseload.length}`}
            caption="Your caseload"
            captionClass="govuk-table__caption--s"
            columns={[{ title: 'Child' }, { title: 'Your part' }, { title: 'Where the case is' }, { title: 'Open deadlines', numeric: true }, { title: 'Status', sort: 'descending' }]}
            rows={caseload.map((c) => [
              { content: childLink(c.child_id, c.display_name), sortValue: c.display_name },
              { content: c.relationship === 'allocated_worker' ? 'Lead professional or allocated worker' : humanise(c.relationship), sortValue: c.relationship },
              { content: c.state_label, sortValue: c.state_label },
              { content: String(c.open_deadlines), sortValue: c.open_deadlines },
              { content: c.overdue_deadlines ? <Badge colour="red">{c.overdue_deadlines} overdue</Badge> : <Badge colour="green">On track</Badge>, sortValue: c.overdue_deadlines },
            ])}
          />
        ))}
    </>
  );
}
