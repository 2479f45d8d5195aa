#include "poller.h"

#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "procfs.h"

namespace jobscope::linux_impl {
namespace {

// epoll tags. pidfds carry (1 << 63) | jobId << 32 | pid instead.
constexpr uint64_t kWakeTag = 1, kNetlinkTag = 2, kInotifyTag = 3;
constexpr uint64_t kPidfdBit = 1ull << 63;
constexpr uint64_t kOomBit = 1ull << 62;  // | jobId: a v1 memory.oom_control eventfd
// How often every job's cgroup.procs is compared with its members, and how long a member that left
// cgroup.procs without an exit event is kept (its exit message may still be on its way:
// the kernel leaves the cgroup before it sends the proc connector's exit message).
constexpr double kReconcileMs = 1000, kMissingGraceMs = 1000;
// How often the limit counters of a job that samples vouch quiet are read anyway: inotify and the v1 OOM
// eventfd wake the poller for most changes, but not v1 pids.events, and a job can be charged memory by
// processes outside it (swap-in of its pages).
constexpr double kLimitsBackstopMs = 10000;
// How long a reported exit shadows its pid in cgroup.procs; far shorter than pid reuse.
constexpr double kExitedMemoryMs = 5000;
// How long ACTIVE_PROCESS_ZERO waits for the last members' exit messages.
constexpr double kZeroWaitMs = 250;

bool sendMcastOp(int fd, uint32_t op, uint32_t seq) {
  alignas(nlmsghdr) char buf[NLMSG_SPACE(sizeof(cn_msg) + sizeof(uint32_t))] = {};
  auto* nl = reinterpret_cast<nlmsghdr*>(buf);
  nl->nlmsg_len = NLMSG_LENGTH(sizeof(cn_msg) + sizeof(uint32_t));
  nl->nlmsg_type = NLMSG_DONE;
  nl->nlmsg_pid = 0;
  auto* cn = reinterpret_cast<cn_msg*>(NLMSG_DATA(nl));
  cn->id.idx = CN_IDX_PROC;
  cn->id.val = CN_VAL_PROC;
  cn->seq = seq;
  cn->ack = seq;
  cn->len = sizeof(uint32_t);
  std::memcpy(cn->data, &op, sizeof op);
  return ::send(fd, buf, nl->nlmsg_len, 0) == static_cast<ssize_t>(nl->nlmsg_len);
}

// Walks the netlink messages of one datagram and calls fn for each proc_event.
template <typename Fn>
void forEachProcEvent(const char* buf, size_t len, Fn fn) {
  size_t off = 0;
  while (off + sizeof(nlmsghdr) <= len) {
    auto* nl = reinterpret_cast<const nlmsghdr*>(buf + off);
    if (nl->nlmsg_len < sizeof(nlmsghdr) || off + nl->nlmsg_len > len) break;
    if (nl->nlmsg_type != NLMSG_ERROR && nl->nlmsg_type != NLMSG_NOOP &&
        nl->nlmsg_len >= NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_event))) {
      auto* cn = reinterpret_cast<const cn_msg*>(NLMSG_DATA(nl));
      if (cn->id.idx == CN_IDX_PROC && cn->id.val == CN_VAL_PROC) {
        fn(*cn, *reinterpret_cast<const proc_event*>(cn->data));
      }
    }
    off += NLMSG_ALIGN(nl->nlmsg_len);
  }
}

// Whether the process has exited (a zombie counts): its pidfd polls readable, or it is gone.
bool processGone(int64_t pid) {
  Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0)));
  if (!pidfd.valid()) return errno == ESRCH || (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH);
  pollfd p{pidfd.get(), POLLIN, 0};
  return poll(&p, 1, 0) > 0;
}

}  // namespace

