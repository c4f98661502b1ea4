// Lists across children: what is due, the audit trail, alerts and reports.
#include "api/api_internal.h"

namespace continuum::api::internal {

HttpResponse DueRoute(Api::Impl& api, Call& c) {
  casework::DueRequest q;
  q.owner = c.Query("owner");
  q.team = c.Query("team");
  q.before = c.Query("before");
  if (auto r = QueryBool(c, "overdue", &q.overdue)) return *r;
  if (auto r = QueryBool(c, "mine", &q.mine)) return *r;
  return Answer(api.service->Due(c.caller(), q, c.now));
}

HttpResponse CaseloadRoute(Api::Impl& api, Call& c) { return Answer(api.service->Caseload(c.caller(), c.now)); }

HttpResponse StaffRoute(Api::Impl& api, Call& c) { return Answer(api.service->Staff(c.caller(), c.Query("q"), c.now)); }

HttpResponse AuditRoute(Api::Impl& api, Call& c) {
  casework::AuditRequest q;
  q.user = c.Query("user");
  q.agency = c.Query("agency");
  q.child = c.Query("child");
  q.from = c.Query("from");
  q.to = c.Query("to");
  q.type = c.Query("type");
  int64_t limit = 1000;
  if (auto r = QueryNumber(c, "after", INT64_MAX / 2, &q.after)) return *r;
  if (auto r = QueryNumber(c, "limit", 10000, &limit)) return *r;
  q.limit = static_cast<size_t>(std::max<int64_t>(limit, 1));
  return Answer(api.service->Audit(c.caller(), q, c.now));
}

HttpResponse AlertsRoute(Api::Impl& api, Call& c) {
  bool all = false;
  int64_t before = 0, limit = 100;
  if (auto r = QueryBool(c, "all", &all)) return *r;
  if (auto r = QueryNumber(c, "before", INT64_MAX / 2, &before)) return *r;
  if (auto r = QueryNumber(c, "limit", 500, &limit)) return *r;
  return Answer(api.service->Alerts(c.caller(), all, before, static_cast<size_t>(std::max<int64_t>(limit, 1)), c.now));
}

HttpResponse AcknowledgeAlert(Api::Impl& api, Call& c) {
  const std::string& id = c.params["alert"];
  bool digits = !id.empty() && id.size() <= 18 &&
                std::all_of(id.begin(), id.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  return Answer(api.service->AcknowledgeAlert(c.caller(), digits ? std::stoll(id) : 0, c.now));
}

HttpResponse ReportSummary(Api::Impl& api, Call& c) { return Answer(api.service->Report(c.caller(), c.now)); }

}  // namespace continuum::api::internal
