// The one notification thread for all jobs. It learns about forks and exits from the netlink
// proc connector (or, without CAP_NET_ADMIN, from one pidfd per member), about "the job became
// empty" from inotify on each job's cgroup.events (v1: from its cgroup.procs once the last member
// exited), and compares every job's cgroup.procs with its members about once a second to catch what
// those miss: with the list the sampler just read (see sampled()), else by reading it. Exits cannot be
// attributed by reading /proc/<pid>/cgroup at exit time (the task has left its cgroup by then), so
// every job keeps the set of its member pids and events are matched against it.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "../backend.h"
#include "fd.h"

namespace jobscope::linux_impl {

// The limit counters a job's notifications come from; "" = none.
struct PollerLimitFiles {
  std::string memoryEvents;  // v2 memory.events (oom_kill -> JOB_MEMORY_LIMIT)
  std::string v1MemoryDir;   // v1: memory.oom_control's oom_kill, woken by an eventfd
  std::string pidsEvents;    // v2 or v1 pids.events (max -> ACTIVE_PROCESS_LIMIT)
};

class Poller {
 public:
  explicit Poller(NotificationSink sink);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void start();
  void stop();
  // "netlink" or "pidfd": decided once, when the connector is probed in the constructor.
  const char* exitEvents() const { return netlink_.valid() ? "netlink" : "pidfd"; }

  // Starts tracking a job's cgroup; processes already in it are reported as NEW_PROCESS.
  // procsFd/eventsFd: the job's own open cgroup.procs and cgroup.events, shared rather than
  // opened a second time (2 fds per job saved); they must stay open until remove(jobId) returns.
  // -1: the poller opens (and owns) its own. On v1 (no cgroup.events) procsFd is not used.
  void add(uint32_t jobId, const std::string& dir, const PollerLimitFiles& limits = {}, int procsFd = -1,
           int eventsFd = -1);
  // Stops tracking it; once this returns the poller emits nothing more for the job.
  void remove(uint32_t jobId);
  // assign() succeeded: report the pid now rather than at the next reconcile.
  void noteAssigned(uint32_t jobId, int64_t pid);
  // Distinct processes seen in the job since it was added.
  uint64_t seenCount(uint32_t jobId);
  // What a sample needs from the poller, taken under one lock: seenCount() and eventsChanges().
  struct SampleView {
    uint64_t seen = 0;
    std::optional<uint64_t> eventsChanges;
  };
  // The sampler read the job's cgroup.procs (`pids`, read at `readAt`): the poller reconciles the job
  // with that list now instead of reading it itself at its next round. `quiet`: the sample found that no
  // member ran since the job's previous sample (CPU time to the microsecond and member list unchanged).
  // A refused fork or an OOM kill needs a member running, so until a sample says otherwise the limit
  // counters of such a job are read only every kLimitsBackstopMs (poller.cc), not every round.
  SampleView sampled(uint32_t jobId, const std::vector<int64_t>& pids, double readAt, bool quiet);
  // Proc connector messages the kernel dropped (receive buffer overrun), host-wide, since start:
  // counted exactly from the gaps in each CPU's message sequence numbers.
  uint64_t kernelEventsDropped() const { return kernelEventsDropped_; }
  // How many changes of the job's cgroup.events inotify has reported; nullopt when the file is not
  // watched (no inotify), so a reader cannot know and must read it.
  std::optional<uint64_t> eventsChanges(uint32_t jobId);

