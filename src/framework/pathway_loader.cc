#include "framework/pathway_loader.h"

#include <algorithm>
#include <set>

#include "core/roles.h"

namespace continuum::framework {

const char* FieldTypeName(FieldType t) {
  switch (t) {
    case FieldType::kText: return "text";
    case FieldType::kId: return "id";
    case FieldType::kDate: return "date";
    case FieldType::kDateTime: return "datetime";
    case FieldType::kBool: return "bool";
    case FieldType::kInt: return "int";
    case FieldType::kLevel: return "level";
    case FieldType::kList: return "list";
    case FieldType::kEnum: return "enum";
    case FieldType::kUser: return "user";
    case FieldType::kUsers: return "users";
    case FieldType::kAgency: return "agency";
    case FieldType::kAgencies: return "agencies";
    case FieldType::kPerson: return "person";
    case FieldType::kPeople: return "people";
    case FieldType::kFacts: return "facts";
    case FieldType::kCommunication: return "communication";
  }
  return "?";
}

const char* HolderName(Holder h) {
  switch (h) {
    case Holder::kLeadProfessional: return "lead_professional";
    case Holder::kAllocatedWorker: return "allocated_worker";
    case Holder::kTeamMember: return "team_member";
    case Holder::kDutyTeam: return "duty_team";
  }
  return "?";
}

const FieldSpec* Transition::FindField(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool Transition::From(std::string_view state) const {
  if (from_any && state != "none") return true;
  return std::find(from.begin(), from.end(), state) != from.end();
}

const Transition* Pathway::Find(std::string_view event, std::string_view state) const {
  for (const auto& t : transitions) {
    if (t.event == event && t.From(state)) return &t;
  }
  return nullptr;
}

std::vector<const Transition*> Pathway::ForEvent(std::string_view event) const {
  std::vector<const Transition*> out;
  for (const auto& t : transitions) {
    if (t.event == event) out.push_back(&t);
  }
  return out;
}

const Transition* Pathway::FindById(std::string_view id) const {
  for (const auto& t : transitions) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

const PathwayState* Pathway::FindState(std::string_view id) const {
  for (const auto& s : states) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const Duty* Pathway::FindDuty(std::string_view id) const {
  for (const auto& d : duties) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

bool Pathway::IsClosed(std::string_view state) const {
  return std::find(closed_states.begin(), closed_states.end(), state) != closed_states.end();
}

namespace internal {
namespace {

bool ValidName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

class PathwayReader {
 public:
  PathwayReader(Diagnostics& d, Framework* fw) : d_(d), fw_(fw) {}

  void Read(const YAML::Node& node) {
    MapReader m(d_, node, "pathway");
    if (!m.valid()) return;
    Pathway p;
    if (m.String("division", &p.division) && p.division != "england-and-wales" && p.division != "scotland" &&
        p.division != "northern-ireland") {
      m.Error(m.Get("division"), "pathway: division must be england-and-wales, scotland or northern-ireland");
    }
    if (m.StringList("roles", &p.roles)) {
      for (const auto& r : p.roles) {
        auto role = ParseRole(r);
        if (!role || !IsCaseRole(*role)) {
          m.Error(m.Get("roles"), "pathway: role '" + r + "' is not a role anyone can hold; the case roles are: " +
                                      CaseRoleList());
        }
      }
    }
    YAML::Node duties = m.List("duties", false);
    if (duties.IsDefined()) {
      std::set<std::string> ids;
      for (size_t i = 0; i < duties.size(); ++i) {
        MapReader dm(d_, duties[i], "pathway.duties[" + std::to_string(i) + "]");
        if (!dm.valid()) continue;
        Duty duty;
        if (dm.String("id", &duty.id) && (!ValidName(duty.id) || !ids.insert(duty.id).second)) {
          dm.Error(dm.Get("id"), "pathway: duty id '" + duty.id + "' is not a valid, unique name");
        }
        dm.String("label", &duty.label);
        internal::ReadProvenance(dm, "duty '" + duty.id + "'", &duty.provenance);
        dm.Finish();
        p.duties.push_back(std::move(duty));
      }
    }
    YAML::Node states = m.List("states", true);
    std::set<std::string> state_ids;
    if (states.IsDefined()) {
      for (size_t i = 0; i < states.size(); ++i) {
        MapReader s(d_, states[i], "pathway.states[" + std::to_string(i) + "]");
        PathwayState st;
        if (s.String("id", &st.id) && (!ValidName(st.id) || !state_ids.insert(st.id).second)) {
          s.Error(s.Get("id"), "pathway: state id '" + st.id + "' is not a valid, unique name");
        }
        s.String("label", &st.label);
        s.Finish();
        p.states.push_back(std::move(st));
      }
      if (!state_ids.count("none")) m.Error(states, "pathway: the states must include 'none' (no open episode)");
    }
    if (m.StringList("closed_states", &p.closed_states)) {
      for (const auto& c : p.closed_states) {
        if (!state_ids.count(c)) m.Error(m.Get("closed_states"), "pathway: closed state '" + c + "' is not a state");
      }
    }
    YAML::Node list = m.List("transitions", true);
    std::set<std::string> ids;
    if (list.IsDefined()) {
      for (size_t i = 0; i < list.size(); ++i) {
        Transition t;
        ReadTransition(list[i], i, p, state_ids, &t);
        if (!t.id.empty() && !ids.insert(t.id).second) {
          d_.Error(list[i], "pathway: transition id '" + t.id + "' is used twice");
        }
        // Several transitions may record one event (a request on a closed
        // case opens an episode; on an open one it goes to whoever holds
        // it), but never from the same state.
        for (const auto& other : p.transitions) {
          if (other.event != t.event || t.event.empty()) continue;
          // One event type, one payload: its fields do not depend on the state.
          bool same = other.fields.size() == t.fields.size();
          for (size_t k = 0; same && k < t.fields.size(); ++k) {
            const auto &a = t.fields[k], &b = other.fields[k];
            same = a.name == b.name && a.type == b.type && a.optional == b.optional && a.values == b.values;
          }
          if (!same) {
            d_.Error(list[i], "pathway: transitions '" + other.id + "' and '" + t.id + "' record event '" + t.event +
                                  "' with different fields; an event has one set of fields");
          }
          for (const auto& s : state_ids) {
            if (t.From(s) && other.From(s)) {
              d_.Error(list[i], "pathway: event '" + t.event + "' is recorded by transitions '" + other.id +
                                    "' and '" + t.id + "' from the same state '" + s + "'");
              break;
            }
          }
        }
        p.transitions.push_back(std::move(t));
      }
    }
    m.Finish();
    CheckDeadlineKinds(p);
    fw_->pathway = std::move(p);
  }

 private:
  bool IsTimescale(const std::string& id) const { return fw_->FindTimescale(id) != nullptr; }

  void ReadFieldSpec(const std::string& where, const std::string& name, const YAML::Node& v, FieldSpec* f) {
    f->name = name;
    YAML::Node type = v;
    if (v.IsMap()) {
      // {type: …, label: …, optional: true} (optional: a list of values may be left out too)
      MapReader fm(d_, v, where + ".fields." + name);
      type = fm.Get("type");
      fm.String("label", &f->label, false);
      fm.Bool("optional", &f->optional, false);
      if (!type.IsDefined()) fm.ErrorHere(where + ": field '" + name + "': give its type");
      fm.Finish();
      if (!type.IsDefined()) return;
    }
    if (type.IsSequence()) {
      f->type = FieldType::kEnum;
      for (const auto& e : type) {
        std::string s;
        if (!ScalarString(e, &s) || !ValidName(s)) {
          d_.Error(e, where + ": field '" + name + "': every value must be a word (a-z, 0-9, _ . -)");
          continue;
        }
        f->values.push_back(s);
      }
      if (f->values.empty()) d_.Error(type, where + ": field '" + name + "': list at least one value");
      return;
    }
    std::string t;
    if (!ScalarString(type, &t) || t.empty()) {
      d_.Error(type, where + ": field '" + name +
                         "': give a type (text, id, date, datetime, bool, int, level, list, user, users, agency, "
                         "agencies, person, people, facts, communication) or a list of values");
      return;
    }
    if (t.back() == '?') {
      f->optional = true;
      t.pop_back();
    }
    static const std::map<std::string, FieldType> kTypes = {
        {"text", FieldType::kText},         {"id", FieldType::kId},         {"date", FieldType::kDate},
        {"datetime", FieldType::kDateTime}, {"bool", FieldType::kBool},     {"int", FieldType::kInt},
        {"level", FieldType::kLevel},       {"list", FieldType::kList},     {"user", FieldType::kUser},
        {"users", FieldType::kUsers},       {"agency", FieldType::kAgency}, {"agencies", FieldType::kAgencies},
        {"person", FieldType::kPerson},     {"people", FieldType::kPeople}, {"facts", FieldType::kFacts},
        {"communication", FieldType::kCommunication}};
    auto it = kTypes.find(t);
    if (it == kTypes.end()) {
      d_.Error(type, where + ": field '" + name + "': unknown type '" + t + "'");
      return;
    }
    f->type = it->second;
  }

  // `if:` maps. Field values are checked against the transition's fields.
  void ReadWhen(const YAML::Node& n, const std::string& where, const Transition& t, When* w) {
    if (!n.IsDefined()) return;
    if (!n.IsMap()) {
      d_.Error(n, where + ": 'if' must be a map of field: value(s)");
      return;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      std::string key;
      ScalarString(it->first, &key);
      if (key == "case") {
        ReadCaseTest(it->second, where + ".if.case", &w->case_test);
        continue;
      }
      const FieldSpec* spec = t.FindField(key);
      if (!spec) {
        d_.Error(it->first, where + ": 'if' names '" + key + "', which is not a field of transition '" + t.id + "'");
        continue;
      }
      std::vector<std::string> values;
      auto add = [&](const YAML::Node& v) {
        std::string s;
        if (!ScalarString(v, &s)) {
          d_.Error(v, where + ": 'if' values must be plain values");
          return;
        }
        if (spec->type == FieldType::kEnum &&
            std::find(spec->values.begin(), spec->values.end(), s) == spec->values.end()) {
          d_.Error(v, where + ": '" + s + "' is not a value of field '" + key + "'");
        }
        if (spec->type == FieldType::kBool && s != "true" && s != "false") {
          d_.Error(v, where + ": field '" + key + "' is true or false");
        }
        values.push_back(s);
      };
      // A copy: it->second lives in a proxy that a range-for would outlive.
      const YAML::Node value = it->second;
      if (value.IsSequence()) {
        for (const auto& v : value) add(v);
      } else {
        add(value);
      }
      w->fields.emplace_back(key, std::move(values));
    }
  }

  // `case:` tests of the record.
  void ReadCaseTest(const YAML::Node& n, const std::string& where, CaseTest* c) {
    MapReader m(d_, n, where);
    if (!m.valid()) return;
    m.OptionalInt("level_at_least", &c->level_at_least, 1, fw_->max_level());
    m.OptionalInt("age_at_least", &c->age_at_least, 0, 30);
    m.OptionalInt("age_under", &c->age_under, 1, 30);
    m.OptionalInt("team_at_least", &c->team_at_least, 1, 100);
    m.OptionalInt("team_agencies_at_least", &c->team_agencies_at_least, 1, 100);
    for (auto [key, out] : {std::pair{"facts_any", &c->facts_any}, std::pair{"facts_none", &c->facts_none}}) {
      if (m.Has(key) && m.StringList(key, out, false)) {
        for (const auto& f : *out) CheckFact(m.Get(key), where, f);
      }
    }
    for (auto [key, out] : {std::pair{"records_any", &c->records_any}, std::pair{"records_none", &c->records_none}}) {
      if (m.Has(key)) m.StringList(key, out, false);
    }
    // Deadline kinds are checked once every transition is read (CheckDeadlineKinds).
    for (auto [key, out] :
         {std::pair{"deadlines_open", &c->deadlines_open}, std::pair{"deadlines_none", &c->deadlines_none}}) {
      if (m.Has(key) && m.StringList(key, out, false)) deadline_refs_.push_back({m.Get(key), where, *out});
    }
    for (auto [key, out] : {std::pair{"consent", &c->consent}, std::pair{"lead_professional", &c->lead_professional},
                            std::pair{"allocated_worker", &c->allocated_worker}}) {
      bool v = false;
      if (m.Has(key) && m.Bool(key, &v)) *out = v;
    }
    m.Finish();
    if (c->empty()) d_.Error(n, where + ": give at least one test of the case");
  }

  void CheckFact(const YAML::Node& at, const std::string& where, const std::string& f) {
    int i = fw_->FindItem(f);
    if (i < 0 || fw_->items[i].kind != ItemKind::kFact) {
      d_.Error(at, where + ": '" + f + "' is not a statutory fact of this framework");
    }
  }

  // A field named by a declaration: it must exist and have one of `types`.
  void CheckField(const YAML::Node& at, const std::string& where, const Transition& t, const std::string& name,
                  std::initializer_list<FieldType> types) {
    const FieldSpec* f = t.FindField(name);
    if (!f) {
      d_.Error(at, where + ": '" + name + "' is not a field of transition '" + t.id + "'");
      return;
    }
    if (types.size() && std::find(types.begin(), types.end(), f->type) == types.end()) {
      std::string want;
      for (auto x : types) want += std::string(want.empty() ? "" : " or ") + FieldTypeName(x);
      d_.Error(at, where + ": field '" + name + "' is " + FieldTypeName(f->type) + "; this needs " + want);
    }
  }

  // A declaration naming a field: `key: FIELD`.
  std::string FieldRef(MapReader& m, const char* key, const std::string& where, const Transition& t,
                       std::initializer_list<FieldType> types) {
    std::string name;
    if (m.Has(key) && m.String(key, &name)) CheckField(m.Get(key), where + "." + key, t, name, types);
    return name;
  }

  std::optional<Holder> ParseHolder(const std::string& s) {
    if (s == "lead_professional") return Holder::kLeadProfessional;
    if (s == "allocated_worker") return Holder::kAllocatedWorker;
    if (s == "team_member") return Holder::kTeamMember;
    if (s == "duty_team") return Holder::kDutyTeam;
    return std::nullopt;
  }

  void ReadOwner(MapReader& s, const std::string& where, const Transition& t, const Pathway& p, DeadlineOwner* o) {
    YAML::Node n = s.Get("owner");
    if (!n.IsDefined()) {
      s.ErrorHere(where + ": say who owns the deadline: owner: lead_professional | allocated_worker | "
                          "{field: NAME} | {duty: ID}");
      return;
    }
    std::string word;
    if (ScalarString(n, &word)) {
      auto h = ParseHolder(word);
      if (!h || *h == Holder::kTeamMember || *h == Holder::kDutyTeam) {
        d_.Error(n, where + ": owner '" + word + "' is not lead_professional, allocated_worker, {field: NAME} or "
                             "{duty: ID}");
      }
      o->holder = h;
      return;
    }
    MapReader om(d_, n, where + ".owner");
    if (!om.valid()) return;
    if (om.Has("field")) {
      o->field = FieldRef(om, "field", where + ".owner", t, {FieldType::kUser});
    } else if (om.Has("duty")) {
      om.String("duty", &o->duty);
      if (!p.FindDuty(o->duty)) om.Error(om.Get("duty"), where + ": '" + o->duty + "' is not a duty of this pathway");
      if (om.Has("agency")) o->agency_field = FieldRef(om, "agency", where + ".owner", t, {FieldType::kAgency});
    } else {
      om.ErrorHere(where + ": owner needs 'field' or 'duty'");
    }
    om.Finish();
  }

  void ReadEffects(const YAML::Node& n, const std::string& where, const Transition& t, Effects* e) {
    if (!n.IsDefined()) return;
    MapReader m(d_, n, where + ".effects");
    if (!m.valid()) return;
    std::string w = where + ".effects";
    e->level_field = FieldRef(m, "level", w, t, {FieldType::kLevel});
    YAML::Node facts = m.Get("facts");
    if (facts.IsDefined()) {
      MapReader fm(d_, facts, w + ".facts");
      e->facts_add_field = FieldRef(fm, "add", w + ".facts", t, {FieldType::kFacts});
      e->facts_end_field = FieldRef(fm, "end", w + ".facts", t, {FieldType::kFacts});
      if (e->facts_add_field.empty() && e->facts_end_field.empty()) fm.ErrorHere(w + ".facts: give 'add' or 'end'");
      fm.Finish();
    }
    auto person_effect = [&](const char* key, std::string* set_field, bool* ends, std::string* extra_field,
                             const char* extra_key) {
      YAML::Node v = m.Get(key);
      if (!v.IsDefined()) return;
      std::string word;
      if (ScalarString(v, &word)) {
        if (word != "end") d_.Error(v, w + "." + key + ": 'end' or {set: FIELD}");
        *ends = true;
        return;
      }
      MapReader pm(d_, v, w + "." + key);
      *set_field = FieldRef(pm, "set", w + "." + key, t, {FieldType::kUser});
      if (set_field->empty()) pm.ErrorHere(w + "." + key + ": give 'set: FIELD' (a user field) or write 'end'");
      if (extra_field) *extra_field = FieldRef(pm, extra_key, w + "." + key, t, {});
      pm.Finish();
    };
    person_effect("lead_professional", &e->lead_professional_field, &e->lead_professional_ends,
                  &e->lead_service_field, "service");
    person_effect("allocated_worker", &e->allocated_worker_field, &e->allocated_worker_ends, nullptr, "");
    YAML::Node team = m.Get("team");
    if (team.IsDefined()) {
      MapReader tm(d_, team, w + ".team");
      e->team_add_field = FieldRef(tm, "add", w + ".team", t, {FieldType::kUser});
      e->team_role_field = FieldRef(tm, "role", w + ".team", t, {FieldType::kText, FieldType::kEnum});
      e->team_remove_field = FieldRef(tm, "remove", w + ".team", t, {FieldType::kUser});
      if (e->team_add_field.empty() == e->team_remove_field.empty()) {
        tm.ErrorHere(w + ".team: give either 'add: FIELD' or 'remove: FIELD'");
      }
      tm.Finish();
    }
    YAML::Node consent = m.Get("consent");
    if (consent.IsDefined()) {
      MapReader cm(d_, consent, w + ".consent");
      std::string kind;
      if (cm.String("kind", &kind)) {
        using K = Effects::ConsentKind;
        static const std::map<std::string, K> kKinds = {
            {"given", K::kGiven}, {"withdrawn", K::kWithdrawn}, {"overridden", K::kOverridden}, {"refused", K::kRefused}};
        auto it = kKinds.find(kind);
        if (it == kKinds.end()) {
          cm.Error(cm.Get("kind"), w + ".consent: kind must be given, withdrawn, overridden or refused");
        } else {
          e->consent = it->second;
        }
      }
      e->consent_agencies_field = FieldRef(cm, "agencies", w + ".consent", t, {FieldType::kAgencies});
      if ((e->consent == Effects::ConsentKind::kGiven || e->consent == Effects::ConsentKind::kOverridden) &&
          e->consent_agencies_field.empty()) {
        cm.ErrorHere(w + ".consent: consent given or overridden must name its agencies ('agencies: FIELD')");
      }
      cm.Finish();
    }
    e->communication_needs_field = FieldRef(m, "communication_needs", w, t, {FieldType::kCommunication});
    YAML::Node rec = m.Get("record");
    if (rec.IsDefined()) {
      MapReader rm(d_, rec, w + ".record");
      if (rm.String("kind", &e->record_kind) && !ValidName(e->record_kind)) {
        rm.Error(rm.Get("kind"), w + ".record: kind '" + e->record_kind + "' is not a valid name");
      }
      if (e->record_kind == "case" || e->record_kind == "person" || e->record_kind == "team_member" ||
          e->record_kind == "consent" || e->record_kind == "correction") {
        rm.Error(rm.Get("kind"), w + ".record: kind '" + e->record_kind + "' is kept by the system itself");
      }
      std::string per = "event";
      rm.String("per", &per, false);
      if (per == "event") {
        e->record_key = Effects::RecordKey::kEvent;
      } else if (per == "episode") {
        e->record_key = Effects::RecordKey::kEpisode;
      } else {
        e->record_key = Effects::RecordKey::kField;
        e->record_key_field = per;
        CheckField(rm.Get("per"), w + ".record.per", t, per, {FieldType::kId});
        if (const auto* f = t.FindField(per); f && f->optional) {
          rm.Error(rm.Get("per"), w + ".record.per: field '" + per + "' must be required");
        }
      }
      rm.Finish();
    }
    m.Finish();
  }

  void ReadDeadlineList(MapReader& m, const char* key, const std::string& where, const Transition& t, bool cancel,
                        std::vector<DeadlineComplete>* out) {
    YAML::Node list = m.List(key, false);
    if (!list.IsDefined()) return;
    for (size_t k = 0; k < list.size(); ++k) {
      std::string cw = where + "." + key + "[" + std::to_string(k) + "]";
      DeadlineComplete dc;
      dc.cancel = cancel;
      if (ScalarString(list[k], &dc.deadline)) {
        out->push_back(std::move(dc));
        continue;
      }
      MapReader c(d_, list[k], cw);
      if (!c.valid()) continue;
      c.String("deadline", &dc.deadline);
      dc.key_field = FieldRef(c, "key_field", cw, t, {FieldType::kId, FieldType::kText});
      ReadWhen(c.Get("if"), cw, t, &dc.when);
      c.Finish();
      out->push_back(std::move(dc));
    }
  }

  void ReadTransition(const YAML::Node& n, size_t i, const Pathway& p, const std::set<std::string>& states,
                      Transition* t) {
    MapReader m(d_, n, "pathway.transitions[" + std::to_string(i) + "]");
    if (!m.valid()) return;
    if (m.String("id", &t->id) && !ValidName(t->id)) m.Error(m.Get("id"), "pathway: transition id '" + t->id + "' is not a valid name");
    std::string where = "transition '" + t->id + "'";
    if (m.String("event", &t->event) && (!ValidName(t->event) || t->event.find('.') == std::string::npos)) {
      m.Error(m.Get("event"), where + ": event '" + t->event + "' must be dotted lowercase words (plan.agreed)");
    }
    for (const char* reserved : {"audit.", "directory.", "child.", "record.", "person."}) {
      if (t->event.rfind(reserved, 0) == 0) {
        m.Error(m.Get("event"), where + ": events starting '" + reserved + "' belong to the system");
      }
    }
    m.String("label", &t->label);
    m.String("help", &t->help, false);
    internal::ReadProvenance(m, where, &t->provenance);
    if (m.StringList("from", &t->from)) {
      for (const auto& s : t->from) {
        if (s == "any") {
          t->from_any = true;
        } else if (!states.count(s)) {
          m.Error(m.Get("from"), where + ": from-state '" + s + "' is not a state of the pathway");
        }
      }
    }
    YAML::Node to = m.Get("to");
    if (to.IsDefined()) {
      if (to.IsMap()) {
        MapReader tm(d_, to, where + ".to");
        tm.String("field", &t->to_field);
        YAML::Node map = tm.Get("map");
        MapReader mm(d_, map, where + ".to.map");
        if (mm.valid()) {
          for (auto it = map.begin(); it != map.end(); ++it) {
            std::string k, v;
            ScalarString(it->first, &k);
            mm.Get(k);
            if (!ScalarString(it->second, &v) || !states.count(v) || v == "none") {
              d_.Error(it->second, where + ": '" + v + "' is not a state of the pathway");
            }
            t->to_map[k] = v;
          }
        }
        mm.Finish();
        tm.Finish();
      } else if (!ScalarString(to, &t->to) || !states.count(t->to) || t->to == "none") {
        m.Error(to, where + ": to-state '" + t->to + "' is not a state of the pathway");
      }
    }
    if (m.StringList("roles", &t->roles)) {
      for (const auto& r : t->roles) {
        if (std::find(p.roles.begin(), p.roles.end(), r) == p.roles.end()) {
          m.Error(m.Get("roles"), where + ": role '" + r + "' is not one of the pathway's roles");
        }
      }
      if (t->roles.empty()) m.Error(m.Get("roles"), where + ": name at least one role");
    }
    std::vector<std::string> by;
    if (m.Has("by") && m.StringList("by", &by)) {
      for (const auto& b : by) {
        auto h = ParseHolder(b);
        if (!h) {
          m.Error(m.Get("by"), where + ": by '" + b +
                                   "' is not lead_professional, allocated_worker, team_member or duty_team");
        } else {
          t->by.push_back(*h);
        }
      }
    }
    m.Bool("entry", &t->entry, false);
    std::string sig = "routine";
    m.String("significance", &sig, false);
    if (sig == "routine") t->significance = 0;
    else if (sig == "significant") t->significance = 1;
    else if (sig == "key") t->significance = 2;
    else m.Error(m.Get("significance"), where + ": significance must be routine, significant or key");

    YAML::Node fields = m.Get("fields");
    if (fields.IsDefined()) {
      MapReader fm(d_, fields, where + ".fields");
      if (fm.valid()) {
        for (auto it = fields.begin(); it != fields.end(); ++it) {
          std::string name;
          ScalarString(it->first, &name);
          fm.Get(name);
          if (!ValidName(name) || name.find('.') != std::string::npos) {
            d_.Error(it->first, where + ": field name '" + name + "' is not a valid name (a-z, 0-9, _)");
          }
          FieldSpec f;
          ReadFieldSpec(where, name, it->second, &f);
          t->fields.push_back(std::move(f));
        }
      }
      fm.Finish();
    }
    YAML::Node conf = m.Get("confidential");
    if (conf.IsDefined()) {
      MapReader cm(d_, conf, where + ".confidential");
      cm.Bool("author", &t->confidential.author, false);
      if (cm.Has("fields") && cm.StringList("fields", &t->confidential.fields)) {
        for (const auto& f : t->confidential.fields) CheckField(cm.Get("fields"), where + ".confidential", *t, f, {});
      }
      cm.Finish();
    }
    if (!t->to_field.empty()) {
      const FieldSpec* f = t->FindField(t->to_field);
      if (!f || f->type != FieldType::kEnum || f->optional) {
        m.Error(to, where + ": to.field must name a required field with a list of values");
      } else {
        for (const auto& v : f->values) {
          if (!t->to_map.count(v)) m.Error(to, where + ": to.map has no state for '" + v + "'");
        }
        for (const auto& [k, v] : t->to_map) {
          if (std::find(f->values.begin(), f->values.end(), k) == f->values.end()) {
            m.Error(to, where + ": to.map names '" + k + "', which is not a value of field '" + t->to_field + "'");
          }
        }
      }
    }

    YAML::Node req = m.List("require", false);
    if (req.IsDefined()) {
      for (size_t k = 0; k < req.size(); ++k) {
        std::string cw = where + ".require[" + std::to_string(k) + "]";
        MapReader c(d_, req[k], cw);
        if (!c.valid()) continue;
        Condition cond;
        ReadWhen(c.Get("if"), cw, *t, &cond.when);
        if (c.String("field", &cond.field, false) && !cond.field.empty()) CheckField(c.Get("field"), cw, *t, cond.field, {});
        std::string eq;
        if (c.Has("equals") && c.String("equals", &eq)) cond.equals = eq;
        if (c.Has("not") && c.String("not", &cond.not_holder)) {
          if (cond.not_holder != "lead_professional" && cond.not_holder != "allocated_worker") {
            c.Error(c.Get("not"), cw + ": 'not' is lead_professional or allocated_worker");
          }
          if (cond.field.empty()) c.Error(c.Get("not"), cw + ": 'not' needs 'field'");
        }
        if (c.Has("case")) ReadCaseTest(c.Get("case"), cw + ".case", &cond.case_test);
        YAML::Node dw = c.Get("date_within");
        if (dw.IsDefined()) {
          MapReader dm(d_, dw, cw + ".date_within");
          if (dm.String("field", &cond.date_field)) CheckField(dm.Get("field"), cw, *t, cond.date_field, {FieldType::kDate});
          if (dm.String("timescale", &cond.timescale) && !IsTimescale(cond.timescale)) {
            dm.Error(dm.Get("timescale"), cw + ": '" + cond.timescale + "' is not a timescale of this framework");
          }
          dm.Finish();
        }
        YAML::Node da = c.Get("date_after");
        if (da.IsDefined()) {
          MapReader am(d_, da, cw + ".date_after");
          if (am.String("field", &cond.after_field)) CheckField(am.Get("field"), cw, *t, cond.after_field, {FieldType::kDate});
          if (am.String("other", &cond.after_other)) CheckField(am.Get("other"), cw, *t, cond.after_other, {FieldType::kDate});
          am.Finish();
        }
        int kinds = !cond.field.empty() + !cond.date_field.empty() + !cond.after_field.empty();
        if (kinds > 1 || (kinds == 0 && cond.case_test.empty())) {
          c.ErrorHere(cw + ": give one of 'field', 'date_within', 'date_after' or 'case'");
        }
        internal::ReadProvenance(c, cw, &cond.provenance);
        c.String("message", &cond.message);
        cond.enforce = !cond.provenance.is_local();
        if (c.Has("enforce")) c.Bool("enforce", &cond.enforce);
        c.Finish();
        t->require.push_back(std::move(cond));
      }
    }
    YAML::Node starts = m.List("starts", false);
    if (starts.IsDefined()) {
      for (size_t k = 0; k < starts.size(); ++k) {
        std::string sw = where + ".starts[" + std::to_string(k) + "]";
        MapReader s(d_, starts[k], sw);
        if (!s.valid()) continue;
        DeadlineStart ds;
        if (s.String("deadline", &ds.deadline) && !ValidName(ds.deadline)) s.Error(s.Get("deadline"), sw + ": not a valid deadline name");
        s.String("timescale", &ds.timescale, false);
        if (s.Has("due_field")) ds.due_field = FieldRef(s, "due_field", sw, *t, {FieldType::kDate, FieldType::kDateTime});
        if (ds.timescale.empty() == ds.due_field.empty()) s.ErrorHere(sw + ": give either 'timescale' or 'due_field'");
        if (!ds.timescale.empty() && !IsTimescale(ds.timescale)) s.Error(s.Get("timescale"), sw + ": '" + ds.timescale + "' is not a timescale of this framework");
        ds.key_field = FieldRef(s, "key_field", sw, *t, {FieldType::kId, FieldType::kText});
        ReadOwner(s, sw, *t, p, &ds.owner);
        if (!ds.owner.field.empty() &&
            std::find(t->confidential.fields.begin(), t->confidential.fields.end(), ds.owner.field) !=
                t->confidential.fields.end()) {
          s.Error(s.Get("owner"), sw + ": the owner of a deadline is shown on due lists, so it cannot be the "
                                       "confidential field '" + ds.owner.field + "'");
        }
        ReadWhen(s.Get("if"), sw, *t, &ds.when);
        s.Finish();
        t->starts.push_back(std::move(ds));
      }
    }
    ReadDeadlineList(m, "completes", where, *t, false, &t->completes);
    ReadDeadlineList(m, "cancels", where, *t, true, &t->completes);
    ReadEffects(m.Get("effects"), where, *t, &t->effects);
    if (t->from.empty() && m.Has("from")) m.ErrorHere(where + ": 'from' must list at least one state");
    if (t->entry && !t->by.empty()) m.ErrorHere(where + ": an entry event cannot also require a relationship ('by')");
    m.Finish();
  }

  // A `case:` test naming a deadline kind no transition starts could never
  // hold (deadlines_open) or never fail (deadlines_none): a typing mistake.
  void CheckDeadlineKinds(const Pathway& p) {
    std::set<std::string> kinds;
    for (const auto& t : p.transitions)
      for (const auto& d : t.starts) kinds.insert(d.deadline);
    for (const auto& ref : deadline_refs_) {
      for (const auto& k : ref.kinds) {
        if (!kinds.count(k)) d_.Error(ref.at, ref.where + ": no transition starts a deadline '" + k + "'");
      }
    }
  }

  struct DeadlineRef {
    YAML::Node at;
    std::string where;
    std::vector<std::string> kinds;
  };
  Diagnostics& d_;
  Framework* fw_;
  std::vector<DeadlineRef> deadline_refs_;
};

}  // namespace

// Exactly one of source: and local_default:.
void ReadProvenance(MapReader& m, const std::string& where, Provenance* p) {
  bool has_source = m.Has("source"), has_local = m.Has("local_default");
  if (has_source) m.String("source", &p->source);
  if (has_local) m.String("local_default", &p->local_default);
  if (has_source == has_local) {
    m.ErrorHere(where + ": give either 'source' (the section of the document) or 'local_default' (why, when the "
                        "document does not state it)");
  } else if ((has_source && p->source.empty()) || (has_local && p->local_default.empty())) {
    m.ErrorHere(where + ": 'source' or 'local_default' must not be empty");
  }
}

void ReadPathway(Diagnostics& d, const YAML::Node& node, Framework* fw) {
  PathwayReader(d, fw).Read(node);
}

}  // namespace internal
}  // namespace continuum::framework
