// Private to src/case: what the parts of the service share.
#pragma once

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "access/policy.h"
#include "case/service.h"
#include "pathway/engine.h"

namespace continuum::casework::internal {

using json = nlohmann::json;

// The directory as the pathway engine needs it.
class DirectoryLookup : public pathway::Lookup {
 public:
  explicit DirectoryLookup(store::Directory& d) : dir_(d) {}
  Result<std::optional<UserFacts>> User(const std::string& id) override;
  Result<bool> AgencyExists(const std::string& id) override;
  Result<std::string> DutyTeam(const std::string& framework, const std::string& duty,
                               const std::string& agency) override;

 private:
  store::Directory& dir_;
};

// A child's record as far as a request needs it.
struct ChildContext {
  std::string id;
  bool exists = false;
  store::Row child;
  std::vector<store::Row> entities;
  std::vector<store::Row> deadlines;
  pathway::CaseState state;
  std::shared_ptr<const framework::Framework> fw;
  access::CaseFacts facts;
  access::Subject subject;
};

}  // namespace continuum::casework::internal

namespace continuum::casework {

struct Service::Impl {
  Impl(store::Store& s, framework::Registry f, HolidayCalendar c, Options o)
      : store(s), frameworks(std::move(f)), calendar(std::move(c)), options(o), lookup(s.directory()) {}

  store::Store& store;
  framework::Registry frameworks;
  HolidayCalendar calendar;
  Options options;
  internal::DirectoryLookup lookup;

  // An audit record: type "audit.<what>", for `child` or "-".
  store::Event AuditEvent(const Caller& c, const std::string& what, const std::string& child,
                          access::Action action, ojson detail, Timestamp now) const;
  // Appends the events (the last ones audit records) in one transaction.
  Result<std::vector<store::Event>> Append(std::vector<store::Event> events);
  Status AuditRead(const Caller& c, const std::string& child, access::Action action, const std::string& basis,
                   Timestamp now, ojson extra = ojson::object());

  // Loads the child (a context with exists = false when there is none).
  Result<internal::ChildContext> Load(const Caller& c, const std::string& child);
  // Asks the policy; on refusal appends audit.denied and returns kForbidden.
  // Looks up break-glass grants only when they could change the answer.
  // On success returns the basis.
  Result<std::string> Gate(const Caller& c, const access::Request& what, internal::ChildContext* child,
                           Timestamp now, ojson extra = ojson::object());
  // Audits a refusal and returns `refusal`.
  Status Deny(const Caller& c, const std::string& child, access::Action action, const std::string& reason,
              Status refusal, Timestamp now, ojson extra = ojson::object());

  // Whether `who` may read this child (no audit): for filtering lists.
  bool MayRead(const Caller& c, internal::ChildContext& ctx, Timestamp now);
  // A safeguarding lead's oversight of one child (no audit).
  bool Oversees(const Caller& c, const std::string& child);

  // A chronology entry as `c` may see it: confidential author and fields withheld.
  ojson EventForReader(const Caller& c, const store::Event& e) const;
  // A current-state record as `c` may see it.
  ojson RecordForReader(const Caller& c, const nlohmann::json& record) const;

  std::atomic<uint64_t> audit_records{0}, denials{0};
};

}  // namespace continuum::casework
