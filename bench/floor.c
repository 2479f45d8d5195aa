/*
 * The floor for sampling cgroup and /proc files: the least any reader of these files can pay per tick.
 *
 *   floor kept|reopen LISTFILE TICKS
 *
 * LISTFILE holds one path per line. "kept" opens every file once and, each tick, pread()s each at
 * offset 0 into one 64 KiB buffer (a single call, no parsing). "reopen" does open + read + close per
 * file per tick instead, as most tools do. Prints one line per tick: the nanoseconds that tick took,
 * then a line "files N failed F" (F: reads that returned an error in the last tick).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 4 || (strcmp(argv[1], "kept") && strcmp(argv[1], "reopen"))) {
    fprintf(stderr, "usage: floor kept|reopen LISTFILE TICKS\n");
    return 2;
  }
  int kept = strcmp(argv[1], "kept") == 0;
  int ticks = atoi(argv[3]);
  FILE *list = fopen(argv[2], "r");
  if (!list) {
    perror(argv[2]);
    return 1;
  }
  size_t count = 0, cap = 1024;
  char **paths = malloc(cap * sizeof *paths);
  char line[4096];
  while (fgets(line, sizeof line, list)) {
    line[strcspn(line, "\n")] = 0;
    if (!*line) continue;
    if (count == cap) paths = realloc(paths, (cap *= 2) * sizeof *paths);
    paths[count++] = strdup(line);
  }
  fclose(list);

  /* Thousands of jobs keep thousands of files open: lift the soft descriptor limit to the hard one. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int *fds = malloc(count * sizeof *fds);
  if (kept) {
    for (size_t i = 0; i < count; i++) {
      fds[i] = open(paths[i], O_RDONLY | O_CLOEXEC);
      if (fds[i] < 0) {
        fprintf(stderr, "floor: cannot open %s: %s\n", paths[i], strerror(errno));
        return 1;
      }
    }
  }
  int failed = 0;
  for (int t = 0; t < ticks; t++) {
    failed = 0;
    long long start = now_ns();
    for (size_t i = 0; i < count; i++) {
      if (kept) {
        if (pread(fds[i], buf, sizeof buf, 0) < 0) failed++;
      } else {
        int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, buf, sizeof buf) < 0) failed++;
        if (fd >= 0) close(fd);
      }
    }
    printf("%lld\n", now_ns() - start);
  }
  printf("files %zu failed %d\n", count, failed);
  return 0;
}
