/*
 * link_fifo.c - the PCIe DMA transport: the host-to-card (H2C) and
 * card-to-host (C2H) streams of a DMA engine's character devices (Xilinx
 * XDMA: /dev/xdma0_h2c_0 and /dev/xdma0_c2h_0), or a pair of named FIFOs
 * standing in for them. The host writes H2C and reads C2H.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fileio.h"
#include "link_fd.h"

static int open_error(const char *path, const char *role)
{
    int e = errno;
    const char *why = cw_errno_text();
    if (e == EACCES || e == EPERM)
        return cw_fail(CW_ERR_ACCESS, "pcie: %s (%s): permission denied; add yourself to the "
                       "device's group or see driver/99-clockwork.rules", path, role);
    if (e == ENXIO)
        return cw_fail(CW_ERR_NO_DEVICE, "pcie: %s (%s): nothing on the other end (is "
                       "'clockwork serve --fifo' running?)", path, role);
    return cw_fail(CW_ERR_NO_DEVICE, "pcie: %s (%s): %s", path, role, why);
}

/* One host at a time, as on a board: a POSIX write lock on the H2C stream,
 * waited for up to wait_ms. */
static int lock_stream(int fd, const char *path, int wait_ms)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    for (int waited = 0;; waited += 20) {
        if (fcntl(fd, F_SETLK, &fl) == 0)
            return CW_OK;
        if (errno != EACCES && errno != EAGAIN)
            return CW_OK; /* a device without locks: nothing to serialize on */
        if (waited >= wait_ms)
            return cw_fail(CW_ERR_DEVICE, "pcie: %s is in use by another process (waited %d "
                           "ms)", path, wait_ms);
        struct timespec ts = { 0, 20 * 1000000L };
        nanosleep(&ts, NULL);
    }
}

int cw_link_fifo_open(const char *h2c, const char *c2h, int wait_ms, cw_link_transport **out)
{
    if (!h2c || !c2h || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_fifo_open: NULL argument");
    /* Non-blocking opens: a FIFO with no reader fails (ENXIO) instead of
     * waiting forever; a DMA character device opens as usual. */
    int w = open(h2c, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (w < 0)
        return open_error(h2c, "host-to-card");
    int rc = lock_stream(w, h2c, wait_ms);
    if (rc != CW_OK) {
        close(w);
        return rc;
    }
    int r = open(c2h, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (r < 0) {
        rc = open_error(c2h, "card-to-host");
        close(w);
        return rc;
    }
    cw_link_fd_params p = { 0, 0 };
    p.write_ms = 5000; /* a card that takes nothing for 5 s is gone */
    rc = cw_link_fd_open(r, w, &p, out);
    if (rc != CW_OK) {
        close(r);
        close(w);
    }
    return rc;
}

static int make_fifo(const char *path, int bit, int *created)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (!S_ISFIFO(st.st_mode))
            return cw_fail(CW_ERR_IO, "fifo: %s exists and is not a FIFO", path);
        return CW_OK;
    }
    if (mkfifo(path, 0600) != 0)
        return cw_fail(CW_ERR_IO, "fifo: cannot create %s: %s", path, cw_errno_text());
    *created |= bit;
    return CW_OK;
}

int cw_link_fifo_serve(const char *h2c, const char *c2h, int write_ms, int *created,
                       cw_link_transport **out)
{
    if (!h2c || !c2h || !created || !out)
        return cw_fail(CW_ERR_INVALID_ARG, "cw_link_fifo_serve: NULL argument");
    *created = 0;
    int rc = make_fifo(h2c, 1, created);
    if (rc == CW_OK)
        rc = make_fifo(c2h, 2, created);
    if (rc != CW_OK)
        goto fail;
    /* Read-write opens never block and never see EOF or EPIPE when a host
     * closes its end: the device stays up while hosts come and go. */
    int r = open(h2c, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    int w = r < 0 ? -1 : open(c2h, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (r < 0 || w < 0) {
        rc = cw_fail(CW_ERR_IO, "fifo: cannot open %s: %s", r < 0 ? h2c : c2h,
                     cw_errno_text());
        if (r >= 0)
            close(r);
        goto fail;
    }
    cw_link_fd_params p = { write_ms > 0 ? write_ms : 100, 1 };
    if ((rc = cw_link_fd_open(r, w, &p, out)) == CW_OK)
        return CW_OK;
    close(r);
    close(w);
fail:
    if (*created & 1)
        unlink(h2c);
    if (*created & 2)
        unlink(c2h);
    *created = 0;
    return rc;
}
