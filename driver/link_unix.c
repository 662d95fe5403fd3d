/*
 * link_unix.c - the Unix-socket transport: a host connecting to a
 * simulator server, and the server's listening socket. Local only: no
 * network port is ever opened, and the socket file is created with the
 * permissions asked for (0600 or 0660), never world-writable.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"
#include "link_fd.h"

static int make_addr(const char *path, struct sockaddr_un *a)
{
    if (!path || !path[0])
        return cw_fail(CW_ERR_INVALID_ARG, "unix: no socket path");
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a->sun_path)
        return cw_fail(CW_ERR_INVALID_ARG, "unix: socket path '%s' is longer than %zu bytes",
                       path, sizeof a->sun_path - 1);
    memcpy(a->sun_path, path, strlen(path) + 1);
    return CW_OK;
}

int cw_link_unix_connect(const char *path, cw_link_transport **out)
{
    struct sockaddr_un a;
    int rc = make_addr(path, &a);
    if (rc != CW_OK)
        return rc;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return cw_fail(CW_ERR_IO, "unix: socket: %s", cw_errno_text());
    if (connect(fd, (const struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        const char *why = cw_errno_text();
        close(fd);
        if (e == EACCES || e == EPERM)
            return cw_fail(CW_ERR_ACCESS, "unix:%s: permission denied (the server's socket "
                           "is for its owner, or its group with --group)", path);
        return cw_fail(CW_ERR_NO_DEVICE, "unix:%s: no server (%s); start one with "
                       "'clockwork serve --socket %s'", path, why, path);
    }
    /* a server that stops taking bytes for 10 s is gone: an error, not a hang */
    cw_link_fd_params fp = { 10000, 0 };
    rc = cw_link_fd_open(fd, fd, &fp, out);
    if (rc != CW_OK)
        close(fd);
    return rc;
}

int cw_link_unix_listen(const char *path, int mode, int backlog, int *fd_out)
{
    struct sockaddr_un a;
    int rc = make_addr(path, &a);
    if (rc != CW_OK)
        return rc;
    if (mode != 0600 && mode != 0660)
        return cw_fail(CW_ERR_INVALID_ARG, "unix: socket mode %o: 0600 or 0660 only", mode);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return cw_fail(CW_ERR_IO, "unix: %s exists and is not a socket", path);
        /* a socket file: live server, or left by one that died? */
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe < 0)
            return cw_fail(CW_ERR_IO, "unix: socket: %s", cw_errno_text());
        int live = connect(probe, (const struct sockaddr *)&a, sizeof a) == 0;
        close(probe);
        if (live)
            return cw_fail(CW_ERR_IO, "unix: a server is already listening on %s", path);
        if (unlink(path) != 0)
            return cw_fail(CW_ERR_IO, "unix: cannot remove the stale socket %s: %s", path,
                           cw_errno_text());
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return cw_fail(CW_ERR_IO, "unix: socket: %s", cw_errno_text());
    /* No moment with looser permissions: the umask makes bind() create the
     * file with at most `mode`; chmod then sets exactly `mode`. */
    mode_t old = umask(0777 & ~(mode_t)mode);
    int b = bind(fd, (const struct sockaddr *)&a, sizeof a);
    int e = errno;
    umask(old);
    if (b != 0) {
        close(fd);
        errno = e;
        return cw_fail(e == EACCES ? CW_ERR_ACCESS : CW_ERR_IO, "unix: bind %s: %s", path,
                       cw_errno_text());
    }
    if (chmod(path, (mode_t)mode) != 0 || listen(fd, backlog > 0 ? backlog : 16) != 0) {
        rc = cw_fail(CW_ERR_IO, "unix: %s: %s", path, cw_errno_text());
        close(fd);
        unlink(path);
        return rc;
    }
    *fd_out = fd;
    return CW_OK;
}