Poller::Poller(NotificationSink sink) : sink_(std::move(sink)) {
  epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
  wake_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  inotify_.reset(inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  auto watch = [this](int fd, uint64_t tag) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag;
    if (fd >= 0) epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev);
  };
  watch(wake_.get(), kWakeTag);
  watch(inotify_.get(), kInotifyTag);
  // JOBSCOPE_EXIT_EVENTS=pidfd forces the fallback, so it can be exercised where netlink works.
  const char* forced = std::getenv("JOBSCOPE_EXIT_EVENTS");
  bool wantNetlink = !(forced && std::strcmp(forced, "pidfd") == 0);
  if (wantNetlink && probeNetlink()) watch(netlink_.get(), kNetlinkTag);
}

Poller::~Poller() {
  stop();
  if (netlink_.valid()) sendMcastOp(netlink_.get(), PROC_CN_MCAST_IGNORE, 2);
}

// Opens the proc connector. The kernel refuses listeners without CAP_NET_ADMIN not through
// send() but in its acknowledgement (a PROC_EVENT_NONE carrying err), so wait for that.
bool Poller::probeNetlink() {
  Fd fd(socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR));
  if (!fd.valid()) return false;  // EPROTONOSUPPORT: no connector in this kernel
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = CN_IDX_PROC;
  addr.nl_pid = 0;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
  // A big receive buffer makes overruns (ENOBUFS) rare even when 10,000 processes exit at once:
  // about 1 KiB of kernel memory per queued message, used only while queued. JOBSCOPE_NETLINK_RCVBUF
  // (bytes) makes it small so that the overrun path can be exercised.
  int rcvbuf = 32 << 20;
  if (const char* forced = std::getenv("JOBSCOPE_NETLINK_RCVBUF")) {
    long bytes = std::strtol(forced, nullptr, 10);
    if (bytes > 0 && bytes <= rcvbuf) rcvbuf = static_cast<int>(bytes);
  }
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);
  const uint32_t seq = 0x6a6f6273;  // "jobs"
  if (!sendMcastOp(fd.get(), PROC_CN_MCAST_LISTEN, seq)) return false;
  alignas(nlmsghdr) char buf[8192];
  for (int tries = 0; tries < 50; ++tries) {
    pollfd p{fd.get(), POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) return false;  // no ack: nobody (not even we) is listening
    ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == ENOBUFS) continue;
      return false;
    }
    int ackErr = -1;
    forEachProcEvent(buf, static_cast<size_t>(n), [&](const cn_msg& cn, const proc_event& ev) {
      if (ev.what == proc_event::PROC_EVENT_NONE && cn.ack == seq + 1) {  // ack = our ack + 1
        ackErr = static_cast<int>(ev.event_data.ack.err);
      }
    });
    if (ackErr == 0) {
      netlink_ = std::move(fd);
      return true;
    }
    if (ackErr > 0) return false;  // EPERM and the like
  }
  return false;
}

void Poller::start() {
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Poller::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  uint64_t one = 1;
  ssize_t ignored = write(wake_.get(), &one, sizeof one);
  (void)ignored;  // the eventfd cannot be full; the flag is what counts
  thread_.join();
  stopping_ = false;
}

