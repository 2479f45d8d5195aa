// A job on Linux: one cgroup v2 directory plus, on hybrid hosts, one cgroup in each v1
// hierarchy that carries a controller the v2 directory lacks (memory, cpu, blkio, pids,
// freezer); on v1-only hosts, one cgroup of the same path in each v1 hierarchy we use. They hold
// the same processes: assign() and launch() put a process in each, close() removes all of them.
// The stat files are opened once and pread() on every sample.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "../backend.h"
#include "fd.h"
#include "poller.h"
#include "procfs.h"

namespace jobscope::linux_impl {

struct LinuxJobParams {
  uint32_t id = 0;
  std::string name;
  // The job's path: its cgroup v2 directory, or on v1-only hosts its directory in the tree hierarchy
  // (CgroupHost::treeController), which is then also one of `v1`.
  std::string dir;
  bool v2 = true;           // dir is a cgroup v2 directory
  bool created = false;
  std::string memorySource; // "cgroup2" | "cgroup1" | "procfs"
  // v1 controller ("memory", "cpu", "blkio", "pids", "freezer") -> this job's directory there.
  std::map<std::string, std::string> v1;
  // controller -> why it is unavailable to this job (for limits()' unsupported reasons).
  std::map<std::string, std::string> missingWhy;
};

// Where a new job goes: its parent directory (v2, or on v1-only hosts the tree hierarchy's) and its
// parent directory in each v1 hierarchy it mirrors into.
struct JobParent {
  std::string dir;
  bool v2 = true;       // dir is a cgroup v2 directory
  std::map<std::string, std::string> v1Dirs;
  bool ownsV2 = false;  // we created dir (so may enable controllers in its parent)
};

// Creates a job (v2 cgroup + v1 mirrors) under `parent`, applies `limits`; on a failure of
// the limits, removes it again and rethrows. Implemented in linux_backend.cc.
std::shared_ptr<Job> createJobUnder(const JobParent& parent, const std::optional<std::string>& name,
                                    const LimitChanges& limits, const std::shared_ptr<Poller>& poller);

// Open jobs' v2 paths by id (listJobs' heldJobId).
std::map<std::string, uint32_t> heldJobPaths();

class LinuxJob : public Job {
 public:
  LinuxJob(LinuxJobParams params, std::shared_ptr<Poller> poller);
  ~LinuxJob() override;

  uint32_t id() const override { return p_.id; }
  const std::string& name() const override { return p_.name; }
  const std::string& path() const override { return p_.dir; }
  bool created() const override { return p_.created; }
  bool closed() const override { return closed_; }

  void assign(int64_t pid) override;
  std::vector<int64_t> pids() override;
  ProcessorStats processorStats() override;
  MemoryStats memoryStats() override;
  uint64_t privateWorkingSet() override;
  void terminate(uint32_t exitCode) override;
  void close() override;
  JobSample sample() override;

  LimitsReport limits() override;
  LimitsReport setLimits(const LimitChanges& changes) override;
  IoStats ioStats() override;
  void enableIoTracking() override {}
  int64_t launch(const LaunchOptions& options) override;
  void freeze() override;
  void thaw() override;
  std::shared_ptr<Job> createChild(const std::optional<std::string>& name, const LimitChanges& limits) override;

  // Where a controller lives for this job: "v2", "v1" or "" (unavailable).
  std::string where(const std::string& controller) const;
  // Removes the cgroups of a job whose creation failed half-way (no members yet).
  void discard();

 private:
  void checkOpen() const;
  // Reads cgroup.procs; false (errno set) when it cannot be read.
  bool readPids(std::vector<int64_t>& pids);
  // seen: the poller's count of distinct members (totalProcesses).
  ProcessorStats readProcessor(const std::vector<int64_t>& pids, uint64_t seen);
  // previous: a quiet tick's last figures, whose peak and memory.stat part are kept while the charge
  // (memory.current / usage_in_bytes) has not moved.
  MemoryStats readMemory(const std::vector<int64_t>& pids, const MemoryStats* previous = nullptr);
  uint64_t readAnon(const std::vector<int64_t>& pids);
  std::optional<CpuThrottling> readThrottling();
  std::optional<bool> readFrozen();
  // v2: whether cgroup.events may have changed since this job last read it (see sample()), from the
  // poller's count of its changes.
  bool eventsMayHaveChanged(const std::optional<uint64_t>& changes) const;
  void killLoop();
  // Throws EPERM when init or JobScope itself is in the job's cgroup or below: `action` ("terminate",
  // "freeze") would `consequence` them.
  void refuseIfHoldsVitalProcess(const char* action, const char* consequence) const;
  // The cgroup.procs files a new member must be written to: v2 first, then each v1 mirror.
  std::vector<std::string> procsFiles() const;
  // Distinct v1 directories (co-mounted controllers share one).
  std::vector<std::string> v1DirsUnique() const;
  std::string unsupportedWhy(const std::string& field) const;
  void setFreeze(bool frozen);

  // One member's /proc/<pid>/stat, kept open while the member lives. The fd is tied to the
  // process, not to the number: once it has exited, reads fail with ESRCH, even if the pid has
  // been reused since. The start time is checked as well, belt and braces.
  struct MemberFile {
    KeptFile stat;
    uint64_t startTicks = 0;
    uint64_t tick = 0;  // the last sample that listed it
  };
  // Reads a member's stat through its kept fd (opening it on first sight, within the budget) or,
  // past the budget, with open/read/close. false: it has exited (skip it).
  bool readMember(int64_t pid, ProcStat& st);
  // Reads every member's stat into s.processes and closes the files of members no longer listed.
  void readMembers(JobSample& s, const std::vector<int64_t>& list);
  void dropMemberFiles();

  LinuxJobParams p_;
  std::shared_ptr<Poller> poller_;
  bool closed_ = false;
  // Every file a sample reads, opened once. Which of them exist depends on where each controller
  // lives (v2 or a v1 mirror), which is fixed for the job's life, so decided once.
  KeptFile procs_, cpuStat_, memCurrent_, memPeak_, memStat_, events_;
  KeptFile cpuStatV1_, cpuacctStat_, ioStat_, blkioBytes_, blkioOps_, freezerState_;
  std::string whereCpu_, whereIo_, whereFreezer_;
  std::vector<int64_t> pidList_;  // the last cgroup.procs, kept to reuse its storage
  std::unordered_map<int64_t, MemberFile> members_;
  uint64_t tick_ = 0;
  size_t keptThisTick_ = 0;  // members_ entries read in this tick
  uint64_t procfsPeak_ = 0;  // procfs source: highest sum of members' RSS seen
  std::set<std::string> v2Controllers_;  // this job's cgroup.controllers
  // What a quiet tick reuses (see sample()): the last sample's figures, the CPU time and member
  // list they went with, whether the job ran in the tick before, and when everything was last read.
  JobSample last_;
  bool haveLast_ = false;
  uint64_t lastCpuUs_ = 0;
  std::vector<int64_t> lastPids_;
  bool ranLastTick_ = false;
  double fullReadAt_ = 0;
  std::optional<uint64_t> eventsChangesRead_;  // the poller's count when cgroup.events was last read
  std::optional<bool> frozenRead_;             // what readFrozen() read last (freeze()/thaw() read too)
};

}  // namespace jobscope::linux_impl
