// The front-door queue, alerts for safeguarding leads, and emergency access.
import { useEffect, useState } from 'preact/hooks';
import * as api from '../api';
import { useApp } from '../app';
import { Button, ErrorSummary, Radios, Textarea, TextInput, WarningText } from '../components/govuk';
import { Badge, MojAlert, SortableTable } from '../components/moj';
import { dateTime, humanise, relative, time } from '../format';
import { LoadError, Loading, useLoad } from '../load';
import type { Alert, Deadline } from '../types';

// The duty team's deadlines (GET /due?mine=true gives a duty team member
// those their team owns), with how long is left on each clock.
export function FrontDoorPage() {
  const app = useApp();
  const due = useLoad(() => api.get<{ deadlines: Deadline[] }>('/api/v1/due', { mine: true }), []);
  const [show, setShow] = useState('all');
  const [, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 60000);
    return () => clearInterval(t);
  }, []);
  const team = (due.data?.deadlines ?? []).filter((d) => d.team);
  const rows = team.filter((d) => show === 'all' || (show === 'overdue' ? d.overdue : !d.overdue));
  const overdue = team.filter((d) => d.overdue).length;
  return (
    <>
      <h1 class="govuk-heading-l">Front door queue</h1>
      <p class="govuk-body">Decisions your team owns, oldest first. Each has its clock: a request for support is decided within the framework's timescale (1 working day where the document says so).</p>
      {due.loading && <Loading />}
      {due.error && <LoadError error={due.error} />}
      {due.data && (
        <>
          <p class="govuk-body">
            <Badge colour="blue">{team.length} waiting</Badge> {overdue > 0 && <Badge colour="red">{overdue} overdue</Badge>}
          </p>
          <Radios
            id="queue-show"
            label="Show"
            inline
            small
            items={[
              { value: 'all', text: 'All' },
              { value: 'overdue', text: 'Overdue' },
              { value: 'due', text: 'Not yet due' },
            ]}
            value={show}
            onChange={setShow}
          />
          {rows.length === 0 ? (
            <p class="govuk-body">Nothing waiting for your team.</p>
          ) : (
            <SortableTable
              key={`${show}-${rows.length}`}
              caption="Waiting for a decision"
              captionClass="govuk-table__caption--s"
              columns={[{ title: 'Child' }, { title: 'Waiting for' }, { title: 'Due', sort: 'ascending' }, { title: 'Clock' }]}
              rows={rows.map((d) => {
                const l = app.link({ page: 'case', child: d.child_id ?? '', tab: 'summary' });
                return [
                  {
                    content: (
                      <a class="govuk-link" href={l.href} onClick={l.onClick}>
                        {d.display_name}
                      </a>
                    ),
                    sortValue: d.display_name,
                  },
                  { content: d.label },
                  { content: dateTime(d.due_at), sortValue: d.due_at },
                  { content: d.overdue ? <Badge colour="red">Overdue: due {relative(d.due_at)}</Badge> : <Badge colour="purple">Due {relative(d.due_at)}</Badge>, sortValue: d.due_at },
                ];
              })}
            />
          )}
        </>
      )}
    </>
  );
}

