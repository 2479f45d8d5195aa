#include "linux_job.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "cgroup_host.h"
#include "errors.h"
#include "procfs.h"

namespace jobscope::linux_impl {
namespace {

Fd openRead(const std::string& path) { return Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)); }

uint64_t readU64(const Fd& fd, bool& ok) {
  std::string text;
  uint64_t value = 0;
  ok = fd.valid() && preadAll(fd.get(), text) && parseU64(text, value);
  return value;
}

// rmdir that tolerates the short window in which the kernel still counts an exited process:
// right after the last member exits, rmdir can fail with EBUSY for a few milliseconds.
// Returns 0 (removed or already gone) or the errno of the last attempt.
int removeCgroupDir(const std::string& dir) {
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return 0;
    if (errno != EBUSY || attempt >= 20) return errno;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // bounded: ~1 s in all
  }
}

}  // namespace

LinuxJob::LinuxJob(LinuxJobParams params, std::shared_ptr<Poller> poller)
    : p_(std::move(params)), poller_(std::move(poller)) {
  procs_ = openRead(p_.dir + "/cgroup.procs");
  cpuStat_ = openRead(p_.dir + "/cpu.stat");
  if (p_.memorySource == "cgroup2") {
    memCurrent_ = openRead(p_.dir + "/memory.current");
    memPeak_ = openRead(p_.dir + "/memory.peak");  // missing before kernel 5.19
    memStat_ = openRead(p_.dir + "/memory.stat");
  } else if (p_.memorySource == "cgroup1") {
    memCurrent_ = openRead(p_.v1Mirror + "/memory.usage_in_bytes");
    memPeak_ = openRead(p_.v1Mirror + "/memory.max_usage_in_bytes");
    memStat_ = openRead(p_.v1Mirror + "/memory.stat");
  }
  poller_->add(p_.id, p_.dir);
}

LinuxJob::~LinuxJob() {
  // Dropped without close(): stop watching, but leave the cgroup (and its processes) alone.
  if (!closed_) poller_->remove(p_.id);
}

void LinuxJob::checkOpen() const {
  if (closed_) throw Error("ECLOSED", "job " + p_.name + " is closed");
}

bool LinuxJob::readPids(std::vector<int64_t>& pids) {
  std::string text;
  if (!procs_.valid()) {
    errno = ENOENT;
    return false;
  }
  if (!preadAll(procs_.get(), text)) return false;
  pids = parsePids(text);
  return true;
}

void LinuxJob::assign(int64_t pid) {
  checkOpen();
  const std::string what = "cannot attach pid " + std::to_string(pid) + " to job " + p_.name;
  if (!writeFile(p_.dir + "/cgroup.procs", std::to_string(pid))) {
    int err = errno;
    if (err == EINVAL) {
      throw Error("EINVAL", what + ": the kernel refused to move it (a kernel thread or a "
                                  "process in the middle of exiting) (EINVAL)");
    }
    if (err == EBUSY) {
      throw Error("EBUSY", what + ": the cgroup has controllers enabled for child cgroups, "
                                  "so it cannot hold processes itself (EBUSY)");
    }
    throwErrno(err, what);
  }
  // The mirror counts memory only; forked children inherit both memberships.
  if (!p_.v1Mirror.empty() && !writeFile(p_.v1Mirror + "/cgroup.procs", std::to_string(pid))) {
    throwErrno(errno, what + "'s memory cgroup (v1) " + p_.v1Mirror);
  }
  poller_->noteAssigned(p_.id, pid);
}

std::vector<int64_t> LinuxJob::pids() {
  checkOpen();
  std::vector<int64_t> pids;
  if (!readPids(pids)) throwErrno(errno, "cannot list the processes of job " + p_.name);
  return pids;
}

ProcessorStats LinuxJob::readProcessor(const std::vector<int64_t>& pids) {
  ProcessorStats stats;
  std::string text;
  // usage/user/system_usec are in cpu.stat even without the cpu controller enabled.
  if (cpuStat_.valid() && preadAll(cpuStat_.get(), text)) {
    findKeyValue(text, "user_usec", stats.userTimeUs);
    findKeyValue(text, "system_usec", stats.kernelTimeUs);
  }
  stats.activeProcesses = pids.size();
  stats.totalProcesses = std::max<uint64_t>(poller_->seenCount(p_.id), pids.size());
  return stats;
}

MemoryStats LinuxJob::readMemory(const std::vector<int64_t>& pids) {
  MemoryStats stats;
  stats.source = p_.memorySource;
  if (p_.memorySource == "procfs") {
    for (int64_t pid : pids) {
      ProcStat st;
      if (readProcStat(pid, st)) stats.currentBytes += st.rssPages * pageSize();
    }
    procfsPeak_ = std::max(procfsPeak_, stats.currentBytes);
    stats.peakBytes = procfsPeak_;
    return stats;
  }
  bool ok = false;
  stats.currentBytes = readU64(memCurrent_, ok);
  uint64_t peak = readU64(memPeak_, ok);
  if (ok) stats.peakBytes = peak;
  return stats;
}

