// A job on Windows: one job object handle. Every query goes to the object itself; per-member
// figures re-check membership with IsProcessInJob because pids are reused.
#pragma once

#include <windows.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../backend.h"
#include "handle.h"
#include "iocp_poller.h"

namespace jobscope::win {

struct WinJobParams {
  uint32_t id = 0;
  std::string name;
  std::string path;  // the object name as given, or '' when unnamed
  bool created = false;
  Handle handle;
};

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
  // Limits, IO attribution, launch-into-job and nesting are the next step of the Windows backend;
  // until then they say so (ENOTSUP) instead of pretending.
  LimitsReport limits() override;
  LimitsReport setLimits(const LimitChanges& changes) override;
  IoStats ioStats() override;
  void enableIoTracking() override;
  int64_t launch(const LaunchOptions& options) override;
  void freeze() override;
  void thaw() override;
  std::shared_ptr<Job> createChild(const std::optional<std::string>& name, const LimitChanges& limits) override;

  // Sets JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, keeping every other limit of the object.
  void setKillOnClose();
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

  WinJobParams p_;
  std::shared_ptr<IocpPoller> poller_;
  size_t pidCapacity_ = 1;  // pid-list slots to start the next query with: what the last one needed
  uint64_t sumPeak_ = 0;    // process-sum source: highest sum seen, where Windows records no peak
};

// Whether this Windows answers JobObjectMemoryUsageInformation (class 28); probed once.
bool jobMemoryClassSupported();

}  // namespace jobscope::win