void Poller::add(uint32_t jobId, const std::string& dir, const PollerLimitFiles& limits, int procsFd,
                 int eventsFd) {
  auto job = std::make_unique<Tracked>();
  job->jobId = jobId;
  job->dir = dir;
  // Reading a shared fd from this thread while the sampler reads it on the JS thread is safe: each
  // pread at offset 0 restarts the seq_file under its lock.
  if (eventsFd < 0) job->ownEventsFd.reset(open((dir + "/cgroup.events").c_str(), O_RDONLY | O_CLOEXEC));
  job->eventsFd = eventsFd >= 0 ? eventsFd : job->ownEventsFd.get();
  // v1 (no cgroup.events): a kept cgroup.procs fd would keep serving the pid list of its first read
  // (see KeptFile::reopening), so reconcile opens it anew each time (procsFd -1).
  if (job->eventsFd >= 0) {
    if (procsFd < 0) job->ownProcsFd.reset(open((dir + "/cgroup.procs").c_str(), O_RDONLY | O_CLOEXEC));
    job->procsFd = procsFd >= 0 ? procsFd : job->ownProcsFd.get();
  }
  std::vector<std::string> limitWatch;
  if (!limits.memoryEvents.empty()) {
    job->memEventsFd.reset(open(limits.memoryEvents.c_str(), O_RDONLY | O_CLOEXEC));
    limitWatch.push_back(limits.memoryEvents);
  } else if (!limits.v1MemoryDir.empty()) {
    // v1 OOM notification: register an eventfd on memory.oom_control via cgroup.event_control.
    job->memV1 = true;
    job->memEventsFd.reset(open((limits.v1MemoryDir + "/memory.oom_control").c_str(), O_RDONLY | O_CLOEXEC));
    job->oomEventFd.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (job->memEventsFd.valid() && job->oomEventFd.valid()) {
      std::string reg = std::to_string(job->oomEventFd.get()) + " " + std::to_string(job->memEventsFd.get());
      if (writeFile(limits.v1MemoryDir + "/cgroup.event_control", reg)) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kOomBit | jobId;
        epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, job->oomEventFd.get(), &ev);
      } else {
        job->oomEventFd.reset();  // still read on every reconcile
      }
    }
  }
  if (!limits.pidsEvents.empty()) {
    job->pidsEventsFd.reset(open(limits.pidsEvents.c_str(), O_RDONLY | O_CLOEXEC));
    limitWatch.push_back(limits.pidsEvents);
  }
  readLimitCounters(*job, job->lastOomKill, job->lastPidsMax);
  std::lock_guard<std::mutex> lock(mu_);
  if (inotify_.valid()) {
    job->wd = inotify_add_watch(inotify_.get(), (dir + "/cgroup.events").c_str(), IN_MODIFY);
    if (job->wd >= 0) wdJobs_[job->wd].insert(jobId);
    for (const auto& file : limitWatch) {
      int wd = inotify_add_watch(inotify_.get(), file.c_str(), IN_MODIFY);
      if (wd >= 0) {
        limitWdJobs_[wd].insert(jobId);
        job->limitWds.push_back(wd);
      }
    }
  }
  Tracked& ref = *job;
  jobs_[jobId] = std::move(job);
  double now = nowMs();
  std::string text;
  uint64_t populated = 0;
  if (preadAll(ref.eventsFd, text) && findKeyValue(text, "populated", populated)) {
    ref.populated = populated ? 1 : 0;
  }
  reconcile(ref, now);
  flush();
}

void Poller::remove(uint32_t jobId) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(jobId);
  if (it == jobs_.end()) return;
  int wd = it->second->wd;
  auto w = wdJobs_.find(wd);
  if (w != wdJobs_.end()) {
    w->second.erase(jobId);
    if (w->second.empty()) {
      inotify_rm_watch(inotify_.get(), wd);
      wdJobs_.erase(w);
    }
  }
  for (int lwd : it->second->limitWds) {
    auto l = limitWdJobs_.find(lwd);
    if (l == limitWdJobs_.end()) continue;
    l->second.erase(jobId);
    if (l->second.empty()) {
      if (!wdJobs_.count(lwd)) inotify_rm_watch(inotify_.get(), lwd);
      limitWdJobs_.erase(l);
    }
  }
  if (it->second->oomEventFd.valid()) epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->second->oomEventFd.get(), nullptr);
  for (auto& [pid, member] : it->second->members) {
    if (member.pidfd.valid()) epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, member.pidfd.get(), nullptr);
    unindexMember(jobId, pid);
  }
  zeroJobs_.erase(jobId);
  jobs_.erase(it);
}

