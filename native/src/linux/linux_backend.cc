// Backend::create for Linux: creating and opening jobs (cgroups) and host-wide queries.
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <atomic>
#include <climits>
#include <cstdlib>
#include <sstream>

#include "../backend.h"
#include "cgroup_host.h"
#include "errors.h"
#include "linux_job.h"
#include "poller.h"
#include "parsers.h"
#include "procfs.h"

namespace jobscope {
namespace linux_impl {
namespace {

std::atomic<uint32_t> nextJobId{1};  // never reused for the life of the addon

bool isDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::string dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

bool canonical(const std::string& path, std::string& out) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (!resolved) return false;
  out = resolved;
  std::free(resolved);
  return true;
}

const CgroupHost& requireCgroups(const std::string& action) {
  const CgroupHost& host = cgroupHost();
  if (host.treeMount.empty()) {
    throw Error("ENOTSUP", "cannot " + action +
                               ": no cgroup2 hierarchy and no v1 memory, cpu, blkio, pids or freezer hierarchy is "
                               "mounted on this host (ENOTSUP)");
  }
  return host;
}

// The controllers a job uses, by their v2 names (kV1Controllers: the v1 hierarchies that can stand in).
const char* const kV2Controllers[] = {"memory", "cpu", "io", "pids"};

// ---- Giving jobs v2 controllers: the kernel's rules (Documentation/admin-guide/cgroup-v2.rst) ----
// 1. A controller can be enabled in X/cgroup.subtree_control only if X's parent enabled it for X (it is
//    listed in X/cgroup.controllers): for <own>/jobscope/<job> to have memory, both <own> and
//    <own>/jobscope must enable it.
// 2. "No internal processes": a cgroup other than the hierarchy's root may not hold processes and enable
//    domain controllers (memory, io) for its children at once; the kernel answers EBUSY.
// 3. The threaded controllers (cpu, pids) are accepted there all the same, and that silently makes X a
//    thread root: its children turn "domain invalid" and refuse every process (EOPNOTSUPP). That is how
//    attach failed for every job created from a systemd session scope on pure v2 hosts.
// So we never write the subtree_control of a non-root cgroup that holds processes (see
// adoptServiceLeaf for the one case where we first empty it ourselves).

bool writable(const std::string& path) { return ::access(path.c_str(), W_OK) == 0; }

// Whether `pid` is us or one of our descendants.
bool isOurs(int64_t pid) {
  const int64_t self = ::getpid();
  for (int depth = 0; depth < 64 && pid > 1; ++depth) {
    if (pid == self) return true;
    ProcStat st;
    if (!readProcStat(pid, st)) return false;
    pid = st.ppid;
  }
  return false;
}

std::vector<int64_t> procsOf(const std::string& dir) {
  std::string text;
  return readFile(dir + "/cgroup.procs", text) ? parsePids(text) : std::vector<int64_t>{};
}

// Why we may not move JobScope into <own>/jobscope-service, or "" when we may (see adoptServiceLeaf).
std::string adoptBlocker(const std::string& own) {
  const CgroupHost& host = cgroupHost();
  if (host.layout() != "unified") return "not a pure cgroup v2 host";
  if (own != host.ownV2Dir) return "it is not the cgroup JobScope runs in";
  std::string type;
  if (!readFile(own + "/cgroup.type", type) || type.rfind("domain\n", 0) != 0) {
    return "it is not a plain domain cgroup (cgroup.type: " + (type.empty() ? "unreadable" : type.substr(0, type.find('\n'))) + ")";
  }
  if (!writable(own + "/cgroup.procs") || !writable(own + "/cgroup.subtree_control")) {
    return "it is not delegated to us (its cgroup.procs and cgroup.subtree_control are not writable)";
  }
  for (int64_t pid : procsOf(own)) {
    if (!isOurs(pid)) return "it also holds processes that are not JobScope's (pid " + std::to_string(pid) + ")";
  }
  return "";
}

// Moves every process of `from` into `to`; false if a process that is not ours shows up or a move fails.
// Several rounds: a process can fork while we move it.
bool moveOurProcesses(const std::string& from, const std::string& to) {
  for (int round = 0; round < 20; ++round) {
    std::vector<int64_t> pids = procsOf(from);
    if (pids.empty()) return true;
    for (int64_t pid : pids) {
      if (!isOurs(pid)) return false;
      if (!writeFile(to + "/cgroup.procs", std::to_string(pid)) && errno != ESRCH) return false;
    }
  }
  return procsOf(from).empty();
}

// Our own cgroup `own` holds processes (us), so by rule 2 it cannot give <own>/jobscope any domain
// controller. systemd's delegation model (docs/CGROUP_DELEGATION.md) has the answer: a process that
// manages a cgroup subtree moves itself into a leaf of it, so the subtree's top can delegate. We do that:
// JobScope's processes go to <own>/jobscope-service, then <own> enables the controllers for
// <own>/jobscope. Only where it is ours to do: on pure v2 (hybrid hosts give jobs controllers through v1
// mirrors instead), when `own` is a plain domain cgroup we may write (delegated to us, or we are root),
// and holds nothing but JobScope and its children (nobody else's processes are ever moved). The move is
// harmless: our processes stay inside the same cgroup subtree, so the systemd unit that owns it still
// accounts and stops them; a later JobScope started in <own>/jobscope-service uses <own>/jobscope
// (CgroupHost::jobsBaseDir). It is undone when no controller can be enabled after all.
// Returns "" when done, else why not.
std::string adoptServiceLeaf(const std::string& own) {
  std::string blocker = adoptBlocker(own);
  if (!blocker.empty()) return blocker;
  std::string leaf = own + "/" + kServiceLeaf;
  if (::mkdir(leaf.c_str(), 0755) != 0 && errno != EEXIST) {
    return "cannot create " + leaf + " (" + errnoName(errno) + ")";
  }
  if (!moveOurProcesses(own, leaf)) {
    int err = errno;
    moveOurProcesses(leaf, own);
    ::rmdir(leaf.c_str());
    return "cannot move JobScope's processes into " + leaf + " (" + errnoName(err) + ")";
  }
  bool any = false;
  for (const char* c : kV2Controllers) {
    if (hasController(own, c) && writeFile(own + "/cgroup.subtree_control", std::string("+") + c)) any = true;
  }
  if (!any) {
    moveOurProcesses(leaf, own);  // undo: nothing was gained
    ::rmdir(leaf.c_str());
    return "no controller could be enabled in " + own + "/cgroup.subtree_control";
  }
  return "";
}

// Why a non-root cgroup that holds processes cannot give its children controllers.
std::string holdsProcessesWhy(const std::string& dir) {
  return dir + " holds processes itself, and cgroup v2 lets a cgroup other than the root give its "
               "children controllers only while it holds none (\"no internal processes\")";
}

// Makes the v2 controllers available to children of `parent`, if the host lets us; where it does not,
// the reason is recorded per controller and the job falls back to v1 or goes without. `parentIsOurs`:
// `parent` is the default <own>/jobscope, so <own> may be asked to enable controllers for it too.
void enableV2Controllers(const std::string& parent, bool parentIsOurs,
                         std::map<std::string, std::string>& why) {
  const std::string grand = dirname(parent);
  std::string grandBlocked;  // why <grand>/cgroup.subtree_control is left alone
  if (parentIsOurs && !isHierarchyRoot(grand) && holdsProcesses(grand)) {
    std::string notAdopted = adoptServiceLeaf(grand);
    if (!notAdopted.empty()) {
      grandBlocked = holdsProcessesWhy(grand) + "; JobScope did not move itself into " + grand + "/" +
                     kServiceLeaf + " because " + notAdopted;
    }
  }
  const bool parentBlocked = !isHierarchyRoot(parent) && holdsProcesses(parent);
  for (const char* c : kV2Controllers) {
    const std::string v1name = std::string(c) == "io" ? "blkio" : c;
    if (parentIsOurs && grandBlocked.empty() && !hasController(parent, c) && hasController(grand, c)) {
      writeFile(grand + "/cgroup.subtree_control", std::string("+") + c);
    }
    if (!hasController(parent, c)) {
      why[c] = std::string("the ") + c + " controller is not available in " + parent +
               " (not in its cgroup.controllers)" +
               (hasController(grand, c) && !grandBlocked.empty() ? ": " + grandBlocked : "") + ", and no v1 " +
               v1name + " hierarchy is mounted";
      continue;
    }
    if (parentBlocked) {
      why[c] = std::string("cannot enable the ") + c + " controller for children of " + parent + ": " +
               holdsProcessesWhy(parent);
      continue;
    }
    if (!writeFile(parent + "/cgroup.subtree_control", std::string("+") + c)) {
      int err = errno;
      why[c] = std::string("cannot enable the ") + c + " controller in " + parent + "/cgroup.subtree_control (" +
               errnoName(err) + (err == EBUSY ? ": " + holdsProcessesWhy(parent) : "") + ")";
    }
  }
}

// Applies `limits` to a new job; if that fails, removes it again and rethrows.
void applyInitialLimits(const std::shared_ptr<LinuxJob>& job, const LimitChanges& limits) {
  if (!limits.any()) return;
  try {
    job->setLimits(limits);
  } catch (...) {
    job->discard();
    throw;
  }
}

std::string userDelegatedParent() {
  uid_t uid = ::getuid();
  const CgroupHost& host = cgroupHost();
  std::string base = host.cgroup2Mount + "/user.slice/user-" + std::to_string(uid) + ".slice/user@" +
                     std::to_string(uid) + ".service";
  return isDir(base + "/app.slice") ? base + "/app.slice" : "";
}

std::string createHint() {
  return "run JobScope as root, or in a delegated cgroup: systemd-run --user --scope -p Delegate=yes <jobscope command>";
}

// Whether createJob could give <base>/jobscope the v2 `controller` (rule 1 and 2 above): `base` has it,
// and either is the hierarchy's root, holds no processes (we run in <base>/jobscope-service), or is a
// cgroup createJob would empty by moving JobScope into its leaf (adoptServiceLeaf).
bool baseCanGive(const std::string& base, const std::string& controller) {
  if (!hasController(base, controller)) return false;
  if (isHierarchyRoot(base) || !holdsProcesses(base)) return true;
  return adoptBlocker(base).empty();
}

// Relative cgroup paths below `dir` (depth-first), with their process counts.
void walkTree(const std::string& root, const std::string& rel, std::map<std::string, uint64_t>& out, int depth) {
  std::string dir = root + rel;
  std::string text;
  if (!readFile(dir + "/cgroup.procs", text)) return;
  uint64_t& count = out[rel.empty() ? "/" : rel];
  count = std::max<uint64_t>(count, parsePids(text).size());
  if (depth > 64) return;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> subdirs;
  while (dirent* e = ::readdir(d)) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
    subdirs.push_back(e->d_name);
  }
  ::closedir(d);
  for (const auto& name : subdirs) walkTree(root, rel + "/" + name, out, depth + 1);
}

// listJobs' listing: every cgroup with its process count; `held` maps our jobs' paths to their ids.
std::vector<JobTreeEntry> listTree(const std::map<std::string, uint32_t>& held) {
  const CgroupHost& host = requireCgroups("list jobs");
  // The tree hierarchy (v2, or on v1-only hosts the memory one), merged by path with each v1
  // hierarchy's tree: a path that only a v1 hierarchy has (e.g. a v1 memory cgroup on a hybrid host)
  // still appears, with that count. Named hierarchies (name=systemd) are not ours: not listed.
  std::map<std::string, uint64_t> counts;
  std::set<std::string> roots{host.treeMount};
  walkTree(host.treeMount, "", counts, 0);
  for (const char* c : kV1Controllers) {
    auto mount = host.v1Mounts.find(c);
    if (mount != host.v1Mounts.end() && roots.insert(mount->second).second) walkTree(mount->second, "", counts, 0);
  }
  std::vector<JobTreeEntry> out;
  for (const auto& [rel, count] : counts) {
    JobTreeEntry e;
    e.path = rel == "/" ? host.treeMount : host.treeMount + rel;
    e.name = rel == "/" ? "/" : rel.substr(rel.rfind('/') + 1);
    if (rel != "/") {
      std::string parentRel = rel.substr(0, rel.rfind('/'));
      e.parent = parentRel.empty() ? host.treeMount : host.treeMount + parentRel;
    }
    e.processCount = count;
    auto h = held.find(e.path);
    if (h != held.end()) e.heldJobId = h->second;
    out.push_back(std::move(e));
  }
  return out;
}

class LinuxBackend : public Backend {
 public:
  explicit LinuxBackend(NotificationSink sink)
      : poller_(std::make_shared<Poller>(std::move(sink))) {}

