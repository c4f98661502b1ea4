// The app's shell: who is signed in, where they are, the header and the
// session timeout warning. The child being worked on is kept in memory only:
// the address bar shows the page (/case/chronology), never a child's id or
// name, and a reload goes back to "My work".
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ServiceNavigation, SkipLink } from 'govuk-frontend';
import * as api from './api';
import { forgetDirectory } from './directory';
import { ROLE_NAMES } from './format';
import type { Framework, FrameworkSummary } from './types';
import { Button, ErrorSummary, NotificationBanner, TextInput } from './components/govuk';

export type Route =
  | { page: 'signin' }
  | { page: 'work' }
  | { page: 'record'; child?: string }
  | { page: 'case'; child: string; tab: 'summary' | 'chronology' | 'family' | 'next' | 'copy' }
  | { page: 'step'; child: string; transition: string }
  | { page: 'frontdoor' }
  | { page: 'alerts' }
  | { page: 'breakglass' }
  | { page: 'admin'; tab: 'agencies' | 'teams' | 'users' }
  | { page: 'notfound' };

const CASE_TABS: Record<string, string> = { summary: '/case', chronology: '/case/chronology', family: '/case/family', next: '/case/next', copy: '/case/family-copy' };

export function pathOf(r: Route): string {
  switch (r.page) {
    case 'signin':
      return '/sign-in';
    case 'work':
      return '/';
    case 'record':
      return '/record-concern';
    case 'case':
      return CASE_TABS[r.tab];
    case 'step':
      return `/case/record/${encodeURIComponent(r.transition)}`;
    case 'frontdoor':
      return '/front-door';
    case 'alerts':
      return '/alerts';
    case 'breakglass':
      return '/emergency-access';
    case 'admin':
      return `/admin/${r.tab}`;
    default:
      return '/not-found';
  }
}

// A path typed or reloaded: pages about a child cannot be rebuilt from it.
function routeOfPath(path: string): Route {
  if (path === '/' || path === '' || path === '/index.html') return { page: 'work' };
  if (path === '/sign-in') return { page: 'signin' };
  if (path === '/record-concern') return { page: 'record' };
  if (path === '/front-door') return { page: 'frontdoor' };
  if (path === '/alerts') return { page: 'alerts' };
  if (path === '/emergency-access') return { page: 'breakglass' };
  const admin = /^\/admin\/(agencies|teams|users)$/.exec(path);
  if (admin) return { page: 'admin', tab: admin[1] as 'agencies' | 'teams' | 'users' };
  if (path.startsWith('/case')) return { page: 'work' };
  return { page: 'notfound' };
}

export interface Ctx {
  user: api.User;
  route: Route;
  go: (r: Route, replace?: boolean) => void;
  link: (r: Route) => { href: string; onClick: (e: MouseEvent) => void };
  framework: (id: string) => Promise<Framework>;
  frameworks: () => Promise<FrameworkSummary[]>;
  flash: (m: string | null) => void;
  signOut: () => void;
}

export const AppContext = createContext<Ctx>(null as unknown as Ctx);
export const useApp = () => useContext(AppContext);

const frameworkCache = new Map<string, Promise<Framework>>();
let frameworkList: Promise<FrameworkSummary[]> | null = null;

// Routes of this tab's history, by the key kept in history.state: the key
// is a counter, so the history holds no personal data.
const routes = new Map<number, Route>();
let routeKey = 0;

export const CASE_ROLES = ['practitioner', 'lead_professional', 'team_leader', 'front_door', 'social_worker', 'safeguarding_lead'];