uint64_t LinuxJob::readAnon(const std::vector<int64_t>& pids) {
  uint64_t anon = 0;
  if (p_.memorySource == "procfs") {
    for (int64_t pid : pids) {
      uint64_t bytes = 0;
      if (readRssAnon(pid, bytes)) anon += bytes;
    }
    return anon;
  }
  std::string text;
  if (memStat_.valid() && preadAll(memStat_.get(), text)) {
    // v1's own "rss" excludes child cgroups; total_rss is the hierarchical figure.
    findKeyValue(text, p_.memorySource == "cgroup2" ? "anon" : "total_rss", anon);
  }
  return anon;
}

ProcessorStats LinuxJob::processorStats() {
  return readProcessor(pids());
}

MemoryStats LinuxJob::memoryStats() {
  std::vector<int64_t> list = pids();
  return readMemory(list);
}

uint64_t LinuxJob::privateWorkingSet() {
  std::vector<int64_t> list = pids();
  return readAnon(list);
}

// cgroup.kill kills the whole subtree, so a job at or above init's or our own cgroup would take
// the system, or JobScope, down with it.
void LinuxJob::refuseIfHoldsVitalProcess() const {
  const std::string& mount = cgroupHost().cgroup2Mount;
  for (int64_t pid : {static_cast<int64_t>(1), static_cast<int64_t>(::getpid())}) {
    std::string group;
    if (!readV2Group(pid, group)) continue;
    std::string dir = group == "/" ? mount : mount + group;
    if (dir == p_.dir || dir.rfind(p_.dir + "/", 0) == 0) {
      std::string who = pid == 1 ? "init (pid 1)" : "JobScope itself (pid " + std::to_string(pid) + ")";
      throw Error("EPERM", "refusing to terminate job " + p_.name + ": its cgroup " + p_.dir + " holds " + who +
                               ", which would be killed with it (EPERM)");
    }
  }
}

void LinuxJob::terminate(uint32_t /*exitCode: Linux cannot impose one*/) {
  checkOpen();
  refuseIfHoldsVitalProcess();
  if (writeFile(p_.dir + "/cgroup.kill", "1")) return;
  int err = errno;
  // No cgroup.kill before kernel 5.14: the file is missing although the cgroup is there.
  if (err == ENOENT && ::access((p_.dir + "/cgroup.procs").c_str(), F_OK) == 0) {
    killLoop();
    return;
  }
  throwErrno(err, "cannot terminate job " + p_.name);
}

// SIGKILL every member until none is left; repeat because members can fork meanwhile.
void LinuxJob::killLoop() {
  for (int round = 0; round < 50; ++round) {
    std::vector<int64_t> list;
    if (!readPids(list)) throwErrno(errno, "cannot terminate job " + p_.name);
    if (list.empty()) return;
    for (int64_t pid : list) ::kill(static_cast<pid_t>(pid), SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw Error("EAGAIN", "cannot terminate job " + p_.name +
                            ": its processes kept forking faster than they could be killed (EAGAIN)");
}

void LinuxJob::close() {
  checkOpen();
  if (p_.created) {
    std::vector<int64_t> list;
    bool readable = readPids(list);  // unreadable: the cgroup is gone, nothing to wait for
    auto busy = [&](size_t count) {
      return Error("EBUSY", "cannot close job " + p_.name + ": " + std::to_string(count) +
                                (count == 1 ? " process remains" : " processes remain") +
                                " in it; terminate the job first (EBUSY)");
    };
    if (readable && !list.empty()) throw busy(list.size());
    if (int err = removeCgroupDir(p_.dir)) {
      if (err == EBUSY && readPids(list) && !list.empty()) throw busy(list.size());
      if (err == EBUSY) {
        throw Error("EBUSY", "cannot close job " + p_.name + ": its cgroup " + p_.dir +
                                 " still holds child cgroups (EBUSY)");
      }
      throwErrno(err, "cannot remove the cgroup " + p_.dir + " of job " + p_.name);
    }
    // The mirror holds the same processes, all gone now; v1 reparents its charges on rmdir.
    if (!p_.v1Mirror.empty()) {
      if (int err = removeCgroupDir(p_.v1Mirror)) {
        throwErrno(err, "removed job " + p_.name + " but not its memory cgroup (v1) " + p_.v1Mirror);
      }
    }
  }
  poller_->remove(p_.id);
  procs_.reset();
  cpuStat_.reset();
  memCurrent_.reset();
  memPeak_.reset();
  memStat_.reset();
  closed_ = true;
}

JobSample LinuxJob::sample() {
  checkOpen();
  JobSample s;
  s.jobId = p_.id;
  s.time = nowMs();
  std::vector<int64_t> list;
  // A cgroup removed outside JobScope answers ENODEV through our open fd.
  if (!readPids(list)) {
    s.gone = true;
    return s;
  }
  s.processor = readProcessor(list);
  s.memory = readMemory(list);
  s.privateWorkingSetBytes = readAnon(list);
  for (int64_t pid : list) {
    ProcStat st;
    if (!readProcStat(pid, st)) continue;  // exited since cgroup.procs was read
    MemberProcess m;
    m.pid = pid;
    m.name = st.comm;
    m.cpuTimeUs = ticksToUs(st.utimeTicks + st.stimeTicks);
    m.residentBytes = st.rssPages * pageSize();
    s.processes.push_back(std::move(m));
  }
  return s;
}

}  // namespace jobscope::linux_impl
