#include "core/roles.h"

#include <array>
#include <utility>

namespace continuum {
namespace {

constexpr std::array<std::pair<Role, const char*>, 8> kRoleNames{{
    {Role::kPractitioner, "practitioner"},
    {Role::kLeadProfessional, "lead_professional"},
    {Role::kTeamLeader, "team_leader"},
    {Role::kFrontDoor, "front_door"},
    {Role::kSocialWorker, "social_worker"},
    {Role::kSafeguardingLead, "safeguarding_lead"},
    {Role::kAnalyst, "analyst"},
    {Role::kAdministrator, "administrator"},
}};

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [r, n] : kRoleNames)
    if (name == n) return r;
  return std::nullopt;
}

const char* RoleName(Role r) {
  for (const auto& [role, n] : kRoleNames)
    if (role == r) return n;
  return "unknown";
}

bool IsCaseRole(Role r) { return r != Role::kAnalyst && r != Role::kAdministrator; }

const char* CaseRoleList() {
  return "practitioner, lead_professional, team_leader, front_door, social_worker, safeguarding_lead";
}

}  // namespace continuum
