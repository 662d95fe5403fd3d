/*
 * test_transport_unix.c - the simulator server (host/link_server.c) on a
 * Unix socket, in a thread of this process, and the unix: device: the
 * ref device's tokens and cycle stamps; the socket file's permissions
 * (0600, or 0660 with group access; never world-accessible); two hosts at
 * once take turns; a host that disconnects mid-run leaves the device
 * usable; a stale socket file is replaced, a live one refused; the socket
 * is removed at close.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "clockwork.h"
#include "link_fd.h"
#include "link_host.h"
#include "link_server.h"
#include "linkutil.h"
#include "testutil.h"

static cw_device *open_loaded(const char *uri)
{
    cw_device *d = NULL;
    if (cw_device_open(uri, &d) != CW_OK)
        fail_msg("%s: %s", uri, cw_last_error());
    if (cw_device_load_artifact(d, lu_artifact("sim"), NULL) != CW_OK)
        fail_msg("%s: load: %s", uri, cw_last_error());
    return d;
}

static void test_socket_run(void **st)
{
    (void)st;
    lu_server sv;
    const char *path = lu_server_on_socket(&sv, "dev.sock");
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(S_ISSOCK(sb.st_mode));
    assert_int_equal(sb.st_mode & 0777, 0600);
    char uri[2100];
    snprintf(uri, sizeof uri, "unix:%s", path);
    cw_device *d = open_loaded(uri);
    static lu_run r;
    memset(&r, 0, sizeof r);
    assert_int_equal(lu_generate(d, 200, &r), CW_OK);
    lu_expect_same(&r, lu_reference("sim", 200), "unix socket");
    cw_device_close(d);
    /* a second server on the same path is refused while this one lives */
    cw_server_params p;
    cw_server_params_default(&p);
    p.socket_path = path;
    cw_server *other = NULL;
    assert_int_not_equal(cw_server_open(&p, &other), CW_OK);
    assert_non_null(strstr(cw_last_error(), "already listening"));
    lu_server_stop(&sv);
    assert_int_not_equal(stat(path, &sb), 0); /* removed */
}

static void test_socket_modes(void **st)
{
    (void)st;
    const char *path = tu_scratch_path("grp.sock");
    /* a stale socket file (its server died) is replaced */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    close(fd);
    cw_server_params p;
    cw_server_params_default(&p);
    p.socket_path = path;
    p.socket_mode = 0660;
    lu_server sv;
    lu_server_start(&sv, &p);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0660);
    lu_server_stop(&sv);
    /* anything else is refused: a world-writable mode, a path that is not a socket */
    int lfd;
    assert_int_equal(cw_link_unix_listen(path, 0666, 4, &lfd), CW_ERR_INVALID_ARG);
    const char *plain = tu_scratch_path("plain.file");
    tu_write_file(plain, "x", 1);
    assert_int_equal(cw_link_unix_listen(plain, 0600, 4, &lfd), CW_ERR_IO);
    assert_non_null(strstr(cw_last_error(), "not a socket"));
}

typedef struct client {
    char uri[2100];
    int steps;
    lu_run r;
    int rc;
} client;

static void *client_thread(void *arg)
{
    client *c = arg;
    cw_device *d = NULL;
    c->rc = cw_device_open(c->uri, &d);
    if (c->rc == CW_OK)
        c->rc = cw_device_load_artifact(d, lu_artifact("sim"), NULL);
    if (c->rc == CW_OK)
        c->rc = lu_generate(d, c->steps, &c->r);
    cw_device_close(d);
    return NULL;
}

/* Two hosts at once: one waits for the other, both get the whole run. */
static void test_two_hosts(void **st)
{
    (void)st;
    lu_server sv;
    const char *path = lu_server_on_socket(&sv, "two.sock");
    lu_artifact("sim"); /* compiled before the threads start */
    const lu_run *ref = lu_reference("sim", 150);
    static client c[2];
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        memset(&c[i], 0, sizeof c[i]);
        snprintf(c[i].uri, sizeof c[i].uri, "unix:%s", path);
        c[i].steps = 150;
        assert_int_equal(pthread_create(&th[i], NULL, client_thread, &c[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        if (c[i].rc != CW_OK)
            fail_msg("host %d: %s", i, cw_strerror(c[i].rc));
        lu_expect_same(&c[i].r, ref, "two hosts");
    }
    lu_server_stop(&sv);
}

/* A host that vanishes mid-run: the next one gets the device, whole. */
static void test_host_leaves_mid_run(void **st)
{
    (void)st;
    lu_server sv;
    const char *path = lu_server_on_socket(&sv, "leave.sock");
    char uri[2100];
    snprintf(uri, sizeof uri, "unix:%s", path);
    cw_device *d = open_loaded(uri);
    static lu_run r;
    memset(&r, 0, sizeof r);
    r.stop_at = 30;
    r.cancel_dev = d;
    assert_int_equal(lu_generate(d, 150, &r), CW_ERR_ABORTED);
    assert_int_equal(r.n, 30);
    cw_device_close(d);
    /* a raw client that starts a run and hangs up */
    cw_link_transport *t;
    assert_int_equal(cw_link_unix_connect(path, &t), CW_OK);
    cw_link_host *h;
    assert_int_equal(cw_link_host_open(t, NULL, &h), CW_OK);
    uint32_t bos = CW_TOKEN_BOS;
    assert_int_equal(cw_link_host_write(h, CW_LINK_REGION_PROMPT, 0, &bos, 4, NULL, NULL),
                     CW_OK);
    assert_int_equal(cw_link_host_run(h, 1, 150, NULL), CW_OK);
    cw_link_host_close(h);
    cw_link_close(t);
    d = open_loaded(uri);
    memset(&r, 0, sizeof r);
    assert_int_equal(lu_generate(d, 150, &r), CW_OK);
    lu_expect_same(&r, lu_reference("sim", 150), "after a host left");
    cw_device_close(d);
    lu_server_stop(&sv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_socket_run),
        cmocka_unit_test(test_socket_modes),
        cmocka_unit_test(test_two_hosts),
        cmocka_unit_test(test_host_leaves_mid_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
