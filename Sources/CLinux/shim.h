#ifndef COLLAB_CLINUX_SHIM_H
#define COLLAB_CLINUX_SHIM_H
// Linux-only APIs that Glibc's Swift module map leaves out.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

// accept4 is declared only under _GNU_SOURCE, which Glibc's module is not built with.
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);
// Likewise pthread_setname_np (names threads for top -H, perf and /proc/PID/task/*/comm).
#include <pthread.h>
extern int pthread_setname_np(pthread_t thread, const char *name);
#endif
