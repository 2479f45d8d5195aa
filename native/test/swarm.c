/*
 * Many member processes for the load tests, as cheaply as Linux makes them.
 *
 *   swarm hold N READYFILE   N children that block until SIGUSR1 comes to this process; then they
 *                            all exit with code 0 at once (a burst of N exits), are reaped, and swarm
 *                            exits 0.
 *   swarm burst N READYFILE  N children one after another, each exiting with code 0 at once.
 *
 * When its children exist (hold) or are done (burst), swarm writes how many it made to READYFILE
 * (atomically, through a rename): a refused clone (pids limit) is not retried.
 *
 * Children are clone(CLONE_VM) processes: they share swarm's memory, so each costs the kernel a task
 * and a stack page rather than a copy of page tables. They die with swarm (PR_SET_PDEATHSIG).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kStack = 16384 };
static int gate[2];  /* hold: children block reading gate[0] until swarm closes gate[1] */

/* Raw syscalls only: a CLONE_VM child shares swarm's errno and stdio and must touch neither. */
static int holder(void *unused) {
  (void)unused;
  char byte;
  syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (syscall(SYS_getppid) == 1) syscall(SYS_exit_group, 1); /* swarm died before the prctl */
  syscall(SYS_close, gate[1]);
  while (syscall(SYS_read, gate[0], &byte, 1) < 0) {
  }
  syscall(SYS_exit_group, 0);
  return 0;
}

static int leaver(void *unused) {
  (void)unused;
  syscall(SYS_exit_group, 0);
  return 0;
}

static void writeReady(const char *path, long made) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f || fprintf(f, "%ld\n", made) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
    perror("swarm: writing the ready file");
    exit(2);
  }
}

int main(int argc, char **argv) {
  long n = argc == 4 ? strtol(argv[2], NULL, 10) : 0;
  int hold = argc == 4 && strcmp(argv[1], "hold") == 0;
  if (n <= 0 || (!hold && strcmp(argv[1], "burst") != 0)) {
    fprintf(stderr, "usage: swarm hold|burst N READYFILE\n");
    return 2;
  }
  /* One stack per holder (they all live at once); leavers run one at a time on the same one. */
  size_t stacks = hold ? (size_t)n : 1;
  char *stack = mmap(NULL, stacks * kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (stack == MAP_FAILED || (hold && pipe(gate) != 0)) {
    perror("swarm");
    return 2;
  }
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, NULL); /* before any child: a SIGUSR1 sent early waits for sigwait */
  long made = 0;
  for (long i = 0; i < n; i++) {
    char *top = stack + (hold ? (size_t)i + 1 : 1) * kStack;
    pid_t pid = clone(hold ? holder : leaver, top, CLONE_VM | SIGCHLD, NULL);
    if (pid < 0) continue; /* EAGAIN at a pids limit: counted as not made */
    made++;
    if (!hold) waitpid(pid, NULL, 0); /* the stack is reused by the next one */
  }
  if (hold) {
    writeReady(argv[3], made);
    int sig;
    sigwait(&usr1, &sig);
    close(gate[1]);
    while (wait(NULL) > 0 || errno == EINTR) {
    }
  } else {
    writeReady(argv[3], made);
  }
  return 0;
}
