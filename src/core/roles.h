// The roles an account can hold. They belong to the product, not to any
// authority: a framework's pathway says which of the case roles may record
// each event (docs/pathway-format.md), and a framework naming a role that is
// not here does not load. A role read from the database that is not here
// denies every access (ParseRole gives nullopt; callers must refuse).
#pragma once

#include <optional>
#include <string_view>

namespace continuum {

enum class Role {
  kPractitioner,      // a worker in a universal or targeted service (school, health, police, early help)
  kLeadProfessional,  // co-ordinates a plan
  kTeamLeader,        // team leader / early help co-ordinator
  kFrontDoor,         // front door / MASH worker
  kSocialWorker,      // children's social care
  kSafeguardingLead,  // designated safeguarding lead: audit, alerts, subject access
  kAnalyst,           // de-identified aggregates only
  kAdministrator,     // accounts, agencies and teams; never children's records
};
inline constexpr Role kAllRoles[] = {Role::kPractitioner, Role::kLeadProfessional, Role::kTeamLeader,
                                     Role::kFrontDoor,    Role::kSocialWorker,     Role::kSafeguardingLead,
                                     Role::kAnalyst,      Role::kAdministrator};

// "practitioner", "lead_professional", …; nullopt for anything else.
std::optional<Role> ParseRole(std::string_view name);
const char* RoleName(Role r);
// Roles that work with children's records (all but analyst and administrator).
bool IsCaseRole(Role r);
// "practitioner, lead_professional, …" for messages.
const char* CaseRoleList();

}  // namespace continuum
