// Administration: agencies, teams (with the pathway duty each holds) and
// accounts. Administrators never open a child's record.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { useApp } from '../app';
import { Button, ErrorSummary, Checkboxes, Select, TextInput } from '../components/govuk';
import { Badge, MojAlert, SortableTable } from '../components/moj';
import { dateTime, humanise, ROLE_NAMES } from '../format';
import { LoadError, Loading, useLoad } from '../load';
import type { Framework } from '../types';

interface Agency {
  id: string;
  name: string;
  kind: string;
}
interface Team {
  id: string;
  agency_id: string;
  name: string;
  duty: string;
}

const KINDS = ['school', 'health', 'police', 'early_help', 'social_care', 'local_authority', 'voluntary', 'other'];

function useForm<T extends Record<string, string>>(initial: T) {
  const [v, setV] = useState(initial);
  return [v, (k: keyof T) => (x: string) => setV((o) => ({ ...o, [k]: x })), () => setV(initial)] as const;
}

function errorsOf(e: unknown, prefix: string, map: Record<string, string>): Record<string, string> {
  if (e instanceof api.ApiError) {
    const fe = e.problem.errors ?? [];
    const out: Record<string, string> = {};
    for (const x of fe) out[`${prefix}${map[x.field] ?? x.field}`] = x.message;
    if (!Object.keys(out).length) out[`${prefix}${Object.values(map)[0]}`] = e.problem.detail;
    return out;
  }
  return { [`${prefix}${Object.values(map)[0]}`]: String(e) };
}

export function AdminPage({ tab }: { tab: 'agencies' | 'teams' | 'users' }) {
  const agencies = useLoad(() => api.get<{ agencies: Agency[] }>('/api/v1/agencies'), [tab]);
  if (agencies.loading && !agencies.data) return <Loading />;
  if (agencies.error) return <LoadError error={agencies.error} />;
  const list = agencies.data!.agencies;
  if (tab === 'agencies') return <Agencies list={list} reload={agencies.reload} />;
  if (tab === 'teams') return <Teams agencies={list} />;
  return <Users agencies={list} />;
}

function Agencies({ list, reload }: { list: Agency[]; reload: () => void }) {
  const [f, set, reset] = useForm({ id: '', name: '', kind: 'school' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await api.post('/api/v1/agencies', f);
      setDone(`Agency ${f.name} saved`);
      setErrors({});
      reset();
      reload();
    } catch (err) {
      setErrors(errorsOf(err, 'ag-', { id: 'id', name: 'name', kind: 'kind' }));
    }
  };
  return (
    <>
      <ErrorSummary errors={Object.entries(errors).map(([k, v]) => ({ href: `#${k}`, text: v }))} />
      <h1 class="govuk-heading-l">Agencies</h1>
      {done && (
        <MojAlert variant="success">
          <p class="govuk-body">{done}</p>
        </MojAlert>
      )}
      <SortableTable
        key={list.length}
        caption={`${list.length} agencies`}
        captionClass="govuk-table__caption--s"
        columns={[{ title: 'Id', sort: 'ascending' }, { title: 'Name' }, { title: 'Kind' }]}
        rows={list.map((a) => [{ content: a.id }, { content: a.name }, { content: humanise(a.kind) }])}
      />
      <h2 class="govuk-heading-m">Add or update an agency</h2>
      <form onSubmit={submit} noValidate>
        <TextInput id="ag-id" label="Id" hint="Letters, digits and dashes, for example st-marys-primary. An existing id updates that agency." value={f.id} onInput={set('id')} error={errors['ag-id']} width="20" spellcheck={false} />
        <TextInput id="ag-name" label="Name" value={f.name} onInput={set('name')} error={errors['ag-name']} />
        <Select id="ag-kind" label="Kind" hint="A local authority's safeguarding leads oversee every child." items={KINDS.map((k) => ({ value: k, text: humanise(k) }))} value={f.kind} onChange={set('kind')} error={errors['ag-kind']} />
        <Button>Save agency</Button>
      </form>
    </>
  );
}