  HostInfo hostInfo() override {
    const CgroupHost& host = cgroupHost();
    HostInfo info;
    info.platform = "linux";
    if (!host.cgroup2Mount.empty()) info.cgroup2Mount = host.cgroup2Mount;
    info.cgroupLayout = host.layout();
    info.exitEvents = poller_->exitEvents();
    info.kernelEventsDropped = poller_->kernelEventsDropped();
    // What createJob would pick for a job under the default parent.
    std::string parent = host.defaultParent();
    if (!host.cgroup2Mount.empty() &&
        (isDir(parent) ? hasController(parent, "memory") : baseCanGive(host.jobsBaseDir, "memory"))) {
      info.memorySource = "cgroup2";
    } else if (!host.v1MemoryDir.empty()) {
      info.memorySource = "cgroup1";
    } else {
      info.memorySource = "procfs";
    }
    // v2 where the controller is available to (or already enabled for) children of the default
    // parent; the freezer is v2's core cgroup.freeze on any cgroup2 host.
    for (const char* c : {"memory", "cpu", "io", "pids", "freezer"}) {
      std::string v1name = std::string(c) == "io" ? "blkio" : c;
      bool v2 = !host.cgroup2Mount.empty() &&
                (std::string(c) == "freezer" ? true
                 : isDir(parent)            ? hasController(parent, c)
                                            : baseCanGive(host.jobsBaseDir, c));
      info.controllers.emplace_back(c, v2 ? "v2" : !host.v1Dir(v1name).empty() ? "v1" : "none");
    }
    return info;
  }

