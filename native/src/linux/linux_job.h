// A job on Linux: one cgroup v2 directory (plus, on hybrid hosts without the v2 memory
// controller, a mirror cgroup in the v1 memory hierarchy that holds the same processes so
// their memory can be counted). The stat files are opened once and pread() on every sample.
#pragma once

#include <memory>
#include <string>

#include "../backend.h"
#include "fd.h"
#include "poller.h"

namespace jobscope::linux_impl {

struct LinuxJobParams {
  uint32_t id = 0;
  std::string name;
  std::string dir;          // the cgroup v2 directory
  bool created = false;
  std::string memorySource; // "cgroup2" | "cgroup1" | "procfs"
  std::string v1Mirror;     // cgroup1 only: the v1 memory mirror directory
};

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

 private:
  void checkOpen() const;
  // Reads cgroup.procs; false (errno set) when it cannot be read.
  bool readPids(std::vector<int64_t>& pids);
  ProcessorStats readProcessor(const std::vector<int64_t>& pids);
  MemoryStats readMemory(const std::vector<int64_t>& pids);
  uint64_t readAnon(const std::vector<int64_t>& pids);
  void killLoop();
  void refuseIfHoldsVitalProcess() const;

  LinuxJobParams p_;
  std::shared_ptr<Poller> poller_;
  bool closed_ = false;
  Fd procs_, cpuStat_, memCurrent_, memPeak_, memStat_;
  uint64_t procfsPeak_ = 0;  // procfs source: highest sum of members' RSS seen
};

}  // namespace jobscope::linux_impl
