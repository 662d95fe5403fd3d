/*
 * link_fd.c - the byte-stream transport over file descriptors that the
 * socket and FIFO/DMA transports share.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"
#include "link_fd.h"

typedef struct fd_link {
    cw_link_transport t;
    int rfd, wfd;
    int w_socket; /* wfd is a socket: send() with MSG_NOSIGNAL */
    cw_link_fd_params p;
} fd_link;

/* write() that turns a vanished reader into EPIPE without SIGPIPE (the
 * library must not change the process's signal handling): sockets by
 * MSG_NOSIGNAL, pipes and devices by blocking SIGPIPE in this thread and
 * taking back the one the write raised. */
static ssize_t quiet_write(const fd_link *l, const void *b, size_t n)
{
    if (l->w_socket)
        return send(l->wfd, b, n, MSG_NOSIGNAL);
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    ssize_t k = write(l->wfd, b, n);
    int err = errno;
    if (k < 0 && err == EPIPE && !was_pending) {
        struct timespec zero = { 0, 0 };
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = err;
    return k;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fd_write(cw_link_transport *t, const void *buf, size_t n)
{
    fd_link *l = t->impl;
    const char *b = buf;
    long long deadline = l->p.write_ms > 0 ? now_ms() + l->p.write_ms : 0;
    while (n > 0) {
        ssize_t k = quiet_write(l, b, n);
        if (k > 0) {
            b += k;
            n -= (size_t)k;
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && errno == EPIPE)
            return cw_fail(CW_ERR_NO_DEVICE, "link: the other end closed the connection");
        if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return cw_fail(CW_ERR_IO, "link: write: %s", cw_errno_text());
        int wait = -1;
        if (deadline) {
            long long left = deadline - now_ms();
            if (left <= 0) {
                if (l->p.drop_on_stall)
                    return CW_OK; /* nobody is taking bytes: they are lost */
                return cw_fail(CW_ERR_TIMEOUT, "link: the device takes no bytes (write "
                               "stalled %d ms)", l->p.write_ms);
            }
            wait = (int)left;
        }
        struct pollfd pf = { l->wfd, POLLOUT, 0 };
        if (poll(&pf, 1, wait) < 0 && errno != EINTR)
            return cw_fail(CW_ERR_IO, "link: poll: %s", cw_errno_text());
        if (pf.revents & (POLLERR | POLLHUP))
            return cw_fail(CW_ERR_NO_DEVICE, "link: the other end closed the connection");
    }
    return CW_OK;
}

static int fd_read(cw_link_transport *t, void *buf, size_t n, int timeout_ms)
{
    fd_link *l = t->impl;
    if (n == 0)
        return 0;
    if (n > 1 << 20)
        n = 1 << 20;
    for (;;) {
        ssize_t k = read(l->rfd, buf, n);
        if (k > 0)
            return (int)k;
        if (k == 0)
            return cw_fail(CW_ERR_NO_DEVICE, "link: the other end closed the connection");
        if (errno == EINTR)
            continue;
        if (errno == ECONNRESET)
            return cw_fail(CW_ERR_NO_DEVICE, "link: the connection was reset");
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return cw_fail(CW_ERR_IO, "link: read: %s", cw_errno_text());
        if (timeout_ms <= 0)
            return 0;
        struct pollfd pf = { l->rfd, POLLIN, 0 };
        int r = poll(&pf, 1, timeout_ms);
        if (r < 0 && errno != EINTR)
            return cw_fail(CW_ERR_IO, "link: poll: %s", cw_errno_text());
        if (r <= 0)
            return 0; /* timed out (or a signal: the caller decides) */
        timeout_ms = 0; /* readable (or hung up: read() tells) */
    }
}

static void fd_close(cw_link_transport *t)
{
    fd_link *l = t->impl;
    close(l->rfd);
    if (l->wfd != l->rfd)
        close(l->wfd);
    free(l);
}

static const cw_link_transport_ops fd_ops = { fd_write, fd_read, fd_close };

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return cw_fail(CW_ERR_IO, "link: fcntl: %s", cw_errno_text());
    return CW_OK;
}

int cw_link_fd_open(int rfd, int wfd, const cw_link_fd_params *p, cw_link_transport **out)
{
    if (!out || rfd < 0 || wfd < 0)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_fd_open: bad argument");
    *out = NULL;
    int rc = set_nonblock(rfd);
    if (rc == CW_OK && wfd != rfd)
        rc = set_nonblock(wfd);
    if (rc != CW_OK)
        return rc;
    fd_link *l = calloc(1, sizeof *l);
    if (!l)
        return cw_fail(CW_ERR_NO_MEMORY, "link: out of memory");
    l->t.ops = &fd_ops;
    l->t.impl = l;
    l->rfd = rfd;
    l->wfd = wfd;
    struct stat st;
    l->w_socket = fstat(wfd, &st) == 0 && S_ISSOCK(st.st_mode);
    if (p)
        l->p = *p;
    *out = &l->t;
    return CW_OK;
}

int cw_link_fd_read_fd(cw_link_transport *t)
{
    return t && t->ops == &fd_ops ? ((fd_link *)t->impl)->rfd : -1;
}