export function AlertsPage() {
  const [all, setAll] = useState(false);
  const alerts = useLoad(() => api.get<{ alerts: Alert[] }>('/api/v1/alerts', { all }), [all]);
  const [done, setDone] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const ack = async (a: Alert) => {
    setErr(null);
    try {
      await api.post(`/api/v1/alerts/${a.id}/acknowledgement`);
      setDone(`Alert ${a.id} acknowledged`);
      alerts.reload();
    } catch (e) {
      setErr(e instanceof api.ApiError ? e.problem.detail : String(e));
    }
  };
  return (
    <>
      <ErrorSummary errors={err ? [{ href: '', text: err }] : []} />
      <h1 class="govuk-heading-l">Alerts</h1>
      {done && (
        <MojAlert variant="success">
          <p class="govuk-body">{done}</p>
        </MojAlert>
      )}
      <Radios
        id="alerts-show"
        label="Show"
        inline
        small
        items={[
          { value: 'open', text: 'Not acknowledged' },
          { value: 'all', text: 'All' },
        ]}
        value={all ? 'all' : 'open'}
        onChange={(v) => setAll(v === 'all')}
      />
      {alerts.loading && <Loading />}
      {alerts.error && <LoadError error={alerts.error} />}
      {alerts.data &&
        (alerts.data.alerts.length === 0 ? (
          <p class="govuk-body">No alerts.</p>
        ) : (
          <SortableTable
            key={`${all}-${alerts.data.alerts.length}-${done}`}
            caption="Alerts for safeguarding leads"
            captionClass="govuk-table__caption--s"
            columns={[{ title: 'When', sort: 'descending' }, { title: 'What' }, { title: 'Who' }, { title: 'Detail' }, { title: 'Action' }]}
            rows={alerts.data.alerts.map((a) => [
              { content: dateTime(a.created_at), sortValue: a.created_at },
              { content: <Badge colour={a.kind.startsWith('break_glass') ? 'red' : 'purple'}>{humanise(a.kind)}</Badge>, sortValue: a.kind },
              { content: `${a.user_id} (${a.agency_id})${a.child_id ? `, child ${a.child_id}` : ''}` },
              { content: <span class="app-break">{a.detail}</span> },
              {
                content: a.acknowledged_at ? (
                  `Acknowledged ${dateTime(a.acknowledged_at)}`
                ) : a.yours ? (
                  'About you: another lead acknowledges it'
                ) : (
                  <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" onClick={() => ack(a)}>
                    Acknowledge<span class="govuk-visually-hidden"> alert {a.id}</span>
                  </button>
                ),
              },
            ])}
          />
        ))}
    </>
  );
}

export function BreakGlassPage() {
  const app = useApp();
  const [id, setId] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!id.trim()) errs['bg-child'] = "Enter the child's record id";
    if (reason.trim().split(/\s+/).length < 3) errs['bg-reason'] = 'Say why, in words: what the emergency is and what you need to know';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const r = await api.post<{ grant: { expires_at: string } }>(`/api/v1/children/${encodeURIComponent(id.trim())}/break-glass`, { reason: reason.trim() });
      app.go({ page: 'case', child: id.trim(), tab: 'summary' });
      app.flash(`Emergency access granted until ${time(r.grant.expires_at)} (${relative(r.grant.expires_at)}). Reading only; every page is audited.`);
    } catch (err) {
      const p = err instanceof api.ApiError ? err : null;
      const field = p?.problem.errors?.[0]?.field === 'reason' ? 'bg-reason' : 'bg-child';
      setErrors({ [field]: p?.problem.detail ?? String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        <ErrorSummary errors={Object.entries(errors).map(([k, v]) => ({ href: `#${k}`, text: v }))} />
        <h1 class="govuk-heading-l">Emergency access to a child's record</h1>
        <WarningText>Use this only when a child may come to harm if you cannot read their record now. Your safeguarding leads are alerted straight away, and every page you read is audited.</WarningText>
        <p class="govuk-body">Access lasts a limited time (usually 60 minutes), lets you read but not record, and you may use it at most 3 times an hour.</p>
        <form onSubmit={submit} noValidate>
          <TextInput id="bg-child" label="Child's record id" hint="From the referral or the front door, for example c-1a2b3c4d5e6f7a8b" value={id} onInput={setId} error={errors['bg-child']} width="20" spellcheck={false} labelClass="govuk-label--s" />
          <Textarea id="bg-reason" label="Why do you need access now?" hint="At least 20 letters over three or more words. Your leads will read this." value={reason} onInput={setReason} error={errors['bg-reason']} labelClass="govuk-label--s" />
          <Button variant="warning" disabled={busy}>
            Get emergency access
          </Button>
        </form>
      </div>
    </div>
  );
}
