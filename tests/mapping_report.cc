// Writes docs/mapping.md: every indicator of every framework read alone under
// each other framework, with the indicators that have no counterpart there.
//
//   mapping_report FRAMEWORKS_DIR                 > docs/mapping.md
//   mapping_report FRAMEWORKS_DIR --check docs/mapping.md   (ctest: is it current?)
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "core/file.h"
#include "framework/framework.h"
#include "threshold/mapping.h"

namespace {

using namespace continuum;

std::string Cell(std::string s) {
  for (size_t p = 0; (p = s.find('|', p)) != std::string::npos; p += 2) s.replace(p, 1, "\\|");
  return s;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::string Report(const framework::Registry& reg) {
  std::ostringstream o;
  o << R"(# Reading a child under another authority's framework

`continuum assess --framework A --compare B` reads observations recorded
under framework A under framework B (a child moving between areas). This
page is generated from the framework files: it reads **every indicator of
every framework alone** under each of the other frameworks and lists the
indicators that have no counterpart there. Do not edit it by hand;
regenerate it after changing a framework or `frameworks/concepts.yaml`:

```sh
cmake --build build --target mapping_report
build/mapping_report frameworks > docs/mapping.md
```

The ctest `mapping.doc` fails while this page is out of date, and the unit
test `MappingAcrossFrameworks.NoIndicatorLandsTwoLevelsAway` fails if any
indicator read alone lands two or more levels from its own level.

## How an indicator is read across

- Each indicator carries concept tags (`frameworks/concepts.yaml`), each on
  the shared **severity** scale: `universal` (needs met), `additional`
  (emerging need, one service), `complex` (several agencies, co-ordinated),
  `acute` (significant harm, statutory or specialist help). A tag takes the
  severity of its indicator's level unless the file qualifies it
  (`harm.neglect@additional`); see docs/framework-format.md.
- An indicator maps to the indicators of the other framework that share its
  concepts at a **comparable severity**: the same band or the next one, the
  closest first. "Early signs of abuse or neglect" (additional) is never
  read as significant neglect (acute).
- A concept with no such counterpart is listed below with the reason, and
  the need **keeps its level as a floor** in the reading: the explanation
  says "carried over" and that this is a local default, not the document's.
- Strengths map by concept alone; a statutory fact without a counterpart
  keeps the level its own framework gives it.

An indicator listed below gets a counterpart only where the other
authority's document has that need: add an indicator there citing the
section (`source`), or a concept tag to an indicator that already means it.
Otherwise it stays listed, and the reading keeps its level.

)";
  const auto& all = reg.all();
  // Summary table.
  o << "## Summary\n\nIndicators read alone; each cell is *no counterpart / partly mapped / of N*, "
       "and the largest gap between the level suggested in the target and the indicator's own level.\n\n";
  o << "| from \\ to |";
  for (const auto& t : all) o << " " << t->id << " |";
  o << "\n| --- |";
  for (size_t i = 0; i < all.size(); ++i) o << " --- |";
  o << "\n";
  for (const auto& f : all) {
    o << "| " << f->id << " |";
    for (const auto& t : all) {
      if (f == t) {
        o << " — |";
        continue;
      }
      auto rs = threshold::ReadEachIndicatorAlone(*f, *t);
      int unmapped = 0, partly = 0, gap = 0;
      for (const auto& r : rs) {
        unmapped += !r.mapping.unmapped.empty();
        partly += !r.mapping.partly_mapped.empty();
        gap = std::max(gap, std::abs(r.target_level - r.expected_level));
      }
      o << " " << unmapped << " / " << partly << " / " << rs.size() << "; gap " << gap << " |";
    }
    o << "\n";
  }
  o << "\n";
  for (const auto& f : all) {
    for (const auto& t : all) {
      if (f == t) continue;
      auto rs = threshold::ReadEachIndicatorAlone(*f, *t);
      std::vector<const threshold::AloneReading*> none, part;
      for (const auto& r : rs) {
        if (!r.mapping.unmapped.empty()) none.push_back(&r);
        if (!r.mapping.partly_mapped.empty()) part.push_back(&r);
      }
      o << "## " << f->id << " read under " << t->id << "\n\n";
      o << "No counterpart: " << none.size() << " of " << rs.size() << " indicators";
      o << "; partly mapped: " << part.size() << ".\n\n";
      auto table = [&](const std::vector<const threshold::AloneReading*>& list, bool unmapped) {
        if (list.empty()) return;
        o << "| indicator | level | concepts without a counterpart | why | level kept in " << t->id << " |\n";
        o << "| --- | --- | --- | --- | --- |\n";
        for (const auto* r : list) {
          const auto& it = f->items[r->item];
          const auto& g = unmapped ? r->mapping.unmapped[0] : r->mapping.partly_mapped[0];
          o << "| `" << it.id << "` " << Cell(it.label) << " | " << it.level << " | " << Join(g.tags) << " | "
            << Cell(g.reason) << " | " << g.floor << " |\n";
        }
        o << "\n";
      };
      table(none, true);
      if (!part.empty()) {
        o << "Partly mapped (the other concepts have a counterpart):\n\n";
        table(part, false);
      }
    }
  }
  return o.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && !(argc == 4 && std::string(argv[2]) == "--check")) {
    std::cerr << "usage: mapping_report FRAMEWORKS_DIR [--check FILE]\n";
    return 2;
  }
  auto reg = framework::Registry::LoadDirectory(argv[1]);
  if (!reg.ok()) {
    std::cerr << reg.status().message() << "\n";
    return 1;
  }
  std::string report = Report(*reg);
  if (argc == 2) {
    std::cout << report;
    return 0;
  }
  auto current = ReadFileLimited(argv[3], 16u << 20);
  if (!current.ok()) {
    std::cerr << current.status().message() << "\n";
    return 1;
  }
  if (*current != report) {
    std::cerr << argv[3]
              << " is out of date; regenerate it: build/mapping_report frameworks > docs/mapping.md\n";
    return 1;
  }
  std::cout << argv[3] << " is current\n";
  return 0;
}
