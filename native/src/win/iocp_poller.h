// The one notification thread for all jobs: a single IO completion port that every job object
// is associated with (completion key = our job id), read on its own std::thread. Job objects
// post JOB_OBJECT_MSG_* there themselves, in order; the pid of a per-process message comes in
// lpOverlapped. A key that no longer maps to a live job is dropped, so closing a job while its
// messages are still queued in the port is safe.
#pragma once

#include <windows.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "../backend.h"
#include "handle.h"

namespace jobscope::win {

class IocpPoller {
 public:
  explicit IocpPoller(NotificationSink sink);
  ~IocpPoller();
  IocpPoller(const IocpPoller&) = delete;
  IocpPoller& operator=(const IocpPoller&) = delete;

  void start();
  void stop();

  // Routes the job's messages to `jobId`. A job object reports to one port only, so when `job` is
  // the same object as a job already added (opened twice), that job's messages are shared instead.
  // False when the object already reports to another program's port: a job object reports to one
  // port only, so this job works but sends no notifications. Throws for other failures.
  bool add(uint32_t jobId, HANDLE job, const std::string& name);
  // Once this returns, nothing more is emitted for jobId; `job` may then be closed.
  void remove(uint32_t jobId);

 private:
  struct Route {
    uint32_t jobId;
    HANDLE job;  // owned by the WinJob, which calls remove() before closing it
  };
  struct Key {
    std::vector<Route> routes;
    // Opened at NEW_PROCESS so the exit code can still be read at EXIT_PROCESS (and the pid is
    // not reused meanwhile).
    std::map<DWORD, Handle> members;
  };

  void run();
  // With mu_ held: one completion packet to notifications for every job routed from its key.
  void decode(ULONG_PTR key, DWORD message, DWORD pid, double now, std::vector<Notification>& out);

  NotificationSink sink_;
  Handle port_;
  DWORD portError_ = 0;
  std::mutex mu_;
  std::map<ULONG_PTR, Key> keys_;
  std::thread thread_;
};

}  // namespace jobscope::win
