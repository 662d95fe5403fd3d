/*
 * linkutil.c - shared helpers of the link-device tests (linkutil.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "linkutil.h"
#include "testutil.h"

static struct {
    char target[32];
    cw_artifact *a;
} arts[4];

const cw_artifact *lu_artifact(const char *target)
{
    for (int i = 0; i < 4; i++)
        if (arts[i].a && !strcmp(arts[i].target, target))
            return arts[i].a;
    for (int i = 0; i < 4; i++) {
        if (arts[i].a)
            continue;
        cw_model *m = NULL;
        if (cw_model_open(tu_model_path("stories260K.bin"), &m) != CW_OK)
            fail_msg("model: %s", cw_last_error());
        cw_compile_params cp;
        cw_compile_params_default(&cp);
        cp.target = target;
        cp.weight_bits = 16;
        if (cw_compile(m, &cp, &arts[i].a) != CW_OK)
            fail_msg("compile for %s: %s", target, cw_last_error());
        cw_model_close(m);
        snprintf(arts[i].target, sizeof arts[i].target, "%s", target);
        return arts[i].a;
    }
    fail_msg("lu_artifact: too many targets");
    return NULL;
}

static int record(void *user, const cw_token_event *ev)
{
    lu_run *r = user;
    if (r->n < LU_MAX) {
        r->ids[r->n] = ev->token;
        r->stamp[r->n] = ev->cycle;
        r->cycles[r->n] = ev->cycles;
        r->predicted[r->n] = ev->predicted_cycles;
    }
    r->n++;
    if (r->stop_at && ev->pos == r->stop_at && r->cancel_dev)
        cw_device_cancel(r->cancel_dev);
    return 0;
}

int lu_generate(cw_device *d, int steps, lu_run *r)
{
    cw_generate_params p;
    cw_generate_params_default(&p);
    p.steps = steps;
    p.temperature = 0.0f;
    p.on_token = record;
    p.user = r;
    r->n = 0;
    int bos = CW_TOKEN_BOS;
    return cw_device_generate(d, &bos, 1, &p, NULL, 0, NULL);
}

const lu_run *lu_reference(const char *target, int steps)
{
    static lu_run runs[4];
    static int steps_of[4];
    static char target_of[4][32];
    for (int i = 0; i < 4; i++)
        if (steps_of[i] == steps && !strcmp(target_of[i], target))
            return &runs[i];
    for (int i = 0; i < 4; i++) {
        if (steps_of[i])
            continue;
        char uri[64];
        snprintf(uri, sizeof uri, "ref:%s", target);
        cw_device *d = NULL;
        if (cw_device_open(uri, &d) != CW_OK ||
            cw_device_load_artifact(d, lu_artifact(target), NULL) != CW_OK)
            fail_msg("ref: %s", cw_last_error());
        memset(&runs[i], 0, sizeof runs[i]);
        if (lu_generate(d, steps, &runs[i]) != CW_OK)
            fail_msg("ref generate: %s", cw_last_error());
        cw_device_close(d);
        steps_of[i] = steps;
        snprintf(target_of[i], sizeof target_of[i], "%s", target);
        return &runs[i];
    }
    fail_msg("lu_reference: too many runs");
    return NULL;
}

void lu_expect_same(const lu_run *r, const lu_run *ref, const char *what)
{
    if (r->n != ref->n)
        fail_msg("%s: %d tokens, the ref device %d", what, r->n, ref->n);
    for (int i = 0; i < r->n && i < LU_MAX; i++)
        if (r->ids[i] != ref->ids[i] || r->stamp[i] != ref->stamp[i] ||
            r->cycles[i] != ref->cycles[i] || r->predicted[i] != ref->predicted[i])
            fail_msg("%s: position %d: token %d cycle %llu (%llu, predicted %llu); ref: token "
                     "%d cycle %llu (%llu, predicted %llu)", what, i + 1, r->ids[i],
                     (unsigned long long)r->stamp[i], (unsigned long long)r->cycles[i],
                     (unsigned long long)r->predicted[i], ref->ids[i],
                     (unsigned long long)ref->stamp[i], (unsigned long long)ref->cycles[i],
                     (unsigned long long)ref->predicted[i]);
}

static int pump(void *ctx)
{
    lu_pipe *p = ctx;
    return p->dead ? CW_OK : cw_ref_link_poll(p->dev, 0);
}

void lu_pipe_open(lu_pipe *p, const char *target, const cw_link_fault *to_dev,
                  const cw_link_fault *to_host)
{
    memset(p, 0, sizeof *p);
    cw_target_config t;
    if (cw_target_get(target, &t) != CW_OK ||
        cw_link_pipe_open(to_dev, to_host, &p->host_end, &p->dev_end) != CW_OK ||
        cw_ref_link_open(&t, p->dev_end, 4, &p->dev) != CW_OK)
        fail_msg("pipe device: %s", cw_last_error());
    cw_link_pipe_set_pump(p->host_end, pump, p);
}

void lu_pipe_close(lu_pipe *p)
{
    cw_ref_link_close(p->dev);
    cw_link_close(p->dev_end);
    cw_link_close(p->host_end);
    memset(p, 0, sizeof *p);
}

static void *serve_thread(void *arg)
{
    lu_server *sv = arg;
    sv->rc = cw_server_run(sv->s, &sv->stop);
    return NULL;
}

void lu_server_start(lu_server *sv, const cw_server_params *p)
{
    memset(sv, 0, sizeof *sv);
    atomic_init(&sv->stop, 0);
    if (cw_server_open(p, &sv->s) != CW_OK)
        fail_msg("server: %s", cw_last_error());
    assert_int_equal(pthread_create(&sv->th, NULL, serve_thread, sv), 0);
}

const char *lu_server_on_socket(lu_server *sv, const char *name)
{
    const char *path = tu_scratch_path(name);
    cw_server_params p;
    cw_server_params_default(&p);
    p.socket_path = path;
    lu_server_start(sv, &p);
    return path;
}

void lu_server_stop(lu_server *sv)
{
    atomic_store(&sv->stop, 1);
    pthread_join(sv->th, NULL);
    assert_int_equal(sv->rc, CW_OK);
    cw_server_close(sv->s);
}