  std::shared_ptr<Job> createJob(const std::optional<std::string>& name,
                                 const std::optional<std::string>& parentOpt, const LimitChanges& limits,
                                 const JobOptions& /*useNtVariant: Windows only*/) override {
    const CgroupHost& host = requireCgroups("create a job");
    std::string parent;
    bool parentIsOurs = false;
    if (parentOpt) {
      std::string resolved;
      if (!canonical(*parentOpt, resolved)) {
        throwErrno(errno, "cannot create a job in " + *parentOpt);
      }
      if (!host.insideTree(resolved) || !exists(resolved + "/cgroup.procs")) {
        throw Error("ENOTCGROUP", "cannot create a job in " + *parentOpt + ": it is not a cgroup directory under " +
                                      host.treeMount + " (ENOTCGROUP)");
      }
      parent = resolved;
    } else {
      parent = host.defaultParent();
      if (::mkdir(parent.c_str(), 0755) == 0) {
        parentIsOurs = true;
      } else if (errno == EACCES || errno == EPERM || errno == EROFS) {
        // Not root and our cgroup is not delegated: try the user's systemd-delegated subtree.
        int err = errno;
        std::string delegated = host.cgroup2Mount.empty() ? "" : userDelegatedParent();
        std::string alt = delegated.empty() ? "" : delegated + "/jobscope";
        if (alt.empty() || (::mkdir(alt.c_str(), 0755) != 0 && errno != EEXIST)) {
          throw Error(errnoName(err), "cannot create the jobs' parent cgroup " + parent +
                                          ": permission denied (" + errnoName(err) + "); " + createHint());
        }
        parent = alt;
      } else if (errno != EEXIST) {
        throwErrno(errno, "cannot create the jobs' parent cgroup " + parent);
      }
    }
    JobParent where;
    where.dir = parent;
    where.v2 = !host.cgroup2Mount.empty();
    where.ownsV2 = where.v2 && (parentIsOurs || !parentOpt);
    for (const char* c : kV1Controllers) {
      std::string own = host.v1Dir(c);
      if (own.empty()) continue;
      // v1 only: the same path in every hierarchy as in the tree's.
      where.v1Dirs[c] = !where.v2 && parentOpt ? host.v1Mounts.at(c) + host.relativeTree(parent) : own + "/jobscope";
    }
    return createJobUnder(where, name, limits, poller_);
  }

