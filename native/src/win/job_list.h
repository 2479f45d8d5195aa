// listJobs on Windows: the machine's job objects, named ones from the object directories and
// unnamed ones from the system handle table, each with its process count where it can be opened.
#pragma once

#include <windows.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../backend.h"
#include "handle.h"

namespace jobscope::win {

// One of our open jobs, to mark the entry that is the same object (heldJobId).
struct HeldJob {
  uint32_t id;
  Handle handle;  // the listing's own duplicate: the job may be closed while it runs
  std::string path;  // the name it was created/opened with, '' when unnamed
  uint32_t parentId;  // createChild: the job it was created from, else 0
};

// Never throws for a directory, process or job it may not look into: those are left out (or listed
// with a note). Entries: named jobs of \BaseNamedObjects (path "Global\<name>"), of this session
// ("Local\<name>"), of other sessions (their NT path, with a note), then unnamed jobs (path '').
// `parent` is known only for our own createChild children: the parent's entry path (its name if unnamed).
std::vector<JobTreeEntry> listSystemJobs(const std::vector<HeldJob>& ours);

}  // namespace jobscope::win
