/*
 * An LD_PRELOAD shim for an A/B of Nagle's algorithm without touching the forwarder's source:
 * setsockopt(IPPROTO_TCP, TCP_NODELAY, 1) returns 0 and changes nothing, so the socket keeps
 * Linux's default (Nagle on), as oxidinetd's do. Every other call goes through.
 * Build: gcc -shared -fPIC -O2 -o nagle-on.so bench/nagle-on.c -ldl (bench/percall.sh does it
 * for its oinagle cases).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

int setsockopt(int fd, int level, int name, const void *value, socklen_t length) {
    static int (*real)(int, int, int, const void *, socklen_t);
    if (!real) real = (int (*)(int, int, int, const void *, socklen_t)) dlsym(RTLD_NEXT, "setsockopt");
    if (level == IPPROTO_TCP && name == TCP_NODELAY && length >= (socklen_t) sizeof(int) && *(const int *) value) {
        return 0;
    }
    return real(fd, level, name, value, length);
}