export function App({ pages }: { pages: (ctx: Ctx) => ComponentChildren }) {
  const [user, setUser] = useState<api.User | null>(null);
  const [ready, setReady] = useState(false);
  const [route, setRoute] = useState<Route>(() => routeOfPath(location.pathname));
  const [flash, setFlash] = useState<string | null>(null);
  const [signedOutMessage, setSignedOutMessage] = useState<string | null>(null);
  const [notices, setNotices] = useState<api.Notice[]>([]);
  const idle = useRef({ seconds: 1800, last: Date.now() });
  const [warning, setWarning] = useState<number | null>(null);
  const afterSignIn = useRef<Route | null>(null);

  const go = (r: Route, replace = false) => {
    const key = ++routeKey;
    routes.set(key, r);
    const path = pathOf(r);
    if (replace) history.replaceState({ k: key }, '', path);
    else history.pushState({ k: key }, '', path);
    setRoute(r);
    window.scrollTo(0, 0);
  };

  useEffect(() => {
    const onPop = (e: PopStateEvent) => {
      const k = (e.state as { k?: number } | null)?.k;
      const r = (k !== undefined && routes.get(k)) || routeOfPath(location.pathname);
      setRoute(r);
    };
    window.addEventListener('popstate', onPop);
    api.setSessionHandlers(
      () => {
        api.clearCredentials();
        forgetDirectory();
        setUser(null);
        setWarning(null);
        setSignedOutMessage('Your session has ended. Sign in again to carry on.');
      },
      () => {
        idle.current.last = Date.now();
      },
    );
    api.resume().then((s) => {
      if (s) {
        idle.current.seconds = s.idleSeconds;
        setUser(s.user);
      } else {
        afterSignIn.current = routeOfPath(location.pathname);
      }
      setReady(true);
    });
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  // The GOV.UK timeout warning: two minutes before the idle timeout (half of
  // it when shorter), a dialog offers to stay signed in. The server updates
  // its idle clock at most once a minute, so the app counts a minute early.
  useEffect(() => {
    if (!user) return;
    const tick = () => {
      const total = idle.current.seconds;
      const left = total - (Date.now() - idle.current.last) / 1000 - Math.min(60, total / 4);
      const warnAt = Math.min(120, total / 2);
      if (left <= 0) {
        api.logout().catch(() => undefined);
        forgetDirectory();
        setUser(null);
        setWarning(null);
        setSignedOutMessage(`You were signed out after ${Math.round(total / 60)} minutes without activity, to protect the information.`);
        go({ page: 'signin' }, true);
      } else if (left <= warnAt) {
        setWarning(Math.ceil(left));
      } else {
        setWarning(null);
      }
    };
    const t = setInterval(tick, 1000);
    return () => clearInterval(t);
  }, [user]);

  useEffect(() => {
    document.title = `${titleOf(route)} – Continuum`;
  }, [route]);

  if (!ready) return null;

  const signOut = () => {
    api.logout().catch(() => undefined);
    forgetDirectory();
    setUser(null);
    setWarning(null);
    setSignedOutMessage('You have signed out.');
    go({ page: 'signin' }, true);
  };

  const framework = (id: string) => {
    let p = frameworkCache.get(id);
    if (!p) {
      p = api.get<Framework>(`/api/v1/frameworks/${encodeURIComponent(id)}`);
      p.catch(() => frameworkCache.delete(id));
      frameworkCache.set(id, p);
    }
    return p;
  };
  const frameworks = () => {
    if (!frameworkList) {
      frameworkList = api.get<{ frameworks: FrameworkSummary[] }>('/api/v1/frameworks').then((r) => r.frameworks);
      frameworkList.catch(() => (frameworkList = null));
    }
    return frameworkList;
  };
  const link = (r: Route) => ({
    href: pathOf(r),
    onClick: (e: MouseEvent) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      setFlash(null);
      go(r);
    },
  });

  if (!user) {
    return (
      <Layout user={null} route={{ page: 'signin' }} link={link} signOut={signOut}>
        <SignIn
          message={signedOutMessage}
          onSignedIn={(s) => {
            idle.current = { seconds: s.idleSeconds, last: Date.now() };
            setSignedOutMessage(null);
            setNotices(s.notices);
            setUser(s.user);
            const next = afterSignIn.current;
            afterSignIn.current = null;
            go(next && next.page !== 'signin' ? next : { page: s.user.role === 'administrator' ? 'admin' : 'work', tab: 'users' } as Route, true);
          }}
        />
      </Layout>
    );
  }

  const ctx: Ctx = { user, route, go, link, framework, frameworks, flash: setFlash, signOut };
  return (
    <AppContext.Provider value={ctx}>
      <Layout user={user} route={route} link={link} signOut={signOut}>
        {notices.length > 0 && (
          <NotificationBanner title="Changes to your account">
            <p class="govuk-notification-banner__heading">An administrator changed your account recently. If you did not expect this, tell your safeguarding lead.</p>
            <ul class="govuk-list govuk-list--bullet">
              {notices.map((n) => (
                <li key={n.at + n.kind}>{n.detail}</li>
              ))}
            </ul>
            <p class="govuk-body">
              <a href="#" class="govuk-notification-banner__link" onClick={(e) => (e.preventDefault(), setNotices([]))}>
                Hide this message
              </a>
            </p>
          </NotificationBanner>
        )}
        {flash && (
          <NotificationBanner title="Success" success>
            <p class="govuk-notification-banner__heading">{flash}</p>
          </NotificationBanner>
        )}
        {pages(ctx)}
      </Layout>
      {warning !== null && (
        <TimeoutDialog
          seconds={warning}
          onStay={() => {
            api.get('/api/v1/session').then(() => setWarning(null));
          }}
          onSignOut={signOut}
        />
      )}
    </AppContext.Provider>
  );
}

function titleOf(r: Route): string {
  switch (r.page) {
    case 'signin':
      return 'Sign in';
    case 'work':
      return 'My work';
    case 'record':
      return 'Record a concern or request for support';
    case 'case':
      return { summary: 'Case', chronology: 'Chronology', family: 'Family and household', next: 'Record on the case', copy: "Family's copy of the plan" }[r.tab];
    case 'step':
      return 'Record on the case';
    case 'frontdoor':
      return 'Front door queue';
    case 'alerts':
      return 'Alerts';
    case 'breakglass':
      return 'Emergency access';
    case 'admin':
      return { agencies: 'Agencies', teams: 'Teams', users: 'Accounts' }[r.tab];
    default:
      return 'Page not found';
  }
}

function Layout({ user, route, link, signOut, children }: { user: api.User | null; route: Route; link: Ctx['link']; signOut: () => void; children: ComponentChildren }) {
  const nav = useRef<HTMLElement>(null);
  const skip = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    if (skip.current && !skip.current.dataset.ready) {
      skip.current.dataset.ready = '1';
      try {
        new SkipLink(skip.current);
      } catch {
        /* a plain link still works */
      }
    }
  }, []);
  const items: { text: string; r: Route; current: boolean }[] = [];
  if (user && CASE_ROLES.includes(user.role)) {
    items.push({ text: 'My work', r: { page: 'work' }, current: route.page === 'work' || route.page === 'case' || route.page === 'step' });
    items.push({ text: 'Record a concern', r: { page: 'record' }, current: route.page === 'record' });
    if (user.role === 'front_door' || user.team_id) items.push({ text: 'Front door queue', r: { page: 'frontdoor' }, current: route.page === 'frontdoor' });
    if (user.role === 'safeguarding_lead') items.push({ text: 'Alerts', r: { page: 'alerts' }, current: route.page === 'alerts' });
    items.push({ text: 'Emergency access', r: { page: 'breakglass' }, current: route.page === 'breakglass' });
  } else if (user && user.role === 'administrator') {
    items.push({ text: 'Accounts', r: { page: 'admin', tab: 'users' }, current: route.page === 'admin' && route.tab === 'users' });
    items.push({ text: 'Teams', r: { page: 'admin', tab: 'teams' }, current: route.page === 'admin' && route.tab === 'teams' });
    items.push({ text: 'Agencies', r: { page: 'admin', tab: 'agencies' }, current: route.page === 'admin' && route.tab === 'agencies' });
  }
  const key = user ? `${user.id}:${items.length}` : 'none';
  useEffect(() => {
    if (nav.current) {
      try {
        new ServiceNavigation(nav.current);
      } catch {
        /* without the toggle, the list shows in full */
      }
    }
  }, [key]);
  return (
    <>
      <a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link" ref={skip}>
        Skip to main content
      </a>
      <section aria-label="Service information" class="govuk-service-navigation app-header" data-module="govuk-service-navigation" ref={nav} key={key}>
        <div class="govuk-width-container">
          <div class="govuk-service-navigation__container">
            <span class="govuk-service-navigation__service-name">
              <a {...link(user ? { page: 'work' } : { page: 'signin' })} class="govuk-service-navigation__link">
                Continuum
              </a>
            </span>
            {user && (
              <nav aria-label="Menu" class="govuk-service-navigation__wrapper">
                <button type="button" class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle" aria-controls="navigation" hidden>
                  Menu
                </button>
                <ul class="govuk-service-navigation__list" id="navigation">
                  {items.map((it) => (
                    <li class={`govuk-service-navigation__item${it.current ? ' govuk-service-navigation__item--active' : ''}`} key={it.text}>
                      <a class="govuk-service-navigation__link" {...link(it.r)} aria-current={it.current ? 'page' : undefined}>
                        {it.current ? <strong class="govuk-service-navigation__active-fallback">{it.text}</strong> : it.text}
                      </a>
                    </li>
                  ))}
                  <li class="govuk-service-navigation__item">
                    <a
                      class="govuk-service-navigation__link"
                      href="/sign-in"
                      onClick={(e) => {
                        e.preventDefault();
                        signOut();
                      }}
                    >
                      Sign out
                    </a>
                  </li>
                </ul>
              </nav>
            )}
          </div>
        </div>
      </section>
      <div class="govuk-width-container">
        {user && (
          <p class="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-0 app-break">
            Signed in as {user.display_name} ({user.username}) · {ROLE_NAMES[user.role] ?? user.role} · {user.agency_id}
          </p>
        )}
        <main class="govuk-main-wrapper" id="main-content" tabIndex={-1}>
          {children}
        </main>
      </div>
      <footer class="govuk-footer">
        <div class="govuk-width-container">
          <div class="govuk-footer__meta">
            <div class="govuk-footer__meta-item govuk-footer__meta-item--grow">
              <p class="govuk-body-s">Continuum: levels of need and early help across agencies. Every read and change of a child's record is audited.</p>
            </div>
          </div>
        </div>
      </footer>
    </>
  );
}