  std::shared_ptr<Job> openJob(const std::string& path, const JobOptions& /*useNtVariant: Windows only*/) override {
    const CgroupHost& host = requireCgroups("open a job");
    // An absolute path inside the mount is taken as is; anything else is relative to the
    // hierarchy's root ("/user.slice" -> <mount>/user.slice).
    std::string candidate = path;
    if (!host.insideTree(path)) {
      candidate = host.treeMount + (path.empty() || path[0] != '/' ? "/" : "") + path;
    }
    std::string resolved;
    if (!canonical(candidate, resolved)) {
      int err = errno;
      std::string outside;
      if (path[0] == '/' && canonical(path, outside)) {
        resolved = outside;  // exists, but outside the mount: refused just below
      } else {
        throw Error(errnoName(err), "cannot open job " + path + ": there is no cgroup at " + candidate +
                                        " (" + errnoName(err) + ")");
      }
    }
    if (!host.insideTree(resolved)) {
      throw Error("ENOTCGROUP", "cannot open " + path + " as a job: " + resolved + " is not inside the " +
                                    (host.cgroup2Mount.empty() ? "v1 " + host.treeController : "cgroup2") +
                                    " hierarchy mounted at " + host.treeMount + " (ENOTCGROUP)");
    }
    if (!isDir(resolved) || !exists(resolved + "/cgroup.procs")) {
      throw Error("ENOTCGROUP", "cannot open " + path + " as a job: " + resolved +
                                    " is not a cgroup directory (no cgroup.procs) (ENOTCGROUP)");
    }
    LinuxJobParams p;
    p.id = nextJobId++;
    p.created = false;
    p.dir = resolved;
    p.name = resolved == host.treeMount ? "/" : resolved.substr(resolved.rfind('/') + 1);
    p.v2 = !host.cgroup2Mount.empty();
    if (!p.v2) {
      // v1 only: the cgroups of the same path in the other hierarchies are the job's too.
      for (const char* c : kV1Controllers) {
        std::string dir = host.v1Dir(c).empty() ? "" : host.v1Mounts.at(c) + host.relativeTree(resolved);
        if (!dir.empty() && isDir(dir)) p.v1[c] = dir;
      }
    }
    p.memorySource = exists(resolved + "/memory.current") ? "cgroup2" : p.v1.count("memory") ? "cgroup1" : "procfs";
    return std::make_shared<LinuxJob>(std::move(p), poller_);
  }