void Poller::noteAssigned(uint32_t jobId, int64_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(jobId);
  if (it == jobs_.end()) return;
  auto m = it->second->members.find(pid);
  if (m == it->second->members.end()) {
    addMember(*it->second, pid, nowMs());
  } else {
    m->second.missingSince = 0;
  }
  flush();
}

uint64_t Poller::seenCount(uint32_t jobId) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(jobId);
  return it == jobs_.end() ? 0 : it->second->seen;
}

Poller::SampleView Poller::sampled(uint32_t jobId, const std::vector<int64_t>& pids, double readAt, bool quiet) {
  std::lock_guard<std::mutex> lock(mu_);
  SampleView view;
  auto it = jobs_.find(jobId);
  if (it == jobs_.end()) return view;
  Tracked& job = *it->second;
  // A list older than the poller's own last read would undo what that read found.
  if (readAt >= job.procsReadAt && !job.gone) {
    bool zeroWas = job.zeroPending;
    reconcileList(job, pids, readAt, nowMs());
    flush();
    if (job.zeroPending && !zeroWas) {  // v1: the poller must wake by the deadline, not its next round
      uint64_t one = 1;
      ssize_t ignored = write(wake_.get(), &one, sizeof one);
      (void)ignored;
    }
  }
  if (quiet) job.quietUntil = std::max(job.quietUntil, readAt);
  else job.ranSinceLimits = true;
  view.seen = job.seen;
  if (job.wd >= 0) view.eventsChanges = job.eventsChanges;
  return view;
}

std::optional<uint64_t> Poller::eventsChanges(uint32_t jobId) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(jobId);
  if (it == jobs_.end() || it->second->wd < 0) return std::nullopt;
  return it->second->eventsChanges;
}

void Poller::run() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    double now = nowMs();
    drainNetlink(now);
    reconcileAll(now);
    flush();
  }
  while (!stopping_) {
    int timeout;
    {
      std::lock_guard<std::mutex> lock(mu_);
      timeout = timeoutMs(nowMs());
    }
    epoll_event events[32];
    int n = epoll_wait(epoll_.get(), events, 32, timeout);
    if (n < 0) n = 0;  // EINTR; anything else recurs and is harmless to retry
    if (stopping_) break;
    std::lock_guard<std::mutex> lock(mu_);
    double now = nowMs();
    bool net = false, ino = false;
    std::vector<uint64_t> pidfdTags;
    std::vector<uint32_t> oomJobs;
    for (int i = 0; i < n; ++i) {
      uint64_t tag = events[i].data.u64;
      if ((tag & kPidfdBit) == 0 && (tag & kOomBit)) {
        oomJobs.push_back(static_cast<uint32_t>(tag & 0xffffffffu));
      } else if (tag == kWakeTag) {
        uint64_t count;
        ssize_t ignored = read(wake_.get(), &count, sizeof count);
        (void)ignored;
      } else if (tag == kNetlinkTag) {
        net = true;
      } else if (tag == kInotifyTag) {
        ino = true;
      } else if (tag & kPidfdBit) {
        pidfdTags.push_back(tag);
      }
    }
    // Netlink first: a fork or exit that happened before a cgroup.events change is
    // reported before what that change causes.
    if (net) drainNetlink(now);
    if (ino) handleInotify(now);
    for (uint64_t tag : pidfdTags) handlePidfd(tag, now);
    for (uint32_t id : oomJobs) {
      auto it = jobs_.find(id);
      if (it == jobs_.end()) continue;
      uint64_t count;
      ssize_t ignored = read(it->second->oomEventFd.get(), &count, sizeof count);
      (void)ignored;
      checkLimits(*it->second, now);
    }
    if (now - lastReconcile_ >= kReconcileMs) reconcileAll(now);
    for (uint32_t id : std::vector<uint32_t>(zeroJobs_.begin(), zeroJobs_.end())) checkZero(*jobs_.at(id), now);
    flush();
  }
}

