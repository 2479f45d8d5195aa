// A job on Windows: one job object handle. Every query goes to the object itself; per-member
// figures re-check membership with IsProcessInJob because pids are reused.
#pragma once

#include <windows.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../backend.h"
#include "handle.h"
#include "iocp_poller.h"
#include "job_classes.h"

namespace jobscope::win {

struct WinJobParams {
  uint32_t id = 0;
  std::string name;
  std::string path;  // the object name as given, or '' when unnamed
  bool created = false;
  Handle handle;
  // createChild: the jobs this one nests in, outermost first (our own duplicates of their handles),
  // so that launch and assign put a process into each of them before this one.
  std::vector<Handle> ancestors;
  uint32_t parentId = 0;  // createChild: the id of the job it was created from
};

class WinJob;
// Creates a job object (named when the name is given) nested in `ancestors`, registered with the backend.
using ChildFactory =
    std::function<std::shared_ptr<WinJob>(const std::optional<std::string>&, std::vector<Handle>, uint32_t parentId)>;

class WinJob : public Job {
 public:
  WinJob(WinJobParams params, std::shared_ptr<IocpPoller> poller);
  ~WinJob() override;

  uint32_t id() const override { return p_.id; }
  const std::string& name() const override { return p_.name; }
  const std::string& path() const override { return p_.path; }
  bool created() const override { return p_.created; }
  bool closed() const override { return !p_.handle.valid(); }

  void assign(int64_t pid) override;
  std::vector<int64_t> pids() override;
  ProcessorStats processorStats() override;
  MemoryStats memoryStats() override;
  uint64_t privateWorkingSet() override;
  void terminate(uint32_t exitCode) override;
  void close() override;
  JobSample sample() override;
  // win_limits.cc: limits, CPU and IO rate control, IO counters, freeze.
  LimitsReport limits() override;
  LimitsReport setLimits(const LimitChanges& changes) override;
  IoStats ioStats() override;
  void enableIoTracking() override;
  void freeze() override;
  void thaw() override;
  // win_launch.cc: launch into the job (and its ancestors), nested children.
  int64_t launch(const LaunchOptions& options) override;
  std::shared_ptr<Job> createChild(const std::optional<std::string>& name, const LimitChanges& limits) override;

  // setLimits without the read-back: createJob/createChild apply their options.limits with it.
  void applyLimits(const LimitChanges& changes);
  HANDLE handle() const { return p_.handle.get(); }
  uint32_t parentId() const { return p_.parentId; }
  void setChildFactory(ChildFactory f) {
    childFactory_ = std::move(f);
  }
  // Whether the process (opened with a query right) is in this job or one nested in it.
  bool contains(HANDLE process) const;

 private:
  void checkOpen() const;
  std::vector<DWORD> readPids();
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION readAccounting();
  MemoryStats readMemory(const std::vector<DWORD>& pids);
  uint64_t readPrivateWorkingSet(const std::vector<DWORD>& pids);
  // Handles of the listed pids that are still in this job; the others are skipped.
  std::vector<std::pair<DWORD, Handle>> openMembers(const std::vector<DWORD>& pids) const;

  // Reads the extended limits; where this Windows answers zeros for what was set (Wine), the
  // values this handle last wrote, so that changing one limit never clears another.
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION readExtended(const std::string& what);
  // One write of the extended limits (keeping the job's time limit running), remembered as written_; or
  // false with GetLastError() set.
  bool writeExtended(JOBOBJECT_EXTENDED_LIMIT_INFORMATION info);
  // One write of the CPU rate control; false with GetLastError() set.
  bool writeCpuRate(JobCpuRateControl control);
  // Why the CPU rate class / IO rate functions cannot be used on this job; empty when they can.
  std::string cpuRateUnsupported(JobCpuRateControl* current);
  std::string ioRateUnsupported(JobIoRateControl* current);
  void assignTo(HANDLE job, DWORD pid, const std::string& jobName);

  WinJobParams p_;
  ChildFactory childFactory_;
  bool haveWritten_ = false;
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION written_{};
  bool ioTracking_ = false;  // enableIoTracking succeeded on this handle
  bool frozen_ = false;
  std::shared_ptr<IocpPoller> poller_;
  size_t pidCapacity_ = 1;  // pid-list slots to start the next query with: what the last one needed
  uint64_t sumPeak_ = 0;    // process-sum source: highest sum seen, where Windows records no peak
};

// Our own handle to the object `h` refers to, with the same rights; throws naming `what`.
Handle duplicate(HANDLE h, const std::string& what);
// Whether the process (opened with a query right) is in the job or one nested in it.
bool processInJob(HANDLE process, HANDLE job);

// Whether this Windows answers JobObjectMemoryUsageInformation (class 28); probed once.
bool jobMemoryClassSupported();

}  // namespace jobscope::win
