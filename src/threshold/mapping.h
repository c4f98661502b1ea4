// Reading a child's observations under another authority's framework (a
// child moving between areas), through the concept tags of
// frameworks/concepts.yaml read on the shared severity scale.
//
//   auto from = threshold::Resolve(worcestershire, obs);
//   threshold::Mapping m = threshold::MapObservations(worcestershire, devon, *from);
//   auto s = threshold::Evaluate(devon, m.observations);  // floors included
//
// An indicator maps only to indicators of the other framework that share its
// concepts at a comparable severity (the same band, or the next one), the
// closest first. A concept with no such counterpart is reported with the
// reason, and the need keeps its level as a floor in the reading
// (Observations::carried), so that moving areas never loses a need.
// Strengths map by concept alone; a statutory fact with no counterpart keeps
// the level the source framework's statutory rules give it.
//
// Deterministic and stateless; safe from any number of threads.
#pragma once

#include <string>
#include <vector>

#include "framework/framework.h"
#include "threshold/threshold.h"

namespace continuum::threshold {

struct Mapping {
  Observations observations;  // in the target framework's ids, with carried floors
  struct Pair {
    std::string from;
    std::string to;
    std::vector<std::string> shared_tags;
  };
  std::vector<Pair> mapped;
  // An observation some (partly_mapped) or all (unmapped) of whose concepts
  // have no counterpart of comparable severity in the target.
  struct Gap {
    std::string from;
    std::vector<std::string> tags;  // the concepts without a counterpart
    std::string reason;             // one sentence per concept, in plain words
    int floor = 0;                  // level kept in the target; 0 for strengths
  };
  std::vector<Gap> unmapped;
  std::vector<Gap> partly_mapped;
};

Mapping MapObservations(const framework::Framework& from, const framework::Framework& to,
                        const Resolved& obs);

// Each indicator of `from` observed alone (no age, no strengths, no facts)
// and read under `to`: what the mapping test and docs/mapping.md check.
struct AloneReading {
  int item = -1;           // index into from.items
  int source_level = 0;    // its level under `from`
  int expected_level = 0;  // that level's severity, as a level of `to`
  int target_level = 0;    // the level suggested under `to`
  Mapping mapping;
};
std::vector<AloneReading> ReadEachIndicatorAlone(const framework::Framework& from,
                                                 const framework::Framework& to);

}  // namespace continuum::threshold