int Poller::timeoutMs(double now) const {
  double next = lastReconcile_ + kReconcileMs;
  for (uint32_t id : zeroJobs_) next = std::min(next, jobs_.at(id)->zeroDeadline);
  double wait = next - now;
  return wait <= 0 ? 0 : static_cast<int>(wait) + 1;
}

void Poller::drainNetlink(double now) {
  if (!netlink_.valid()) return;
  alignas(nlmsghdr) char buf[16384];
  std::vector<uint32_t> emptied;
  bool overrun = false;
  uint64_t dropped = 0;
  for (;;) {
    sockaddr_nl from{};
    socklen_t fromLen = sizeof from;
    ssize_t n = recvfrom(netlink_.get(), buf, sizeof buf, MSG_DONTWAIT,
                         reinterpret_cast<sockaddr*>(&from), &fromLen);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {  // the kernel dropped messages: cgroup.procs tells the truth
        overrun = true;
        continue;
      }
      break;  // EAGAIN: drained
    }
    if (from.nl_pid != 0) continue;  // only the kernel speaks for the proc connector
    forEachProcEvent(buf, static_cast<size_t>(n), [&](const cn_msg& cn, const proc_event& ev) {
      // Every message, acks too, takes the next number of its CPU's counter; before Linux 5.9 acks
      // carried the requester's number instead, with cpu -1.
      if (ev.cpu != UINT32_MAX) dropped += sequenceGap(ev.cpu, cn.seq);
      if (ev.what == proc_event::PROC_EVENT_FORK) {
        const auto& f = ev.event_data.fork;
        if (f.child_pid != f.child_tgid) return;  // a new thread, not a new process
        for (uint32_t id : jobsOf(f.parent_tgid)) {
          Tracked& job = *jobs_.at(id);
          if (!job.members.count(f.child_tgid)) addMember(job, f.child_tgid, now);
        }
      } else if (ev.what == proc_event::PROC_EVENT_EXIT) {
        const auto& e = ev.event_data.exit;
        if (e.process_pid != e.process_tgid) return;  // a thread ended
        for (uint32_t id : jobsOf(e.process_tgid)) {
          auto& job = jobs_.at(id);
          // exit_code is a wait(2) status: low 7 bits the killing signal, else code << 8.
          uint32_t status = e.exit_code;
          if ((status & 0x7f) == 0) {
            emit(*job, "EXIT_PROCESS", e.process_tgid, now).exitCode = (status >> 8) & 0xff;
          } else {
            int64_t sig = status & 0x7f;
            Notification& n = emit(*job, "ABNORMAL_EXIT_PROCESS", e.process_tgid, now);
            n.exitCode = 128 + sig;
            n.signal = sig;
          }
          memberExited(*job, e.process_tgid, now);
          if (job->members.empty()) emptied.push_back(id);
        }
      }
    });
  }
  if (overrun || dropped > 0) resyncAfterOverrun(dropped, now);
  // The last member's exit: cgroup.events already says populated 0 (the kernel leaves the
  // cgroup before it sends the exit message), so report ACTIVE_PROCESS_ZERO without
  // waiting for inotify.
  for (uint32_t id : emptied) {
    auto it = jobs_.find(id);
    if (it != jobs_.end()) checkEvents(*it->second, now, false);
  }
}

uint64_t Poller::sequenceGap(uint32_t cpu, uint32_t seq) {
  auto [it, first] = lastSeq_.try_emplace(cpu, seq);
  if (first) return 0;
  uint32_t gap = seq - it->second - 1;  // unsigned: wraps with the kernel's 32-bit counter
  it->second = seq;
  // A huge "gap" is a message older than the last one seen (never expected): not a loss.
  return gap < (1u << 31) ? gap : 0;
}