function SignIn({ message, onSignedIn }: { message: string | null; onSignedIn: (s: api.SessionInfo) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!username.trim()) errs.username = 'Enter your user name';
    if (!password) errs.password = 'Enter your password';
    if (totp && !/^\d{6}$/.test(totp.trim())) errs.totp = 'The security code is 6 digits';
    setErrors(errs);
    setProblem(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      onSignedIn(await api.login(username.trim(), password, totp.trim()));
    } catch (err) {
      const p = err instanceof api.ApiError ? err.problem : null;
      setProblem(p?.status === 429 ? 'Too many failed attempts. Wait a few minutes and try again.' : p?.status === 401 ? 'The user name, password or security code is not right' : (p?.detail ?? 'Signing in failed'));
    } finally {
      setBusy(false);
    }
  };
  const summary = [
    ...Object.entries(errors).map(([k, v]) => ({ href: `#${k}`, text: v })),
    ...(problem ? [{ href: '#username', text: problem }] : []),
  ];
  return (
    <div class="govuk-grid-row">
      <div class="govuk-grid-column-two-thirds">
        {message && (
          <NotificationBanner title="Important">
            <p class="govuk-notification-banner__heading">{message}</p>
          </NotificationBanner>
        )}
        <ErrorSummary errors={summary} />
        <h1 class="govuk-heading-l">Sign in to Continuum</h1>
        <form onSubmit={submit} noValidate>
          <TextInput id="username" label="User name" value={username} onInput={setUsername} error={errors.username} autocomplete="username" />
          <TextInput id="password" label="Password" value={password} onInput={setPassword} error={errors.password} type="password" autocomplete="current-password" />
          <TextInput
            id="totp"
            label="Security code (if your account has one)"
            hint="The 6-digit code from your authenticator app. Leave this empty if your account does not use one."
            value={totp}
            onInput={setTotp}
            error={errors.totp}
            autocomplete="one-time-code"
            inputMode="numeric"
            width="5"
          />
          <Button disabled={busy}>Sign in</Button>
        </form>
      </div>
    </div>
  );
}