  // The walks touch only /proc, cgroupfs and cgroupHost(), which never changes after its first use.
  Listing<ProcessInfo> listProcesses() override {
    return [controller = cgroupHost().treeController] { return listAllProcesses(controller); };
  }
  // Our jobs' paths are copied here, when the call is made: jobs open and close on the JS thread.
  Listing<JobTreeEntry> listJobs() override {
    return [held = heldJobPaths()] { return listTree(held); };
  }

  IoStats testParseIoStat(const std::string& text, const std::string& format) override {
    if (format == "io.stat") return parseIoStat(text, nullptr);
    // blkio: the io_service_bytes text, a line "--", then the io_serviced text.
    size_t sep = text.find("\n--\n");
    std::string bytes = sep == std::string::npos ? text : text.substr(0, sep + 1);
    std::string ops = sep == std::string::npos ? "" : text.substr(sep + 4);
    return parseBlkio(bytes, ops, nullptr);
  }
  std::optional<uint64_t> testParseMax(const std::string& text) override {
    std::optional<uint64_t> v;
    if (!parseMaxValue(text, v)) throw Error("EINVAL", "'" + text + "' is neither a number nor max (EINVAL)");
    return v;
  }
  CpuThrottling testParseCpuStat(const std::string& text, const std::string& format) override {
    auto t = parseCpuThrottling(text, format == "v1");
    return t ? *t : CpuThrottling{};
  }
  void startPoller() override { poller_->start(); }
  void stopPoller() override { poller_->stop(); }

 private:
  std::shared_ptr<Poller> poller_;
};

}  // namespace

std::atomic<uint64_t> generatedNames{0};