void Poller::resyncAfterOverrun(uint64_t dropped, double now) {
  kernelEventsDropped_ += dropped;
  for (auto& [id, job] : jobs_) {
    std::vector<int64_t> gone;
    for (const auto& [pid, member] : job->members) {
      if (processGone(pid)) gone.push_back(pid);
    }
    for (int64_t pid : gone) {
      emit(*job, "EXIT_PROCESS", pid, now);  // the status went with the lost message
      memberExited(*job, pid, now);
    }
    if (dropped > 0) emit(*job, "NOTIFICATIONS_LOST", 0, now).kernelEventsDropped = dropped;
  }
  reconcileAll(now, true);  // every job: a list a sample handed over may predate forks the overrun lost
}

void Poller::handleInotify(double now) {
  alignas(inotify_event) char buf[4096];
  std::set<uint32_t> changed, limitChanged;
  for (;;) {
    ssize_t n = read(inotify_.get(), buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
      off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      auto l = limitWdJobs_.find(ev->wd);
      if (l != limitWdJobs_.end()) {
        if (ev->mask & IN_IGNORED) {
          limitWdJobs_.erase(l);
        } else {
          limitChanged.insert(l->second.begin(), l->second.end());
        }
        continue;
      }
      auto w = wdJobs_.find(ev->wd);
      if (w == wdJobs_.end()) continue;
      if (ev->mask & IN_IGNORED) {  // the cgroup was removed; the kernel dropped the watch
        for (uint32_t id : w->second) {
          auto it = jobs_.find(id);
          if (it != jobs_.end()) {
            it->second->wd = -1;
            it->second->gone = true;
          }
        }
        wdJobs_.erase(w);
        continue;
      }
      changed.insert(w->second.begin(), w->second.end());
    }
  }
  for (uint32_t id : limitChanged) {
    auto it = jobs_.find(id);
    if (it != jobs_.end()) checkLimits(*it->second, now);
  }
  for (uint32_t id : changed) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) continue;
    ++it->second->eventsChanges;
    checkEvents(*it->second, now, true);
  }
}

void Poller::readLimitCounters(Tracked& job, uint64_t& oomKill, uint64_t& pidsMax) {
  std::string text;
  if (job.memEventsFd.valid() && preadAll(job.memEventsFd.get(), text)) findKeyValue(text, "oom_kill", oomKill);
  if (job.pidsEventsFd.valid() && preadAll(job.pidsEventsFd.get(), text)) findKeyValue(text, "max", pidsMax);
}

// One JOB_MEMORY_LIMIT per OOM kill and one ACTIVE_PROCESS_LIMIT per refused fork, from the
// kernel's own counters, so none is lost however the wake-ups coalesce. A counter that went
// backwards (the cgroup was recreated) only resets the baseline.
void Poller::checkLimits(Tracked& job, double now) {
  uint64_t oomKill = job.lastOomKill, pidsMax = job.lastPidsMax;
  readLimitCounters(job, oomKill, pidsMax);
  for (uint64_t i = job.lastOomKill; i < oomKill; ++i) emit(job, "JOB_MEMORY_LIMIT", 0, now);
  for (uint64_t i = job.lastPidsMax; i < pidsMax; ++i) emit(job, "ACTIVE_PROCESS_LIMIT", 0, now);
  job.lastOomKill = oomKill;
  job.lastPidsMax = pidsMax;
  job.limitsReadAt = now;
  job.ranSinceLimits = false;
}

void Poller::handlePidfd(uint64_t tag, double now) {
  uint32_t jobId = static_cast<uint32_t>((tag & ~kPidfdBit) >> 32);
  int64_t pid = static_cast<int64_t>(tag & 0xffffffffu);
  auto it = jobs_.find(jobId);
  if (it == jobs_.end() || !it->second->members.count(pid)) return;
  emit(*it->second, "EXIT_PROCESS", pid, now);  // a pidfd does not tell the exit status
  memberExited(*it->second, pid, now);
  if (it->second->members.empty()) checkEvents(*it->second, now, false);
}

