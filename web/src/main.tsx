// The practitioner app: GOV.UK Frontend and MoJ Frontend styles, Preact.
import { render } from 'preact';
import './styles.scss';
import { App } from './app';
import type { Ctx } from './app';
import { WorkPage } from './pages/work';
import { RecordPage } from './pages/record';
import { CasePage } from './pages/case';
import { AlertsPage, BreakGlassPage, FrontDoorPage } from './pages/other';
import { AdminPage } from './pages/admin';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');

function pages(ctx: Ctx) {
  const r = ctx.route;
  switch (r.page) {
    case 'work':
      return ctx.user.role === 'administrator' ? <AdminPage tab="users" /> : <WorkPage />;
    case 'record':
      return <RecordPage key={r.child ?? 'new'} child={r.child} />;
    case 'case':
      return <CasePage key={r.child} child={r.child} tab={r.tab} />;
    case 'step':
      return <CasePage key={r.child} child={r.child} tab="step" transition={r.transition} />;
    case 'frontdoor':
      return <FrontDoorPage />;
    case 'alerts':
      return <AlertsPage />;
    case 'breakglass':
      return <BreakGlassPage />;
    case 'admin':
      return <AdminPage key={r.tab} tab={r.tab} />;
    default:
      return (
        <>
          <h1 class="govuk-heading-l">Page not found</h1>
          <p class="govuk-body">
            If you typed the address, check it is correct. <a class="govuk-link" {...ctx.link({ page: 'work' })}>Go to My work</a>.
          </p>
        </>
      );
  }
}

render(<App pages={pages} />, document.getElementById('app')!);
