// Administration: agencies, teams and user accounts.
#include "api/api_internal.h"

namespace continuum::api::internal {

HttpResponse ListAgencies(Api::Impl& api, Call& c) { return Answer(api.service->ListAgencies(c.caller(), c.now)); }

HttpResponse PutAgencyRoute(Api::Impl& api, Call& c) {
  store::Agency a;
  if (auto r = RequireString(c, "id", &a.id, 128)) return *r;
  if (auto r = RequireString(c, "name", &a.name)) return *r;
  if (auto r = RequireString(c, "kind", &a.kind, 32)) return *r;
  return Answer(api.service->PutAgency(c.caller(), a, c.now), 201);
}

HttpResponse ListTeams(Api::Impl& api, Call& c) { return Answer(api.service->ListTeams(c.caller(), c.now)); }

HttpResponse PutTeamRoute(Api::Impl& api, Call& c) {
  store::Team t;
  if (auto r = RequireString(c, "id", &t.id, 128)) return *r;
  if (auto r = RequireString(c, "agency_id", &t.agency_id, 128)) return *r;
  if (auto r = RequireString(c, "name", &t.name)) return *r;
  if (auto r = OptionalString(c, "duty", &t.duty, 200)) return *r;
  return Answer(api.service->PutTeam(c.caller(), t, c.now), 201);
}

HttpResponse ListUsers(Api::Impl& api, Call& c) { return Answer(api.service->ListUsers(c.caller(), c.now)); }

HttpResponse AddUserRoute(Api::Impl& api, Call& c) {
  casework::Service::NewUser u;
  if (auto r = RequireString(c, "username", &u.username, 64)) return *r;
  if (auto r = RequireString(c, "display_name", &u.display_name)) return *r;
  if (auto r = RequireString(c, "role", &u.role, 32)) return *r;
  if (auto r = RequireString(c, "agency_id", &u.agency, 128)) return *r;
  if (auto r = OptionalString(c, "team_id", &u.team, 128)) return *r;
  if (auto r = RequireString(c, "password", &u.password, 1024)) return *r;
  if (auto r = OptionalBool(c, "totp", &u.totp)) return *r;
  return Answer(api.service->AddUser(c.caller(), u, c.now), 201);
}

HttpResponse DisableUserRoute(Api::Impl& api, Call& c) {
  return Answer(api.service->DisableUser(c.caller(), c.params["user"], c.now));
}

HttpResponse ResetUserRoute(Api::Impl& api, Call& c) {
  casework::Service::Reset reset;
  std::string password;
  if (auto r = OptionalString(c, "password", &password, 1024)) return *r;
  if (c.body.contains("password")) reset.password = password;
  if (auto r = OptionalBool(c, "new_totp", &reset.new_totp)) return *r;
  if (auto r = OptionalBool(c, "remove_totp", &reset.remove_totp)) return *r;
  if (auto r = OptionalBool(c, "enable", &reset.enable)) return *r;
  return Answer(api.service->ResetUser(c.caller(), c.params["user"], reset, c.now));
}

}  // namespace continuum::api::internal