// Re-reads cgroup.events; on populated 1 -> 0 prepares ACTIVE_PROCESS_ZERO. v1 has no cgroup.events:
// there reconcile() reads the job's cgroup.procs and does the same when it lists no process.
void Poller::checkEvents(Tracked& job, double now, bool drainFirst) {
  if (job.gone) return;
  if (job.eventsFd < 0) {
    reconcile(job, now);
    return;
  }
  std::string text;
  uint64_t populated = 0;
  if (!preadAll(job.eventsFd, text)) {
    if (errno == ENODEV || errno == ENOENT) job.gone = true;
    return;
  }
  if (!findKeyValue(text, "populated", populated)) return;
  int was = job.populated;
  job.populated = populated ? 1 : 0;
  if (was == 1 && populated == 0) {
    if (drainFirst) drainNetlink(now);  // so the members' EXIT_PROCESS come first
    beginZero(job, now);
  }
  reconcile(job, now);
}

// The job just emptied: ACTIVE_PROCESS_ZERO once the last members' exit events are in (checkZero).
void Poller::beginZero(Tracked& job, double now) {
  job.zeroPending = true;
  zeroJobs_.insert(job.jobId);
  job.zeroDeadline = now + kZeroWaitMs;
  job.zeroWaitFor.clear();
  for (const auto& [pid, member] : job.members) job.zeroWaitFor.insert(pid);
  checkZero(job, now);
}

void Poller::checkZero(Tracked& job, double now) {
  if (!job.zeroPending) return;
  bool waiting = false;
  for (int64_t pid : job.zeroWaitFor) waiting = waiting || job.members.count(pid) > 0;
  if (waiting && now < job.zeroDeadline) return;
  // Members whose exit message never came (overrun, or moved elsewhere).
  for (int64_t pid : job.zeroWaitFor) {
    if (job.members.count(pid)) memberLeft(job, pid, now);
  }
  job.zeroPending = false;
  zeroJobs_.erase(job.jobId);
  job.zeroWaitFor.clear();
  emit(job, "ACTIVE_PROCESS_ZERO", 0, now);
}

void Poller::reconcile(Tracked& job, double now) {
  if (job.gone) return;
  std::string text;
  bool read = job.procsFd >= 0 ? preadAll(job.procsFd, text) : readFile(job.dir + "/cgroup.procs", text);
  if (!read) {
    if (errno == ENODEV || errno == ENOENT) job.gone = true;
    return;
  }
  reconcileList(job, parsePids(text), now, now);
}

void Poller::reconcileList(Tracked& job, const std::vector<int64_t>& pids, double readAt, double now) {
  job.procsReadAt = readAt;
  // The usual case: the list the last reconcile made every member of, nothing since, no member outside it.
  if (!job.membersChanged && job.exited.empty() && job.members.size() == pids.size() && pids == job.procsList) return;
  present_.assign(pids.begin(), pids.end());
  std::sort(present_.begin(), present_.end());
  for (auto it = job.exited.begin(); it != job.exited.end();) {
    it = now - it->second > kExitedMemoryMs ? job.exited.erase(it) : std::next(it);
  }
  for (int64_t pid : pids) {
    if (job.exited.count(pid)) continue;
    auto m = job.members.find(pid);
    if (m == job.members.end()) {
      addMember(job, pid, now);  // attached by someone else, or a fork we missed
    } else {
      m->second.missingSince = 0;
    }
  }
  for (auto it = job.members.begin(); it != job.members.end();) {
    Member& m = it->second;
    if (std::binary_search(present_.begin(), present_.end(), it->first) || job.zeroWaitFor.count(it->first)) {
      ++it;
    } else if (m.missingSince == 0) {
      m.missingSince = now;
      ++it;
    } else if (now - m.missingSince >= kMissingGraceMs) {
      int64_t pid = it->first;
      ++it;
      memberLeft(job, pid, now);
    } else {
      ++it;
    }
  }
  if (job.eventsFd < 0) {  // v1: the job's own cgroup.procs stands in for cgroup.events' populated
    int was = job.populated;
    job.populated = pids.empty() ? 0 : 1;
    if (was == 1 && pids.empty() && !job.zeroPending) beginZero(job, now);
  }
  job.procsList = pids;
  job.membersChanged = false;
}