 private:
  struct Member {
    double missingSince = 0;  // when reconcile first missed it from cgroup.procs
    Fd pidfd;                 // pidfd mode only
  };
  struct Tracked {
    uint32_t jobId = 0;
    std::string dir;
    Fd ownProcsFd, ownEventsFd;  // only when the job did not lend its own
    int procsFd = -1, eventsFd = -1;  // what is read: the job's fds or the two above
    int wd = -1;
    uint64_t eventsChanges = 0;
    int populated = -1;
    bool gone = false;
    std::map<int64_t, Member> members;
    // Exits already reported, with their time: a dying process can linger in cgroup.procs after
    // its leader's exit message (other threads still exiting); it must not come back as new.
    std::map<int64_t, double> exited;
    uint64_t seen = 0;
    // When cgroup.procs was last compared with `members` (read by the poller or handed over by sampled()),
    // the list it held, and whether members changed since otherwise (then the same list is news again).
    double procsReadAt = 0;
    std::vector<int64_t> procsList;
    bool membersChanged = false;
    // Limit counters: when last read; whether a sample since then saw the job run, and the time up to
    // which samples vouch it did not (0: never).
    double limitsReadAt = 0;
    bool ranSinceLimits = false;
    double quietUntil = 0;
    // Set when cgroup.events says the job just emptied: ACTIVE_PROCESS_ZERO waits (briefly)
    // for these members' exit events so that EXIT_PROCESS comes first.
    bool zeroPending = false;
    double zeroDeadline = 0;
    std::set<int64_t> zeroWaitFor;
    // Limit counters: the files, their inotify watches, the v1 OOM eventfd, the last values.
    Fd memEventsFd, pidsEventsFd, oomEventFd;
    bool memV1 = false;
    std::vector<int> limitWds;
    uint64_t lastOomKill = 0, lastPidsMax = 0;
  };

  void run();
  bool probeNetlink();
  // All below run with mu_ held.
  void drainNetlink(double now);
  void handleInotify(double now);
  void handlePidfd(uint64_t tag, double now);
  void checkEvents(Tracked& job, double now, bool drainFirst);
  // Reads the job's cgroup.procs and reconciles it with `members`.
  void reconcile(Tracked& job, double now);
  // Reconciles `members` with a cgroup.procs list read at `readAt`.
  void reconcileList(Tracked& job, const std::vector<int64_t>& pids, double readAt, double now);
  // Every job whose cgroup.procs no sample handed over within the last round (readAll: every job); the
  // limit counters of every job not vouched quiet.
  void reconcileAll(double now, bool readAll = false);
  void memberExited(Tracked& job, int64_t pid, double now);
  void beginZero(Tracked& job, double now);
  // A member left cgroup.procs without an exit message: reported as exited if it is gone (its
  // message was lost), else dropped silently (it moved to another cgroup).
  void memberLeft(Tracked& job, int64_t pid, double now);
  // After an overrun: every known member that exited meanwhile is reported, cgroup.procs re-read,
  // and each job told how many kernel messages were dropped.
  void resyncAfterOverrun(uint64_t dropped, double now);
  // Counts the messages missing before `seq` on `cpu`.
  uint64_t sequenceGap(uint32_t cpu, uint32_t seq);
  void checkZero(Tracked& job, double now);
  void checkLimits(Tracked& job, double now);
  void readLimitCounters(Tracked& job, uint64_t& oomKill, uint64_t& pidsMax);
  void addMember(Tracked& job, int64_t pid, double now);
  void dropMember(Tracked& job, int64_t pid);
  // The jobs that list `pid` as a member, in id order (two only when both hold one cgroup).
  std::vector<uint32_t> jobsOf(int64_t pid) const;
  void unindexMember(uint32_t jobId, int64_t pid);
  // Queues a notification; the reference is valid until the next emit.
  Notification& emit(const Tracked& job, const char* kind, int64_t pid, double now);
  void flush();
  int timeoutMs(double now) const;

  NotificationSink sink_;
  Fd epoll_, wake_, inotify_, netlink_;
  std::mutex mu_;
  std::map<uint32_t, std::unique_ptr<Tracked>> jobs_;
  // Every member pid -> its jobs, and the jobs waiting to report ACTIVE_PROCESS_ZERO: the proc connector
  // reports every fork and exit on the host, and each wake-up must not visit every job.
  std::unordered_map<int64_t, std::vector<uint32_t>> memberJobs_;
  std::set<uint32_t> zeroJobs_;
  std::map<int, std::set<uint32_t>> wdJobs_;  // two opened jobs can share one cgroup (one wd)
  std::map<int, std::set<uint32_t>> limitWdJobs_;  // memory.events / pids.events watches
  std::vector<Notification> batch_;
  std::vector<int64_t> present_;  // reconcileList's sorted copy of the list, kept for its storage
  double lastReconcile_ = 0;
  std::map<uint32_t, uint32_t> lastSeq_;  // per CPU: the proc connector numbers messages per CPU
  std::atomic<uint64_t> kernelEventsDropped_{0};
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace jobscope::linux_impl