std::shared_ptr<Job> createJobUnder(const JobParent& parent, const std::optional<std::string>& name,
                                    const LimitChanges& limits, const std::shared_ptr<Poller>& poller) {
  LinuxJobParams p;
  std::map<std::string, std::string> why;
  if (parent.v2) enableV2Controllers(parent.dir, parent.ownsV2, why);
  p.id = nextJobId++;
  p.created = true;
  p.v2 = parent.v2;
  for (int attempt = 0;; ++attempt) {
    p.name = name ? *name : "job-" + std::to_string(::getpid()) + "-" + std::to_string(++generatedNames);
    p.dir = parent.dir + "/" + p.name;
    if (::mkdir(p.dir.c_str(), 0755) == 0) break;
    int err = errno;
    if (err == EEXIST && !name && attempt < 1000) continue;  // a leftover of an earlier run
    if (err == EEXIST) {
      throw Error("EEXIST", "cannot create job " + p.name + ": a job (cgroup) of that name already exists in " +
                                parent.dir + " (EEXIST)");
    }
    throwErrno(err, "cannot create job " + p.name + " in " + parent.dir);
  }
  // Below a thread root (rule 3 above; left so by an older JobScope or another tool) the new cgroup is
  // "domain invalid" and would refuse every process: say so now rather than at the first attach.
  {
    std::string type;
    if (readFile(p.dir + "/cgroup.type", type) && type.rfind("domain invalid", 0) == 0) {
      ::rmdir(p.dir.c_str());
      throw Error("EOPNOTSUPP", "cannot create job " + p.name + " in " + parent.dir +
                                    ": a cgroup there would be \"domain invalid\" and refuse every process, because an "
                                    "ancestor is a thread root (it holds processes and has the threaded controllers "
                                    "cpu or pids enabled for its children) (EOPNOTSUPP)");
    }
  }
  std::set<std::string> v2;
  {
    std::string text;
    readFile(p.dir + "/cgroup.controllers", text);
    std::istringstream in(text);
    std::string c;
    while (in >> c) v2.insert(c);
  }
  // One cgroup in each v1 hierarchy that carries a controller v2 lacks here (every one we use on
  // v1-only hosts, where p.dir is the tree hierarchy's, reused below as its own "mirror"). Best effort:
  // a mirror that cannot be made leaves the controller unsupported, with the reason.
  bool v2Freeze = exists(p.dir + "/cgroup.freeze");
  for (const auto& [controller, base] : parent.v1Dirs) {
    std::string v2name = controller == "blkio" ? "io" : controller;
    // v2's core cpu.stat counts CPU usage, so cpuacct is only needed without cgroup2.
    bool onV2 = controller == "freezer" ? v2Freeze : controller == "cpuacct" ? parent.v2 : v2.count(v2name) > 0;
    if (onV2) continue;
    if (::mkdir(base.c_str(), 0755) != 0 && errno != EEXIST) {
      why[v2name] = "cannot create the v1 " + controller + " cgroup " + base + " (" + errnoName(errno) + ")";
      continue;
    }
    std::string mirror = base + "/" + p.name;
    if (::mkdir(mirror.c_str(), 0755) != 0) {
      int err = errno;
      // A leftover of an earlier run is reused only while it is empty.
      std::string tasks;
      if (err != EEXIST || !readFile(mirror + "/cgroup.procs", tasks) || !parsePids(tasks).empty()) {
        why[v2name] = "cannot create the v1 " + controller + " cgroup " + mirror + " (" + errnoName(err) + ")";
        continue;
      }
    }
    p.v1[controller] = mirror;
  }
  if (v2.count("memory") && exists(p.dir + "/memory.current")) {
    p.memorySource = "cgroup2";
  } else if (p.v1.count("memory")) {
    p.memorySource = "cgroup1";
  } else {
    p.memorySource = "procfs";
  }
  p.missingWhy = why;
  auto job = std::make_shared<LinuxJob>(std::move(p), poller);
  applyInitialLimits(job, limits);
  return job;
}

}  // namespace linux_impl

std::unique_ptr<Backend> Backend::create(NotificationSink sink) {
  // Every job keeps its cgroup files (and its members' /proc/<pid>/stat) open, so thousands of
  // jobs need thousands of fds: lift the soft RLIMIT_NOFILE to the hard limit. Node already does
  // this at start-up on Linux (a node started with 1024:20000 runs with 20000:20000); an embedder
  // that does not gets it here. Nothing in the process uses select(), which a soft limit above
  // 1024 could break. The member-fd budget (linux_job.cc) is taken from the raised limit.
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  return std::make_unique<linux_impl::LinuxBackend>(std::move(sink));
}

}  // namespace jobscope
