#include "framework/pathway_loader.h"

#include <algorithm>
#include <set>

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
    case FieldType::kEnum: return "one of";
  }
  return "?";
}

const FieldSpec* Transition::FindField(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const Transition* Pathway::FindByEvent(std::string_view event) const {
  for (const auto& t : transitions) {
    if (t.event == event) return &t;
  }
  return nullptr;
}

const PathwayState* Pathway::FindState(std::string_view id) const {
  for (const auto& s : states) {
    if (s.id == id) return &s;
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
        if (!ValidName(r)) m.Error(m.Get("roles"), "pathway: role '" + r + "' is not a valid name");
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
    std::set<std::string> ids, events;
    if (list.IsDefined()) {
      for (size_t i = 0; i < list.size(); ++i) {
        Transition t;
        ReadTransition(list[i], i, p, state_ids, &t);
        if (!t.id.empty() && !ids.insert(t.id).second) {
          d_.Error(list[i], "pathway: transition id '" + t.id + "' is used twice");
        }
        if (!t.event.empty() && !events.insert(t.event).second) {
          d_.Error(list[i], "pathway: event '" + t.event + "' belongs to two transitions");
        }
        p.transitions.push_back(std::move(t));
      }
    }
    m.Finish();
    fw_->pathway = std::move(p);
  }

 private:
  bool IsTimescale(const std::string& id) const { return fw_->FindTimescale(id) != nullptr; }

  void ReadFieldSpec(const std::string& where, const std::string& name, const YAML::Node& v, FieldSpec* f) {
    f->name = name;
    if (v.IsSequence()) {
      f->type = FieldType::kEnum;
      for (const auto& e : v) {
        std::string s;
        if (!ScalarString(e, &s) || s.empty()) {
          d_.Error(e, where + ": field '" + name + "': every value must be a word");
          continue;
        }
        f->values.push_back(s);
      }
      if (f->values.empty()) d_.Error(v, where + ": field '" + name + "': list at least one value");
      return;
    }
    std::string t;
    if (!ScalarString(v, &t) || t.empty()) {
      d_.Error(v, where + ": field '" + name + "': give a type (text, id, date, datetime, bool, int, level, list) or a list of values");
      return;
    }
    if (t.back() == '?') {
      f->optional = true;
      t.pop_back();
    }
    static const std::map<std::string, FieldType> kTypes = {
        {"text", FieldType::kText}, {"id", FieldType::kId},     {"date", FieldType::kDate},
        {"datetime", FieldType::kDateTime}, {"bool", FieldType::kBool}, {"int", FieldType::kInt},
        {"level", FieldType::kLevel}, {"list", FieldType::kList}};
    auto it = kTypes.find(t);
    if (it == kTypes.end()) {
      d_.Error(v, where + ": field '" + name + "': unknown type '" + t + "'");
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
        MapReader c(d_, it->second, where + ".if.case");
        c.OptionalInt("level_at_least", &w->case_level_at_least, 1, fw_->max_level());
        std::vector<std::string> facts;
        if (c.StringList("facts_any", &facts, false)) {
          for (const auto& f : facts) {
            int i = fw_->FindItem(f);
            if (i < 0 || fw_->items[i].kind != ItemKind::kFact) {
              c.Error(c.Get("facts_any"), where + ": '" + f + "' is not a statutory fact of this framework");
            }
          }
          w->case_facts_any = facts;
        }
        c.Finish();
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

  void CheckField(const YAML::Node& at, const std::string& where, const Transition& t, const std::string& name,
                  std::initializer_list<FieldType> types) {
    const FieldSpec* f = t.FindField(name);
    if (!f) {
      d_.Error(at, where + ": '" + name + "' is not a field of transition '" + t.id + "'");
      return;
    }
    if (types.size() && std::find(types.begin(), types.end(), f->type) == types.end()) {
      d_.Error(at, where + ": field '" + name + "' has the wrong type for this use (" + FieldTypeName(f->type) + ")");
    }
  }

  void ReadTransition(const YAML::Node& n, size_t i, const Pathway& p, const std::set<std::string>& states,
                      Transition* t) {
    MapReader m(d_, n, "pathway.transitions[" + std::to_string(i) + "]");
    if (!m.valid()) return;
    if (m.String("id", &t->id) && !ValidName(t->id)) m.Error(m.Get("id"), "pathway: transition id '" + t->id + "' is not a valid name");
    std::string where = "transition '" + t->id + "'";
    if (m.String("event", &t->event) && !ValidName(t->event)) m.Error(m.Get("event"), where + ": event '" + t->event + "' is not a valid name");
    m.String("label", &t->label);
    m.String("source", &t->source);
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
            if (!ScalarString(it->second, &v) || !states.count(v)) {
              d_.Error(it->second, where + ": '" + v + "' is not a state of the pathway");
            }
            t->to_map[k] = v;
          }
        }
        mm.Finish();
        tm.Finish();
      } else if (!ScalarString(to, &t->to) || !states.count(t->to)) {
        m.Error(to, where + ": to-state '" + t->to + "' is not a state of the pathway");
      }
    }
    if (m.StringList("roles", &t->roles)) {
      for (const auto& r : t->roles) {
        if (std::find(p.roles.begin(), p.roles.end(), r) == p.roles.end()) {
          m.Error(m.Get("roles"), where + ": role '" + r + "' is not one of the pathway's roles");
        }
      }
    }
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
          if (!ValidName(name)) d_.Error(it->first, where + ": field name '" + name + "' is not a valid name");
          FieldSpec f;
          ReadFieldSpec(where, name, it->second, &f);
          t->fields.push_back(std::move(f));
        }
      }
      fm.Finish();
    }
    if (!t->to_field.empty()) {
      const FieldSpec* f = t->FindField(t->to_field);
      if (!f || f->type != FieldType::kEnum || f->optional) {
        m.Error(to, where + ": to.field must name a required field with a list of values");
      } else {
        for (const auto& v : f->values) {
          if (!t->to_map.count(v)) m.Error(to, where + ": to.map has no state for '" + v + "'");
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
        YAML::Node dw = c.Get("date_within");
        if (dw.IsDefined()) {
          MapReader dm(d_, dw, cw + ".date_within");
          if (dm.String("field", &cond.date_field)) CheckField(dm.Get("field"), cw, *t, cond.date_field, {FieldType::kDate});
          if (dm.String("timescale", &cond.timescale) && !IsTimescale(cond.timescale)) {
            dm.Error(dm.Get("timescale"), cw + ": '" + cond.timescale + "' is not a timescale of this framework");
          }
          dm.Finish();
        }
        if (cond.field.empty() && cond.date_field.empty()) c.ErrorHere(cw + ": give 'field' or 'date_within'");
        c.String("source", &cond.source);
        c.String("message", &cond.message);
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
        s.String("due_field", &ds.due_field, false);
        if (ds.timescale.empty() == ds.due_field.empty()) s.ErrorHere(sw + ": give either 'timescale' or 'due_field'");
        if (!ds.timescale.empty() && !IsTimescale(ds.timescale)) s.Error(s.Get("timescale"), sw + ": '" + ds.timescale + "' is not a timescale of this framework");
        if (!ds.due_field.empty()) CheckField(s.Get("due_field"), sw, *t, ds.due_field, {FieldType::kDate, FieldType::kDateTime});
        if (s.String("key_field", &ds.key_field, false) && !ds.key_field.empty()) CheckField(s.Get("key_field"), sw, *t, ds.key_field, {FieldType::kId, FieldType::kText});
        if (s.String("owner_field", &ds.owner_field, false) && !ds.owner_field.empty()) CheckField(s.Get("owner_field"), sw, *t, ds.owner_field, {FieldType::kId, FieldType::kText});
        if (s.String("owner_role", &ds.owner_role, false) && !ds.owner_role.empty() &&
            std::find(p.roles.begin(), p.roles.end(), ds.owner_role) == p.roles.end()) {
          s.Error(s.Get("owner_role"), sw + ": '" + ds.owner_role + "' is not one of the pathway's roles");
        }
        ReadWhen(s.Get("if"), sw, *t, &ds.when);
        s.Finish();
        t->starts.push_back(std::move(ds));
      }
    }
    YAML::Node completes = m.List("completes", false);
    if (completes.IsDefined()) {
      for (size_t k = 0; k < completes.size(); ++k) {
        std::string cw = where + ".completes[" + std::to_string(k) + "]";
        DeadlineComplete dc;
        if (ScalarString(completes[k], &dc.deadline)) {
          t->completes.push_back(std::move(dc));
          continue;
        }
        MapReader c(d_, completes[k], cw);
        if (!c.valid()) continue;
        c.String("deadline", &dc.deadline);
        if (c.String("key_field", &dc.key_field, false) && !dc.key_field.empty()) CheckField(c.Get("key_field"), cw, *t, dc.key_field, {FieldType::kId, FieldType::kText});
        ReadWhen(c.Get("if"), cw, *t, &dc.when);
        c.Finish();
        t->completes.push_back(std::move(dc));
      }
    }
    if (t->from.empty() && m.Has("from")) m.ErrorHere(where + ": 'from' must list at least one state");
    m.Finish();
  }

  Diagnostics& d_;
  Framework* fw_;
};

}  // namespace

void ReadPathway(Diagnostics& d, const YAML::Node& node, Framework* fw) {
  PathwayReader(d, fw).Read(node);
}

}  // namespace internal
}  // namespace continuum::framework
