// Backend::create for Linux: creating and opening jobs (cgroups) and host-wide queries.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdlib>
#include <sstream>

#include "../backend.h"
#include "cgroup_host.h"
#include "errors.h"
#include "linux_job.h"
#include "poller.h"
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

const CgroupHost& requireV2(const std::string& action) {
  const CgroupHost& host = cgroupHost();
  if (host.cgroup2Mount.empty()) {
    throw Error("ENOTSUP", "cannot " + action + ": no cgroup2 hierarchy is mounted on this host (ENOTSUP)");
  }
  return host;
}

// Makes the v2 memory controller available to children of `parent`, if the host lets us.
// It fails (EBUSY) where the cgroup holds processes itself ("no internal processes").
bool enableV2Memory(const std::string& parent, bool parentIsOurs) {
  if (parentIsOurs && !hasController(parent, "memory") && hasController(dirname(parent), "memory")) {
    writeFile(dirname(parent) + "/cgroup.subtree_control", "+memory");
  }
  if (!hasController(parent, "memory")) return false;
  return writeFile(parent + "/cgroup.subtree_control", "+memory");
}

// Whether createJob could enable +memory in `own` for its "jobscope" child. A cgroup holding processes
// (we are in `own`) may not enable controllers for its children ("no internal processes"), except the
// hierarchy's real root, the one cgroup without a cgroup.type file (a namespace's root has one).
bool ownCanGiveMemory(const std::string& own) {
  if (!hasController(own, "memory")) return false;
  if (!exists(own + "/cgroup.type")) return true;
  std::string enabled, word;
  if (!readFile(own + "/cgroup.subtree_control", enabled)) return false;
  std::istringstream words(enabled);
  while (words >> word) {
    if (word == "memory") return true;  // already enabled (by whoever made us a thread root)
  }
  return false;
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
    // What createJob would pick for a job under the default parent.
    std::string parent = host.defaultParent();
    if (!host.cgroup2Mount.empty() &&
        (isDir(parent) ? hasController(parent, "memory") : ownCanGiveMemory(host.ownV2Dir))) {
      info.memorySource = "cgroup2";
    } else if (!host.v1MemoryDir.empty()) {
      info.memorySource = "cgroup1";
    } else {
      info.memorySource = "procfs";
    }
    return info;
  }

  std::shared_ptr<Job> createJob(const std::optional<std::string>& name,
                                 const std::optional<std::string>& parentOpt) override {
    const CgroupHost& host = requireV2("create a job");
    std::string parent;
    bool parentIsOurs = false;
    if (parentOpt) {
      std::string resolved;
      if (!canonical(*parentOpt, resolved)) {
        throwErrno(errno, "cannot create a job in " + *parentOpt);
      }
      if (!host.insideV2(resolved) || !exists(resolved + "/cgroup.procs")) {
        throw Error("ENOTCGROUP", "cannot create a job in " + *parentOpt +
                                      ": it is not a cgroup v2 directory under " +
                                      host.cgroup2Mount + " (ENOTCGROUP)");
      }
      parent = resolved;
    } else {
      parent = host.defaultParent();
      if (::mkdir(parent.c_str(), 0755) == 0) {
        parentIsOurs = true;
      } else if (errno != EEXIST) {
        throwErrno(errno, "cannot create the jobs' parent cgroup " + parent);
      }
    }
    bool v2Memory = enableV2Memory(parent, parentIsOurs || !parentOpt);

    LinuxJobParams p;
    p.id = nextJobId++;
    p.created = true;
    for (int attempt = 0;; ++attempt) {
      p.name = name ? *name : "job-" + std::to_string(::getpid()) + "-" + std::to_string(++generated_);
      p.dir = parent + "/" + p.name;
      if (::mkdir(p.dir.c_str(), 0755) == 0) break;
      int err = errno;
      if (err == EEXIST && !name && attempt < 1000) continue;  // a leftover of an earlier run
      if (err == EEXIST) {
        throw Error("EEXIST", "cannot create job " + p.name + ": a job (cgroup) of that name already exists in " +
                                  parent + " (EEXIST)");
      }
      throwErrno(err, "cannot create job " + p.name + " in " + parent);
    }
    if (v2Memory && exists(p.dir + "/memory.current")) {
      p.memorySource = "cgroup2";
    } else if (!host.v1MemoryDir.empty() && makeV1Mirror(host, p)) {
      p.memorySource = "cgroup1";
    } else {
      p.memorySource = "procfs";
    }
    return std::make_shared<LinuxJob>(std::move(p), poller_);
  }

  std::shared_ptr<Job> openJob(const std::string& path) override {
    const CgroupHost& host = requireV2("open a job");
    // An absolute path inside the mount is taken as is; anything else is relative to the
    // hierarchy's root ("/user.slice" -> <mount>/user.slice).
    std::string candidate = path;
    if (!host.insideV2(path)) {
      candidate = host.cgroup2Mount + (path.empty() || path[0] != '/' ? "/" : "") + path;
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
    if (!host.insideV2(resolved)) {
      throw Error("ENOTCGROUP", "cannot open " + path + " as a job: " + resolved +
                                    " is not inside the cgroup2 hierarchy mounted at " + host.cgroup2Mount +
                                    " (ENOTCGROUP)");
    }
    if (!isDir(resolved) || !exists(resolved + "/cgroup.procs")) {
      throw Error("ENOTCGROUP", "cannot open " + path + " as a job: " + resolved +
                                    " is not a cgroup directory (no cgroup.procs) (ENOTCGROUP)");
    }
    LinuxJobParams p;
    p.id = nextJobId++;
    p.created = false;
    p.dir = resolved;
    p.name = resolved == host.cgroup2Mount ? "/" : resolved.substr(resolved.rfind('/') + 1);
    p.memorySource = exists(resolved + "/memory.current") ? "cgroup2" : "procfs";
    return std::make_shared<LinuxJob>(std::move(p), poller_);
  }

  std::vector<ProcessInfo> listProcesses() override { return listAllProcesses(); }
  void startPoller() override { poller_->start(); }
  void stopPoller() override { poller_->stop(); }

 private:
  // The v1 memory mirror: <our v1 memory cgroup>/jobscope/<name>. Best effort: without it
  // the job counts memory from procfs.
  static bool makeV1Mirror(const CgroupHost& host, LinuxJobParams& p) {
    std::string base = host.v1MemoryDir + "/jobscope";
    if (::mkdir(base.c_str(), 0755) != 0 && errno != EEXIST) return false;
    std::string mirror = base + "/" + p.name;
    if (::mkdir(mirror.c_str(), 0755) != 0) {
      // A leftover of an earlier run is reused only while it is empty.
      std::string tasks;
      if (errno != EEXIST || !readFile(mirror + "/cgroup.procs", tasks) || !parsePids(tasks).empty()) {
        return false;
      }
    }
    p.v1Mirror = mirror;
    return true;
  }

  std::shared_ptr<Poller> poller_;
  uint64_t generated_ = 0;
};

}  // namespace
}  // namespace linux_impl

std::unique_ptr<Backend> Backend::create(NotificationSink sink) {
  return std::make_unique<linux_impl::LinuxBackend>(std::move(sink));
}

}  // namespace jobscope
