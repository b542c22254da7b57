/* Concurrency (c-abi.md 4.8): two threads each stepping its own world, and on one shared world
 * a mutating/stepping thread next to a thread doing queries, info and exports. Also meant to
 * run under ThreadSanitizer (C_TEST_CFLAGS=-fsanitize=thread against a TSan library). */
#define _XOPEN_SOURCE 700

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

enum { OWN_ENTITIES = 100, OWN_TICKS = 200, SHARED_START = 50, SHARED_ITERS = 100 };

typedef struct {
    const char* run;
    double dt;
    int ok;
} OwnArgs;

static void* own_world_thread(void* arg) {
    OwnArgs* a = arg;
    CASE("threads/own");
    a->ok = 0;
    arct_world* w = world_make("w-thread", a->run, NULL, NULL);
    if (!w) return NULL;
    CHECK_OK(register_pv(w, "pv", 0));
    double x[OWN_ENTITIES], y[OWN_ENTITIES], dx[OWN_ENTITIES], dy[OWN_ENTITIES];
    for (int i = 0; i < OWN_ENTITIES; i++) {
        x[i] = 0.1 * i + (a->dt > 0.02 ? 7.0 : 0.0);
        y[i] = -0.3 * i;
        dx[i] = 1.0 / (i + 3.0);
        dy[i] = 0.7 - 0.013 * i;
    }
    Batch b;
    batch_pv(&b, OWN_ENTITIES, x, y, dx, dy, 0);
    int32_t ids[OWN_ENTITIES];
    int64_t n = 0;
    CHECK_OK(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, OWN_ENTITIES, &n));
    CHECK(n == OWN_ENTITIES && ids[0] == 1);
    CHECK_OK(add_movement(w, a->dt, 10, NULL));
    int failures = 0;
    for (int t = 0; t < OWN_TICKS; t++)
        if (arct_world_step(w, NULL) != ARCT_OK) failures++;
    CHECKF(failures == 0, "%s: %d failed steps", a->run, failures);
    CHECK(world_tick(w) == OWN_TICKS);
    /* tick 0 raw, ticks 1..199 processed: 199 applications */
    for (int i = 0; i < OWN_ENTITIES; i++)
        for (int t = 1; t < OWN_TICKS; t++) {
            x[i] = move1(x[i], dx[i], a->dt);
            y[i] = move1(y[i], dy[i], a->dt);
        }
    int32_t last = OWN_TICKS - 1;
    arct_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    q.flags = ARCT_QUERY_FILTER_TICKS | ARCT_QUERY_ACTIVE_ONLY;
    q.ticks = &last;
    q.n_ticks = 1;
    Coll c;
    CHECK_OK(query_collect(w, "pv", &q, &c));
    CHECK(c.rows == OWN_ENTITIES);
    int exact = c.rows == OWN_ENTITIES;
    for (int i = 0; exact && i < OWN_ENTITIES; i++) {
        exact &= coll_i32(&c, "entity_id", i) == i + 1;
        exact &= same_f64(coll_f64(&c, "position__x", i), x[i]) && same_f64(coll_f64(&c, "position__y", i), y[i]);
    }
    CHECKF(exact, "%s: values after %d ticks are exact", a->run, OWN_TICKS);
    coll_free(&c);
    CHECK_OK(arct_world_free(w));
    a->ok = failures == 0 && exact;
    return NULL;
}

typedef struct {
    arct_world* w;
    int done;          /* atomic: the mutator finished */
    int mut_errors;
    int read_errors;
    long reads;
} Shared;