function Teams({ agencies }: { agencies: Agency[] }) {
  const app = useApp();
  const teams = useLoad(() => api.get<{ teams: Team[] }>('/api/v1/teams'), []);
  const duties = useLoad(async () => {
    const fws = await app.frameworks();
    const full = await Promise.all(fws.filter((x) => x.has_pathway).map((x) => app.framework(x.id)));
    return full.flatMap((fw: Framework) => (fw.pathway?.duties ?? []).map((d) => ({ value: `${fw.id}/${d.id}`, text: `${fw.authority}: ${d.label}` })));
  }, []);
  const [f, set, reset] = useForm({ id: '', agency_id: agencies[0]?.id ?? '', name: '', duty: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      await api.post('/api/v1/teams', { ...f, duty: f.duty || null });
      setDone(`Team ${f.name} saved`);
      setErrors({});
      reset();
      teams.reload();
    } catch (err) {
      setErrors(errorsOf(err, 'tm-', { id: 'id', agency_id: 'agency', name: 'name', duty: 'duty' }));
    }
  };
  return (
    <>
      <ErrorSummary errors={Object.entries(errors).map(([k, v]) => ({ href: `#${k}`, text: v }))} />
      <h1 class="govuk-heading-l">Teams</h1>
      {done && (
        <MojAlert variant="success">
          <p class="govuk-body">{done}</p>
        </MojAlert>
      )}
      {teams.loading && <Loading />}
      {teams.error && <LoadError error={teams.error} />}
      {teams.data && (
        <SortableTable
          key={teams.data.teams.length}
          caption={`${teams.data.teams.length} teams`}
          captionClass="govuk-table__caption--s"
          columns={[{ title: 'Id', sort: 'ascending' }, { title: 'Name' }, { title: 'Agency' }, { title: 'Duty' }]}
          rows={teams.data.teams.map((t) => [{ content: t.id }, { content: t.name }, { content: t.agency_id }, { content: t.duty ? <Badge colour="purple">{t.duty}</Badge> : 'None' }])}
        />
      )}
      <h2 class="govuk-heading-m">Add or update a team</h2>
      <form onSubmit={submit} noValidate>
        <TextInput id="tm-id" label="Id" value={f.id} onInput={set('id')} error={errors['tm-id']} width="20" spellcheck={false} />
        <TextInput id="tm-name" label="Name" value={f.name} onInput={set('name')} error={errors['tm-name']} />
        <Select id="tm-agency" label="Agency" items={agencies.map((a) => ({ value: a.id, text: `${a.name} (${a.id})` }))} value={f.agency_id} onChange={set('agency_id')} error={errors['tm-agency']} />
        <Select
          id="tm-duty"
          label="Duty"
          hint="A team holding a duty owns that duty's deadlines, such as the front door's decision on a request for support."
          items={[{ value: '', text: 'No duty' }, ...(duties.data ?? [])]}
          value={f.duty}
          onChange={set('duty')}
          error={errors['tm-duty']}
        />
        <Button>Save team</Button>
      </form>
    </>
  );
}

interface Account extends api.User {
  created_at: string;
  updated_at: string;
}

