// The JSON API of `continuum serve` (docs/openapi.json), as the browser uses
// it. The session is a cookie the page cannot read (HttpOnly); every
// state-changing request sends the session's CSRF token, which lives only in
// memory and is read back from GET /api/v1/session after a reload. Nothing
// is written to browser storage.
//
// A server that answers a login with a bearer token instead (no cookie
// sessions) is also served: the token is kept in memory only, and a reload
// signs the user out.

export interface Problem {
  status: number;
  title: string;
  detail: string;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  constructor(public problem: Problem) {
    super(problem.detail || problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
  // The message for an event's field ("fields.NAME" in problem+json).
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const name = e.field.startsWith('fields.') ? e.field.slice('fields.'.length) : e.field;
      out[name] = e.message;
    }
    return out;
  }
}

let csrfToken = '';
let bearerToken = '';
let onUnauthorised: (() => void) | null = null;
let onActivity: (() => void) | null = null;

export function setSessionHandlers(unauthorised: () => void, activity: () => void): void {
  onUnauthorised = unauthorised;
  onActivity = activity;
}

export function setCsrf(token: string): void {
  csrfToken = token;
}

export function clearCredentials(): void {
  csrfToken = '';
  bearerToken = '';
}

type Query = Record<string, string | number | boolean | string[] | undefined | null>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    const s = Array.isArray(v) ? v.join(',') : String(v);
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(s)}`);
  }
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

export async function request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (bearerToken) headers.Authorization = `Bearer ${bearerToken}`;
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError({ status: 0, title: 'No connection', detail: 'The server could not be reached. Check your connection and try again.' });
  }
  if (res.status === 401 && path !== '/api/v1/session') onUnauthorised?.();
  if (!res.ok) {
    let problem: Problem = { status: res.status, title: res.statusText, detail: res.statusText };
    try {
      const p = await res.json();
      problem = { status: res.status, title: p.title ?? res.statusText, detail: p.detail ?? res.statusText, errors: p.errors };
    } catch {
      /* not JSON: keep the status line */
    }
    throw new ApiError(problem);
  }
  onActivity?.();
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('Content-Type') ?? '';
  if (!type.includes('json')) return (await res.text()) as unknown as T;
  return (await res.json()) as T;
}

export const get = <T>(path: string, query?: Query) => request<T>('GET', path, undefined, query);
export const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, body);

// --- sessions ---------------------------------------------------------------

export interface User {
  id: string;
  username: string;
  display_name: string;
  role: string;
  agency_id: string;
  team_id: string;
  totp: boolean;
  disabled?: boolean;
}

export interface Notice {
  kind: string;
  detail: string;
  at: string;
}

export interface SessionInfo {
  user: User;
  idleSeconds: number;
  expiresAt: string;
  notices: Notice[];
}

export async function login(username: string, password: string, totp: string): Promise<SessionInfo> {
  const body: Record<string, unknown> = { username, password, cookie: true };
  if (totp) body.totp = totp;
  clearCredentials();
  const r = await request<{
    token?: string;
    csrf_token?: string;
    expires_at: string;
    idle_timeout_seconds: number;
    user: User;
    notices: Notice[];
  }>('POST', '/api/v1/session', body);
  if (r.csrf_token) csrfToken = r.csrf_token;
  else if (r.token) bearerToken = r.token;
  return { user: r.user, idleSeconds: r.idle_timeout_seconds, expiresAt: r.expires_at, notices: r.notices ?? [] };
}

// The session behind the cookie, after a reload (null when signed out).
export async function resume(): Promise<SessionInfo | null> {
  try {
    const r = await request<{
      user: User;
      csrf_token?: string;
      idle_timeout_seconds?: number;
      session?: { expires_at: string };
      expires_at?: string;
    }>('GET', '/api/v1/session');
    if (r.csrf_token) csrfToken = r.csrf_token;
    return {
      user: r.user,
      idleSeconds: r.idle_timeout_seconds ?? 1800,
      expiresAt: r.session?.expires_at ?? r.expires_at ?? '',
      notices: [],
    };
  } catch {
    return null;
  }
}

export async function logout(): Promise<void> {
  try {
    await request('DELETE', '/api/v1/session');
  } finally {
    clearCredentials();
  }
}
