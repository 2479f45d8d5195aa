// Where the cgroup hierarchies are on this host and where we sit in them, read once from
// /proc/self/mountinfo and /proc/self/cgroup. Paths are never assumed: pure v2 hosts mount
// cgroup2 at /sys/fs/cgroup, hybrid ones at /sys/fs/cgroup/unified, containers elsewhere.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace jobscope::linux_impl {

struct CgroupHost {
  std::string cgroup2Mount;  // "" when no cgroup2 is mounted
  std::string ownV2Dir;      // our own v2 cgroup directory (absolute), "" if unknown
  // The hierarchy whose directories are job paths (listJobs' tree, openJob's paths): cgroup2 where it is
  // mounted; on v1-only hosts, the v1 hierarchy of treeController (memory where mounted), where a job's
  // other controllers mirror the same path.
  std::string treeMount;
  std::string treeController;  // "" on hosts with cgroup2
  // Where "jobscope" (the default parent of jobs) is made: our own directory in the tree hierarchy, or
  // its parent when we run in <X>/jobscope-service, the leaf a JobScope process moves into on pure v2
  // (see adoptServiceLeaf).
  std::string jobsBaseDir;
  std::string v1MemoryDir;   // our own v1 memory cgroup directory (absolute), "" if none
  bool anyV1 = false;        // at least one v1 controller hierarchy is mounted
  // v1 controller ("memory", "cpu", "cpuacct", "blkio", "pids", "freezer", ...) -> our own
  // directory in the hierarchy that carries it. Co-mounted controllers share a directory.
  std::map<std::string, std::string> v1Dirs;
  // v1 controller -> the mount point of its hierarchy.
  std::map<std::string, std::string> v1Mounts;

  // The v1 directory of `controller`, "" when it is not mounted as v1.
  std::string v1Dir(const std::string& controller) const {
    auto it = v1Dirs.find(controller);
    return it == v1Dirs.end() ? "" : it->second;
  }

  // "unified" | "hybrid" | "legacy"
  std::string layout() const;
  // Default parent of created jobs: "<jobsBaseDir>/jobscope".
  std::string defaultParent() const;
  // True when `path` (already canonical) is the tree hierarchy's mount or below it.
  bool insideTree(const std::string& path) const;
  // Path of a directory of the tree hierarchy relative to its root ("" for the root).
  std::string relativeTree(const std::string& path) const;
  // The directory of the process in the tree hierarchy ("" when it cannot be read).
  std::string treeDirOf(int64_t pid) const;
};

// The v1 controllers a job uses, by their v1 names; cpuacct counts CPU usage where there is no cgroup2.
inline constexpr const char* kV1Controllers[] = {"memory", "cpu", "cpuacct", "blkio", "pids", "freezer"};

// Detected on first use; the layout does not change while we run.
const CgroupHost& cgroupHost();

// Whether `controller` is listed in <dir>/cgroup.controllers.
bool hasController(const std::string& dir, const std::string& controller);

// The leaf a JobScope process moves into so that its own cgroup may delegate controllers.
inline constexpr const char* kServiceLeaf = "jobscope-service";

// Whether `dir` is a hierarchy's real root: the one cgroup without a cgroup.type file, exempt from
// "no internal processes" (a cgroup namespace's root has the file and is not exempt).
bool isHierarchyRoot(const std::string& dir);
// Whether <dir>/cgroup.procs lists any process (false when it cannot be read).
bool holdsProcesses(const std::string& dir);

}  // namespace jobscope::linux_impl