function TimeoutDialog({ seconds, onStay, onSignOut }: { seconds: number; onStay: () => void; onSignOut: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) {
      try {
        d.showModal();
      } catch {
        d.setAttribute('open', '');
      }
    }
  }, []);
  const mins = Math.floor(seconds / 60);
  const secs = seconds % 60;
  const words = mins > 0 ? `${mins} minute${mins === 1 ? '' : 's'}${secs ? ` ${secs} second${secs === 1 ? '' : 's'}` : ''}` : `${secs} second${secs === 1 ? '' : 's'}`;
  // Screen readers hear the time once a minute (and in the last 20 seconds), not every second.
  const spoken = mins > 0 ? `${mins + 1} minute${mins + 1 === 1 ? '' : 's'}` : secs <= 20 ? '20 seconds' : '1 minute';
  return (
    <dialog class="app-timeout-dialog" ref={ref} aria-labelledby="timeout-heading" aria-describedby="timeout-text" onCancel={(e) => (e.preventDefault(), onStay())}>
      <h2 class="govuk-heading-m" id="timeout-heading">
        You're about to be signed out
      </h2>
      <p class="govuk-body" id="timeout-text">
        For your security, we will sign you out in <strong class="app-nowrap">{words}</strong>. Anything you have not sent will be lost.
      </p>
      <p class="govuk-visually-hidden" aria-live="polite">
        You will be signed out in {spoken}.
      </p>
      <div class="govuk-button-group">
        <Button type="button" onClick={onStay}>
          Stay signed in
        </Button>
        <a
          class="govuk-link"
          href="/sign-in"
          onClick={(e) => {
            e.preventDefault();
            onSignOut();
          }}
        >
          Sign out
        </a>
      </div>
    </dialog>
  );
}