void Poller::memberExited(Tracked& job, int64_t pid, double now) {
  dropMember(job, pid);
  job.exited[pid] = now;
}

void Poller::memberLeft(Tracked& job, int64_t pid, double now) {
  if (processGone(pid)) {
    emit(job, "EXIT_PROCESS", pid, now);
    memberExited(job, pid, now);
  } else {
    dropMember(job, pid);
  }
}

void Poller::reconcileAll(double now, bool readAll) {
  lastReconcile_ = now;
  for (auto& [id, job] : jobs_) {
    if (readAll || now - job->procsReadAt >= kReconcileMs) reconcile(*job, now);
    // Not vouched quiet: a sample saw it run since the last read, or no sample came for a round (the
    // time since the newest one is not covered).
    if (job->ranSinceLimits || now - job->quietUntil >= kReconcileMs || now - job->limitsReadAt >= kLimitsBackstopMs) {
      checkLimits(*job, now);
    }
  }
}

void Poller::addMember(Tracked& job, int64_t pid, double now) {
  auto [slot, added] = job.members.try_emplace(pid);
  Member& member = slot->second;
  job.membersChanged = true;
  if (added) {
    std::vector<uint32_t>& ids = memberJobs_[pid];
    ids.insert(std::lower_bound(ids.begin(), ids.end(), job.jobId), job.jobId);
  }
  job.exited.erase(pid);  // assigned or forked anew: a reused pid
  ++job.seen;
  // Known populated now: cgroup.events may coalesce a quick 0 -> 1 -> 0 into one read of 0.
  job.populated = 1;
  emit(job, "NEW_PROCESS", pid, now);
  if (netlink_.valid()) return;
  member.pidfd.reset(static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0)));
  if (!member.pidfd.valid()) {
    if (errno == ESRCH) {  // already gone again
      emit(job, "EXIT_PROCESS", pid, now);
      dropMember(job, pid);
      job.exited[pid] = now;
    }
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kPidfdBit | (static_cast<uint64_t>(job.jobId) << 32) | static_cast<uint64_t>(pid);
  epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, member.pidfd.get(), &ev);
}

void Poller::dropMember(Tracked& job, int64_t pid) {
  auto it = job.members.find(pid);
  if (it == job.members.end()) return;
  if (it->second.pidfd.valid()) {
    epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->second.pidfd.get(), nullptr);
  }
  job.members.erase(it);
  job.membersChanged = true;
  unindexMember(job.jobId, pid);
}

std::vector<uint32_t> Poller::jobsOf(int64_t pid) const {
  auto it = memberJobs_.find(pid);
  return it == memberJobs_.end() ? std::vector<uint32_t>{} : it->second;  // a copy: callers add and drop members
}

void Poller::unindexMember(uint32_t jobId, int64_t pid) {
  auto it = memberJobs_.find(pid);
  if (it == memberJobs_.end()) return;
  auto& ids = it->second;
  ids.erase(std::remove(ids.begin(), ids.end(), jobId), ids.end());
  if (ids.empty()) memberJobs_.erase(it);
}

Notification& Poller::emit(const Tracked& job, const char* kind, int64_t pid, double now) {
  Notification n;
  n.kind = kind;
  n.jobId = job.jobId;
  n.pid = pid;
  n.time = now;
  batch_.push_back(std::move(n));
  return batch_.back();
}

void Poller::flush() {
  if (batch_.empty()) return;
  std::vector<Notification> batch;
  batch.swap(batch_);
  sink_(std::move(batch));
}

}  // namespace jobscope::linux_impl