function Users({ agencies }: { agencies: Agency[] }) {
  const users = useLoad(() => api.get<{ users: Account[] }>('/api/v1/users'), []);
  const teams = useLoad(() => api.get<{ teams: Team[] }>('/api/v1/teams'), []);
  const [f, set, reset] = useForm({ username: '', display_name: '', role: 'practitioner', agency_id: agencies[0]?.id ?? '', team_id: '', password: '' });
  const [totp, setTotp] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [done, setDone] = useState<{ text: string; secret?: string; uri?: string } | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await api.post<Account & { totp_secret?: string; totp_uri?: string }>('/api/v1/users', { ...f, team_id: f.team_id || null, totp: totp.includes('yes') });
      setDone({ text: `Account ${r.username} created`, secret: r.totp_secret, uri: r.totp_uri });
      setErrors({});
      reset();
      setTotp([]);
      users.reload();
    } catch (err) {
      setErrors(errorsOf(err, 'us-', { username: 'username', display_name: 'name', role: 'role', agency_id: 'agency', team_id: 'team', password: 'password' }));
    }
  };
  const act = async (u: Account, what: 'disable' | 'enable') => {
    try {
      if (what === 'disable') await api.post(`/api/v1/users/${encodeURIComponent(u.id)}/disable`);
      else await api.post(`/api/v1/users/${encodeURIComponent(u.id)}/reset`, { enable: true });
      setDone({ text: `Account ${u.username} ${what}d` });
      users.reload();
    } catch (err) {
      setDone({ text: err instanceof api.ApiError ? err.problem.detail : String(err) });
    }
  };
  const teamItems = (teams.data?.teams ?? []).filter((t) => t.agency_id === f.agency_id).map((t) => ({ value: t.id, text: t.name }));
  return (
    <>
      <ErrorSummary errors={Object.entries(errors).map(([k, v]) => ({ href: `#${k}`, text: v }))} />
      <h1 class="govuk-heading-l">Accounts</h1>
      {done && (
        <MojAlert variant="success" title={done.text}>
          {done.secret && (
            <p class="govuk-body app-break">
              Second-factor secret (shown once): <code>{done.secret}</code>. Give it to the user to add to their authenticator app.
            </p>
          )}
        </MojAlert>
      )}
      {users.loading && <Loading />}
      {users.error && <LoadError error={users.error} />}
      {users.data && (
        <SortableTable
          key={JSON.stringify(users.data.users.map((u) => u.id + u.disabled))}
          caption={`${users.data.users.length} accounts`}
          captionClass="govuk-table__caption--s"
          columns={[{ title: 'User name', sort: 'ascending' }, { title: 'Name' }, { title: 'Role' }, { title: 'Agency and team' }, { title: 'Status' }, { title: 'Action' }]}
          rows={users.data.users.map((u) => [
            { content: <span class="app-break">{u.username}</span>, sortValue: u.username },
            { content: u.display_name },
            { content: ROLE_NAMES[u.role] ?? u.role },
            { content: `${u.agency_id}${u.team_id ? ` / ${u.team_id}` : ''}` },
            { content: u.disabled ? <Badge colour="grey">Disabled</Badge> : <Badge colour="green">Active</Badge>, sortValue: u.disabled ? 1 : 0 },
            {
              content: (
                <button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" onClick={() => act(u, u.disabled ? 'enable' : 'disable')}>
                  {u.disabled ? 'Enable' : 'Disable'}
                  <span class="govuk-visually-hidden"> {u.username}</span>
                </button>
              ),
            },
          ])}
        />
      )}
      <p class="govuk-body-s">Times are in your local time; the newest change: {dateTime(users.data?.users.map((u) => u.updated_at).sort().pop())}.</p>
      <h2 class="govuk-heading-m">Create an account</h2>
      <form onSubmit={submit} noValidate>
        <TextInput id="us-username" label="User name" hint="2 to 64 letters, digits and . - _ @" value={f.username} onInput={set('username')} error={errors['us-username']} width="20" spellcheck={false} autocomplete="off" />
        <TextInput id="us-name" label="Full name" value={f.display_name} onInput={set('display_name')} error={errors['us-name']} />
        <Select id="us-role" label="Role" items={Object.entries(ROLE_NAMES).map(([value, text]) => ({ value, text }))} value={f.role} onChange={set('role')} error={errors['us-role']} hint="Safeguarding leads and administrators raise an alert when created." />
        <Select id="us-agency" label="Agency" items={agencies.map((a) => ({ value: a.id, text: `${a.name} (${a.id})` }))} value={f.agency_id} onChange={set('agency_id')} error={errors['us-agency']} />
        <Select id="us-team" label="Team (optional)" hint="Only teams of the account's own agency." items={[{ value: '', text: 'No team' }, ...teamItems]} value={f.team_id} onChange={set('team_id')} error={errors['us-team']} />
        <TextInput id="us-password" label="First password" hint="At least 12 characters, not containing the user name." type="password" value={f.password} onInput={set('password')} error={errors['us-password']} autocomplete="new-password" />
        <Checkboxes id="us-totp" label="Second factor" items={[{ value: 'yes', text: 'Give the account a security code (TOTP) for an authenticator app' }]} values={totp} onChange={setTotp} />
        <Button>Create account</Button>
      </form>
    </>
  );
}