static void* mutator_thread(void* arg) {
    Shared* s = arg;
    CASE("threads/mutator");
    for (int i = 0; i < SHARED_ITERS; i++) {
        double v[2] = {(double)i, (double)i + 0.5};
        Batch b;
        batch_pv(&b, 2, v, v, v, v, 0);
        int32_t ids[2];
        int64_t n = 0;
        if (arct_world_spawn(s->w, "pv", &b.array, &b.schema, ids, 2, &n) != ARCT_OK || n != 2) s->mut_errors++;
        int32_t e[1] = {1};
        double x[1] = {(double)i};
        Col pc[2] = {col_i32("entity_id", 0, 1, e, NULL), col_f64("position__x", 0, 1, x, NULL)};
        batch_init(&b, 1, 2, pc);
        if (arct_world_update(s->w, &b.array, &b.schema) != ARCT_OK) s->mut_errors++;
        if (arct_world_step(s->w, NULL) != ARCT_OK) s->mut_errors++;
    }
    __atomic_store_n(&s->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void* reader_thread(void* arg) {
    Shared* s = arg;
    CASE("threads/reader");
    int64_t last_rows = 0;
    int32_t last_tick = 0;
    for (;;) {
        int finished = __atomic_load_n(&s->done, __ATOMIC_SEQ_CST);
        /* no CHECKs in this loop: its iteration count varies, the check count must not */
        Coll c;
        memset(&c, 0, sizeof c);
        struct ArrowArrayStream st;
        memset(&st, 0, sizeof st);
        if (arct_world_query(s->w, "pv", NULL, &st) != ARCT_OK || !st.release || coll_read(&st, &c) != 0)
            s->read_errors++;
        if (c.rows < last_rows) s->read_errors++; /* the ledger only grows */
        if (c.schema.release && c.schema.n_children != 9) s->read_errors++;
        last_rows = c.rows;
        coll_free(&c);
        arct_world_info info;
        if (world_info(s->w, &info) != ARCT_OK || info.state != ARCT_WORLD_READY || info.tick < last_tick) s->read_errors++;
        last_tick = info.tick;
        Out o;
        out_fill(&o);
        if (arct_world_entities(s->w, &o.a, &o.s) != ARCT_OK) s->read_errors++;
        out_release(&o);
        int32_t t = -1;
        if (arct_world_tick(s->w, &t) != ARCT_OK || t < last_tick) s->read_errors++;
        s->reads++;
        if (finished) break;
    }
    return NULL;
}

void test_threads(void) {
    CASE("threads");
    size_t mark = tn_mark();
    Shared s;
    memset(&s, 0, sizeof s);
    s.w = world_make("w-shared", "shared", NULL, NULL);
    if (!s.w) return;
    CHECK_OK(register_pv(s.w, "pv", 0));
    CHECK_OK(spawn_pv(s.w, "pv", SHARED_START, 0.0, NULL));
    CHECK_OK(add_movement(s.w, 0.05, 10, NULL));
    CHECK_OK(arct_world_step(s.w, NULL)); /* tick 0 */

    OwnArgs a1 = {"own-1", 0.01, 0}, a2 = {"own-2", 0.03, 0};
    pthread_t t1, t2, tm, tr;
    pthread_create(&t1, NULL, own_world_thread, &a1);
    pthread_create(&t2, NULL, own_world_thread, &a2);
    pthread_create(&tm, NULL, mutator_thread, &s);
    pthread_create(&tr, NULL, reader_thread, &s);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    pthread_join(tm, NULL);
    pthread_join(tr, NULL);
    CASE("threads");
    CHECK(a1.ok && a2.ok);
    CHECKF(s.mut_errors == 0, "%d mutator errors", s.mut_errors);
    CHECKF(s.read_errors == 0, "%d reader errors in %ld reads", s.read_errors, s.reads);
    CHECK(s.reads > 0);
    /* final state: 1 + 100 ticks, 50 + 200 entities, entity 1 carries the last patch */
    arct_world_info info;
    CHECK_OK(world_info(s.w, &info));
    CHECK(info.tick == 1 + SHARED_ITERS && info.n_entities == SHARED_START + 2 * SHARED_ITERS);
    int32_t last = SHARED_ITERS;
    arct_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    q.flags = ARCT_QUERY_FILTER_TICKS | ARCT_QUERY_ACTIVE_ONLY;
    q.ticks = &last;
    q.n_ticks = 1;
    Coll c;
    CHECK_OK(query_collect(s.w, "pv", &q, &c));
    CHECK(c.rows == SHARED_START + 2 * SHARED_ITERS);
    int found = 0;
    for (int64_t i = 0; i < c.rows; i++)
        if (coll_i32(&c, "entity_id", i) == 1) {
            found++;
            CHECK(same_f64(coll_f64(&c, "position__x", i), (double)(SHARED_ITERS - 1)));
            CHECK(i == c.rows - 1); /* the updated row is appended after the others */
        }
    CHECK(found == 1);
    coll_free(&c);
    CHECK_OK(query_collect(s.w, "pv", NULL, &c));
    /* rows: tick 0: 50; tick k (1..100): 50 + 2(k-1) + 1 tombstone + 2 spawned... count them exactly */
    int64_t expect = SHARED_START;
    for (int k = 1; k <= SHARED_ITERS; k++) {
        int64_t live_prev = SHARED_START + 2 * (k - 1); /* active rows of tick k-1 */
        expect += live_prev + 1 + 2;                    /* processed prior (1 tombstoned) + updated row + 2 spawns */
    }
    CHECKF(c.rows == expect, "shared world: %lld rows, expected %lld", (long long)c.rows, (long long)expect);
    coll_free(&c);
    CHECK_OK(arct_world_free(s.w));
    tn_check_since(mark, "threads");
}
