/* c-abi.md section 11, N1-N7: NULL pointers, non-empty outputs, invalid UTF-8, invalid names,
 * bad handles, ABI version, invalid scalar arguments. */
#define _XOPEN_SOURCE 700

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "negative.h"

void pvb(Batch* b, int64_t n) {
    double v[64];
    for (int64_t i = 0; i < n && i < 64; i++) v[i] = (double)i + 0.25;
    batch_pv(b, n, v, v, v, v, 0);
}

void pvs(SchemaIn* s) { schema_pv(s, 0); }

arct_world* neg_world(const char* run) {
    arct_world* w = world_make("w1", run, NULL, NULL);
    if (!w) return NULL;
    CHECK_OK(register_pv(w, "pv", 0));
    CHECK_OK(spawn_pv(w, "pv", 2, 1.0, NULL)); /* ids 1, 2 */
    CHECK_OK(arct_world_step(w, NULL));        /* tick 0: live rows */
    return w;
}

int info_unchanged(arct_world* w, const arct_world_info* before) {
    arct_world_info now;
    if (world_info(w, &now) != ARCT_OK) return 0;
    return now.state == before->state && now.tick == before->tick && now.next_entity_id == before->next_entity_id &&
           now.n_entities == before->n_entities && now.n_tables == before->n_tables;
}

/* ---- N1 ------------------------------------------------------------------------------------ */

static void n1_null_pointers(void) {
    CASE("N1");
    arct_world* w = neg_world("n1");
    if (!w) return;
    arct_world_info before;
    CHECK_OK(world_info(w, &before));
    Batch b;
    SchemaIn s;
    Out out;
    int32_t ids[4] = {-7, -7, -7, -7};
    int64_t n_ids = -7;

    /* world lifecycle */
    arct_world_options o;
    opts_init(&o, "w1", "n1-other", NULL, NULL);
    arct_world* nw = NULL;
    CHECK_ST(arct_world_new(NULL, &nw), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_new(&o, NULL), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_open(NULL, &nw), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_open(&o, NULL), ARCT_ERR_NULL_POINTER);
    o.world_id = NULL;
    CHECK_ST(arct_world_new(&o, &nw), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_open(&o, &nw), ARCT_ERR_NULL_POINTER);
    o.world_id = "w1";
    o.run_id = NULL;
    CHECK_ST(arct_world_new(&o, &nw), ARCT_ERR_NULL_POINTER);
    CHECK(nw == NULL);
    CHECK_ST(arct_world_free(NULL), ARCT_ERR_NULL_POINTER);

    int32_t st = -7;
    size_t len = 77;
    char buf[8];
    CHECK_ST(arct_world_last_error(NULL, &st, buf, sizeof buf, &len), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_last_error(w, NULL, buf, sizeof buf, &len), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_last_error(w, &st, buf, sizeof buf, NULL), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_last_error(w, &st, NULL, 8, &len), ARCT_ERR_NULL_POINTER);
    CHECK(st == -7 && len == 77);
    arct_world_info info;
    CHECK_ST(arct_world_get_info(NULL, &before), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_get_info(w, NULL), ARCT_ERR_NULL_POINTER);
    int32_t tick = -7;
    CHECK_ST(arct_world_tick(NULL, &tick), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_tick(w, NULL), ARCT_ERR_NULL_POINTER);
    CHECK(tick == -7);
    int32_t (*exports[3])(arct_world*, struct ArrowArray*, struct ArrowSchema*) = {
        arct_world_active_tables, arct_world_tables, arct_world_entities};
    for (int k = 0; k < 3; k++) {
        out_fill(&out);
        CHECK_ST(exports[k](NULL, &out.a, &out.s), ARCT_ERR_NULL_POINTER);
        CHECK_ST(exports[k](w, NULL, &out.s), ARCT_ERR_NULL_POINTER);
        CHECK_ST(exports[k](w, &out.a, NULL), ARCT_ERR_NULL_POINTER);
        CHECK(out_untouched(&out));
    }

    /* register_table: the schema is moved even when table or world is NULL */
    pvs(&s);
    CHECK_ST(arct_world_register_table(w, NULL, &s.schema, 0), ARCT_ERR_NULL_POINTER);
    EXPECT_SCHEMA_CONSUMED(s);
    pvs(&s);
    CHECK_ST(arct_world_register_table(NULL, "pv2", &s.schema, 0), ARCT_ERR_NULL_POINTER);
    EXPECT_SCHEMA_CONSUMED(s);
    CHECK_ST(arct_world_register_table(w, "pv2", NULL, 0), ARCT_ERR_NULL_POINTER);

    /* spawn */
    pvb(&b, 2);
    CHECK_ST(arct_world_spawn(w, NULL, &b.array, &b.schema, ids, 4, &n_ids), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    pvb(&b, 2);
    CHECK_ST(arct_world_spawn(NULL, "pv", &b.array, &b.schema, ids, 4, &n_ids), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    pvb(&b, 2);
    CHECK_ST(arct_world_spawn(w, "pv", &b.array, NULL, ids, 4, &n_ids), ARCT_ERR_NULL_POINTER);
    EXPECT_NOT_MOVED(b);
    pvb(&b, 2);
    CHECK_ST(arct_world_spawn(w, "pv", NULL, &b.schema, ids, 4, &n_ids), ARCT_ERR_NULL_POINTER);
    EXPECT_NOT_MOVED(b);
    pvb(&b, 2);
    CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 4, NULL), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    pvb(&b, 2);
    CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, NULL, 4, &n_ids), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    CHECK(ids[0] == -7 && n_ids == -7);

    /* reserve, spawn with ids, despawn */
    int32_t first = -7;
    CHECK_ST(arct_world_reserve_ids(NULL, 1, &first), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_reserve_ids(w, 1, NULL), ARCT_ERR_NULL_POINTER);
    CHECK(first == -7);
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, NULL, 1), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    int32_t want[1] = {50};
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn_with_ids(w, NULL, &b.array, &b.schema, want, 1), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn_with_ids(w, "pv", NULL, &b.schema, want, 1), ARCT_ERR_NULL_POINTER);
    EXPECT_NOT_MOVED(b);
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn_with_ids(NULL, "pv", &b.array, &b.schema, want, 1), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    CHECK_ST(arct_world_despawn(w, NULL, 1), ARCT_ERR_NULL_POINTER);
    int32_t one[1] = {1};
    CHECK_ST(arct_world_despawn(NULL, one, 1), ARCT_ERR_NULL_POINTER);

    /* update */
    {
        int32_t e[1] = {1};
        double x[1] = {5};
        Col pc[2] = {col_i32("entity_id", 0, 1, e, NULL), col_f64("position__x", 0, 1, x, NULL)};
        batch_init(&b, 1, 2, pc);
        CHECK_ST(arct_world_update(w, NULL, &b.schema), ARCT_ERR_NULL_POINTER);
        EXPECT_NOT_MOVED(b);
        Col pc2[2] = {col_i32("entity_id", 0, 1, e, NULL), col_f64("position__x", 0, 1, x, NULL)};
        batch_init(&b, 1, 2, pc2);
        CHECK_ST(arct_world_update(w, &b.array, NULL), ARCT_ERR_NULL_POINTER);
        EXPECT_NOT_MOVED(b);
        Col pc3[2] = {col_i32("entity_id", 0, 1, e, NULL), col_f64("position__x", 0, 1, x, NULL)};
        batch_init(&b, 1, 2, pc3);
        CHECK_ST(arct_world_update(NULL, &b.array, &b.schema), ARCT_ERR_NULL_POINTER);
        EXPECT_CONSUMED(b);
    }

    /* migrate / migrate_rows */
    pvs(&s);
    CHECK_ST(arct_world_migrate(w, NULL, &s.schema, NULL, NULL, one, 1), ARCT_ERR_NULL_POINTER);
    EXPECT_SCHEMA_CONSUMED(s);
    pvb(&b, 1);
    CHECK_ST(arct_world_migrate(w, "pv2", NULL, &b.array, NULL, one, 1), ARCT_ERR_NULL_POINTER);
    EXPECT_NOT_MOVED(b);
    pvb(&b, 1);
    pvs(&s);
    CHECK_ST(arct_world_migrate(w, "pv2", &s.schema, NULL, &b.schema, one, 1), ARCT_ERR_NULL_POINTER);
    EXPECT_SCHEMA_CONSUMED(s); /* a lone schema is moved whenever non-NULL */
    EXPECT_NOT_MOVED(b);
    pvb(&b, 1);
    CHECK_ST(arct_world_migrate(w, "pv2", NULL, &b.array, &b.schema, NULL, 1), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    pvb(&b, 1);
    CHECK_ST(arct_world_migrate(NULL, "pv2", NULL, &b.array, &b.schema, one, 1), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    CHECK_ST(arct_world_migrate_rows(w, "pv2", NULL, NULL, NULL, one, 1), ARCT_ERR_NULL_POINTER);
    pvb(&b, 1);
    CHECK_ST(arct_world_migrate_rows(w, "pv2", NULL, &b.array, NULL, one, 1), ARCT_ERR_NULL_POINTER);
    EXPECT_NOT_MOVED(b);
    pvb(&b, 1);
    CHECK_ST(arct_world_migrate_rows(w, NULL, NULL, &b.array, &b.schema, one, 1), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    pvb(&b, 1);
    CHECK_ST(arct_world_migrate_rows(w, "pv2", NULL, &b.array, &b.schema, NULL, 1), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);

    /* processors */
    arct_processor_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.struct_size = sizeof spec;
    spec.kind = ARCT_PROCESSOR_MOVEMENT;
    spec.dt = 0.1;
    uint64_t pid = 77;
    CHECK_ST(arct_world_add_processor(w, NULL, &pid), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_add_processor(w, &spec, NULL), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_add_processor(NULL, &spec, &pid), ARCT_ERR_NULL_POINTER);
    CHECK(pid == 77);
    CHECK_ST(arct_world_remove_processor(NULL, 1), ARCT_ERR_NULL_POINTER);
    pvb(&b, 2);
    out_fill(&out);
    CHECK_ST(arct_processor_apply(NULL, &b.array, &b.schema, &out.a, &out.s, 0), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    pvb(&b, 2);
    CHECK_ST(arct_processor_apply(&spec, &b.array, NULL, &out.a, &out.s, 0), ARCT_ERR_NULL_POINTER);
    EXPECT_NOT_MOVED(b);
    pvb(&b, 2);
    CHECK_ST(arct_processor_apply(&spec, &b.array, &b.schema, NULL, &out.s, 0), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    pvb(&b, 2);
    CHECK_ST(arct_processor_apply(&spec, &b.array, &b.schema, &out.a, NULL, 0), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    CHECK(out_untouched(&out));

    /* step, begin, commit, abort */
    arct_step_profile prof;
    memset(&prof, 0, sizeof prof);
    prof.struct_size = sizeof prof;
    prof.tables_cap = 2;
    prof.tables = NULL;
    CHECK_ST(arct_world_step(w, &prof), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_step(NULL, NULL), ARCT_ERR_NULL_POINTER);
    CHECK(prof.n_tables == 0 && prof.tick == 0);
    out_fill(&out);
    CHECK_ST(arct_step_begin(w, NULL, &out.a, &out.s), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_step_begin(w, "pv", NULL, &out.s), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_step_begin(w, "pv", &out.a, NULL), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_step_begin(NULL, "pv", &out.a, &out.s), ARCT_ERR_NULL_POINTER);
    CHECK(out_untouched(&out));
    CHECK_OK(world_info(w, &info));
    CHECK(info.state == ARCT_WORLD_READY);
    int32_t done = -7;
    pvb(&b, 1);
    CHECK_ST(arct_step_commit(w, NULL, &b.array, &b.schema, &done), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    pvb(&b, 1);
    CHECK_ST(arct_step_commit(w, "pv", NULL, &b.schema, &done), ARCT_ERR_NULL_POINTER);
    EXPECT_NOT_MOVED(b);
    pvb(&b, 1);
    CHECK_ST(arct_step_commit(w, "pv", &b.array, NULL, &done), ARCT_ERR_NULL_POINTER);
    EXPECT_NOT_MOVED(b);
    pvb(&b, 1);
    CHECK_ST(arct_step_commit(NULL, "pv", &b.array, &b.schema, &done), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    CHECK(done == -7);
    CHECK_ST(arct_step_abort(NULL, NULL), ARCT_ERR_NULL_POINTER);

    /* query */
    struct ArrowArrayStream stream;
    memset(&stream, 0, sizeof stream);
    arct_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    CHECK_ST(arct_world_query(w, NULL, NULL, &stream), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_query(w, "pv", NULL, NULL), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_world_query(NULL, "pv", NULL, &stream), ARCT_ERR_NULL_POINTER);
    q.flags = ARCT_QUERY_FILTER_TICKS;
    q.n_ticks = 1;
    CHECK_ST(arct_world_query(w, "pv", &q, &stream), ARCT_ERR_NULL_POINTER);
    q.flags = ARCT_QUERY_FILTER_ENTITY_IDS;
    q.n_ticks = 0;
    q.n_entity_ids = 2;
    CHECK_ST(arct_world_query(w, "pv", &q, &stream), ARCT_ERR_NULL_POINTER);
    q.flags = ARCT_QUERY_PROJECT;
    q.n_entity_ids = 0;
    q.n_columns = 1;
    CHECK_ST(arct_world_query(w, "pv", &q, &stream), ARCT_ERR_NULL_POINTER);
    CHECK(stream.release == NULL);
    /* arrays not read when their flag is off */
    q.flags = 0;
    q.n_ticks = 3;
    q.n_entity_ids = 3;
    q.n_columns = 3;
    Coll c;
    CHECK_OK(query_collect(w, "pv", &q, &c));
    CHECK(c.rows == 2);
    coll_free(&c);

    /* v1 functions and stream roundtrip */
    pvb(&b, 2);
    out_fill(&out);
    CHECK_ST(arct_record_batch_roundtrip(NULL, &b.schema, &out.a, &out.s), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_record_batch_roundtrip(&b.array, NULL, &out.a, &out.s), ARCT_ERR_NULL_POINTER);
    EXPECT_NOT_MOVED(b);
    pvb(&b, 2);
    CHECK_ST(arct_record_batch_roundtrip(&b.array, &b.schema, NULL, &out.s), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    pvb(&b, 2);
    CHECK_ST(arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, NULL), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    pvb(&b, 2);
    CHECK_ST(arct_movement_process(NULL, &b.schema, &out.a, &out.s, 0.1, 0), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_movement_process(&b.array, NULL, &out.a, &out.s, 0.1, 0), ARCT_ERR_NULL_POINTER);
    EXPECT_NOT_MOVED(b);
    pvb(&b, 2);
    CHECK_ST(arct_movement_process(&b.array, &b.schema, NULL, &out.s, 0.1, 0), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    pvb(&b, 2);
    CHECK_ST(arct_movement_process(&b.array, &b.schema, &out.a, NULL, 0.1, 0), ARCT_ERR_NULL_POINTER);
    EXPECT_CONSUMED(b);
    CHECK(out_untouched(&out));
    struct ArrowArrayStream in_stream, out_stream;
    StreamState ss;
    memset(&out_stream, 0, sizeof out_stream);
    CHECK_ST(arct_stream_roundtrip(NULL, &out_stream), ARCT_ERR_NULL_POINTER);
    stream_init(&in_stream, &ss, 2, 3);
    CHECK_ST(arct_stream_roundtrip(&in_stream, NULL), ARCT_ERR_NULL_POINTER);
    CHECK(in_stream.release == NULL && ss.release_calls == 1); /* moved and released */
    CHECK(out_stream.release == NULL);

    /* debug hook */
    int32_t inside = 0, release = 1;
    CHECK_ST(arct_debug_world_hold(w, NULL, &release, 10), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_debug_world_hold(w, &inside, NULL, 10), ARCT_ERR_NULL_POINTER);
    CHECK_ST(arct_debug_world_hold(NULL, &inside, &release, 10), ARCT_ERR_NULL_POINTER);
    CHECK_OK(arct_debug_world_hold(w, &inside, &release, 10)); /* release already set: returns at once */
    CHECK(inside == 1);
    arct_debug_counters(NULL, NULL, NULL); /* any pointer may be NULL */

    CHECK(info_unchanged(w, &before));
    CHECK(world_tick(w) == 1);
    CHECK_OK(arct_world_free(w));
}

/* ---- N2 ------------------------------------------------------------------------------------ */

static void n2_outputs_not_empty(void) {
    CASE("N2");
    arct_world* w = neg_world("n2");
    if (!w) return;
    Out fake, ref, half;
    int32_t (*exports[3])(arct_world*, struct ArrowArray*, struct ArrowSchema*) = {
        arct_world_active_tables, arct_world_tables, arct_world_entities};
    for (int k = 0; k < 3; k++) {
        out_fake_nonempty(&fake);
        ref = fake;
        CHECK_ST(exports[k](w, &fake.a, &fake.s), ARCT_ERR_OUTPUT_NOT_EMPTY);
        CHECK(memcmp(&fake, &ref, sizeof fake) == 0);
        /* only the schema half non-empty: the array half is not written either */
        out_fill(&half);
        half.s = ref.s;
        CHECK_ST(exports[k](w, &half.a, &half.s), ARCT_ERR_OUTPUT_NOT_EMPTY);
        CHECK(half.a.release == NULL);
        out_fill(&half);
        half.a = ref.a;
        CHECK_ST(exports[k](w, &half.a, &half.s), ARCT_ERR_OUTPUT_NOT_EMPTY);
        CHECK(half.s.release == NULL);
    }
    out_fake_nonempty(&fake);
    ref = fake;
    CHECK_ST(arct_step_begin(w, "pv", &fake.a, &fake.s), ARCT_ERR_OUTPUT_NOT_EMPTY);
    CHECK(memcmp(&fake, &ref, sizeof fake) == 0);
    arct_world_info info;
    CHECK_OK(world_info(w, &info));
    CHECK(info.state == ARCT_WORLD_READY); /* a failed first begin opens no epoch */

    struct ArrowArrayStream st, st_ref;
    stream_fake_nonempty(&st);
    st_ref = st;
    CHECK_ST(arct_world_query(w, "pv", NULL, &st), ARCT_ERR_OUTPUT_NOT_EMPTY);
    CHECK(memcmp(&st, &st_ref, sizeof st) == 0);

    Batch b;
    pvb(&b, 2);
    out_fake_nonempty(&fake);
    ref = fake;
    CHECK_ST(arct_record_batch_roundtrip(&b.array, &b.schema, &fake.a, &fake.s), ARCT_ERR_OUTPUT_NOT_EMPTY);
    EXPECT_CONSUMED(b);
    CHECK(memcmp(&fake, &ref, sizeof fake) == 0);
    pvb(&b, 2);
    CHECK_ST(arct_movement_process(&b.array, &b.schema, &fake.a, &fake.s, 0.1, 0), ARCT_ERR_OUTPUT_NOT_EMPTY);
    EXPECT_CONSUMED(b);
    CHECK(memcmp(&fake, &ref, sizeof fake) == 0);
    arct_processor_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.struct_size = sizeof spec;
    spec.kind = ARCT_PROCESSOR_MOVEMENT;
    spec.dt = 0.1;
    pvb(&b, 2);
    CHECK_ST(arct_processor_apply(&spec, &b.array, &b.schema, &fake.a, &fake.s, 0), ARCT_ERR_OUTPUT_NOT_EMPTY);
    EXPECT_CONSUMED(b);
    CHECK(memcmp(&fake, &ref, sizeof fake) == 0);
    /* only one half non-empty */
    pvb(&b, 2);
    out_fill(&half);
    half.s = ref.s;
    CHECK_ST(arct_record_batch_roundtrip(&b.array, &b.schema, &half.a, &half.s), ARCT_ERR_OUTPUT_NOT_EMPTY);
    EXPECT_CONSUMED(b);
    CHECK(half.a.release == NULL);

    struct ArrowArrayStream in_stream;
    StreamState ss;
    stream_init(&in_stream, &ss, 1, 2);
    stream_fake_nonempty(&st);
    st_ref = st;
    CHECK_ST(arct_stream_roundtrip(&in_stream, &st), ARCT_ERR_OUTPUT_NOT_EMPTY);
    CHECK(in_stream.release == NULL && ss.release_calls == 1);
    CHECK(memcmp(&st, &st_ref, sizeof st) == 0);

    /* *out_world non-NULL */
    arct_world_options o;
    opts_init(&o, "w1", "n2-new", NULL, NULL);
    arct_world* nw = (arct_world*)(uintptr_t)0x1234;
    CHECK_ST(arct_world_new(&o, &nw), ARCT_ERR_OUTPUT_NOT_EMPTY);
    CHECK(nw == (arct_world*)(uintptr_t)0x1234);
    char* root = temp_dir("n2");
    opts_init(&o, "w1", "n2-open", root, "ns");
    CHECK_ST(arct_world_open(&o, &nw), ARCT_ERR_OUTPUT_NOT_EMPTY);
    CHECK(nw == (arct_world*)(uintptr_t)0x1234);
    nw = w; /* a live token is not empty either */
    CHECK_ST(arct_world_open(&o, &nw), ARCT_ERR_OUTPUT_NOT_EMPTY);
    CHECK(nw == w);
    remove_tree(root);
    free(root);

    CHECK(world_tick(w) == 1);
    CHECK_OK(arct_world_free(w));
}

/* ---- N3 ------------------------------------------------------------------------------------ */

static const char* const BAD_UTF8[] = {"\xff", "ab\xc3", "\xc0\xaf", "a\xed\xa0\x80", "\xe2\x82", "\xf8\x88\x80\x80\x80"};
#define N_BAD_UTF8 (sizeof BAD_UTF8 / sizeof BAD_UTF8[0])

static void n3_invalid_utf8(void) {
    CASE("N3");
    arct_world* w = neg_world("n3");
    if (!w) return;
    arct_world_info before;
    CHECK_OK(world_info(w, &before));
    char* root = temp_dir("n3");
    for (size_t k = 0; k < N_BAD_UTF8; k++) {
        const char* bad = BAD_UTF8[k];
        Batch b;
        SchemaIn s;
        Out out;
        int32_t one[1] = {1};
        int32_t ids[4];
        int64_t n_ids = -7;
        pvs(&s);
        CHECK_ST(arct_world_register_table(w, bad, &s.schema, 0), ARCT_ERR_INVALID_UTF8);
        EXPECT_SCHEMA_CONSUMED(s);
        pvb(&b, 1);
        CHECK_ST(arct_world_spawn(w, bad, &b.array, &b.schema, ids, 4, &n_ids), ARCT_ERR_INVALID_UTF8);
        EXPECT_CONSUMED(b);
        CHECK(n_ids == -7);
        int32_t want[1] = {100};
        pvb(&b, 1);
        CHECK_ST(arct_world_spawn_with_ids(w, bad, &b.array, &b.schema, want, 1), ARCT_ERR_INVALID_UTF8);
        EXPECT_CONSUMED(b);
        pvs(&s);
        CHECK_ST(arct_world_migrate(w, bad, &s.schema, NULL, NULL, one, 1), ARCT_ERR_INVALID_UTF8);
        EXPECT_SCHEMA_CONSUMED(s);
        pvb(&b, 1);
        CHECK_ST(arct_world_migrate_rows(w, bad, NULL, &b.array, &b.schema, one, 1), ARCT_ERR_INVALID_UTF8);
        EXPECT_CONSUMED(b);
        out_fill(&out);
        CHECK_ST(arct_step_begin(w, bad, &out.a, &out.s), ARCT_ERR_INVALID_UTF8);
        CHECK(out_untouched(&out));
        pvb(&b, 1);
        CHECK_ST(arct_step_commit(w, bad, &b.array, &b.schema, NULL), ARCT_ERR_INVALID_UTF8);
        EXPECT_CONSUMED(b);
        CHECK_ST(arct_step_abort(w, bad), ARCT_ERR_INVALID_UTF8);
        struct ArrowArrayStream st;
        memset(&st, 0, sizeof st);
        CHECK_ST(arct_world_query(w, bad, NULL, &st), ARCT_ERR_INVALID_UTF8);
        arct_query q;
        memset(&q, 0, sizeof q);
        q.struct_size = sizeof q;
        q.world_id = bad;
        CHECK_ST(arct_world_query(w, "pv", &q, &st), ARCT_ERR_INVALID_UTF8);
        q.world_id = NULL;
        q.run_id = bad;
        CHECK_ST(arct_world_query(w, "pv", &q, &st), ARCT_ERR_INVALID_UTF8);
        q.run_id = NULL;
        const char* cols[2] = {"entity_id", bad};
        q.flags = ARCT_QUERY_PROJECT;
        q.columns = cols;
        q.n_columns = 2;
        CHECK_ST(arct_world_query(w, "pv", &q, &st), ARCT_ERR_INVALID_UTF8);
        CHECK(st.release == NULL);

        arct_processor_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.struct_size = sizeof spec;
        spec.kind = ARCT_PROCESSOR_MOVEMENT;
        spec.dt = 0.1;
        spec.label = bad;
        uint64_t pid = 0;
        CHECK_ST(arct_world_add_processor(w, &spec, &pid), ARCT_ERR_INVALID_UTF8);
        CHECK(pid == 0);
        pvb(&b, 1);
        out_fill(&out);
        CHECK_ST(arct_processor_apply(&spec, &b.array, &b.schema, &out.a, &out.s, 0), ARCT_ERR_INVALID_UTF8);
        EXPECT_CONSUMED(b);
        CHECK(out_untouched(&out));

        arct_world_options o;
        arct_world* nw = NULL;
        opts_init(&o, bad, "r", NULL, NULL);
        CHECK_ST(arct_world_new(&o, &nw), ARCT_ERR_INVALID_UTF8);
        opts_init(&o, "w", bad, NULL, NULL);
        CHECK_ST(arct_world_new(&o, &nw), ARCT_ERR_INVALID_UTF8);
        opts_init(&o, "w", "r", NULL, bad);
        CHECK_ST(arct_world_new(&o, &nw), ARCT_ERR_INVALID_UTF8);
        opts_init(&o, "w", "r", root, bad);
        CHECK_ST(arct_world_open(&o, &nw), ARCT_ERR_INVALID_UTF8);
        opts_init(&o, "w", bad, root, "ns");
        CHECK_ST(arct_world_open(&o, &nw), ARCT_ERR_INVALID_UTF8);
        char badroot[256];
        snprintf(badroot, sizeof badroot, "%s/%s", root, bad);
        opts_init(&o, "w", "r", badroot, "ns");
        CHECK_ST(arct_world_new(&o, &nw), ARCT_ERR_INVALID_UTF8);
        CHECK(nw == NULL);
    }
    CHECK(info_unchanged(w, &before));
    CHECK(world_tick(w) == 1);
    CHECK_OK(arct_world_free(w));
    remove_tree(root);
    free(root);
}

/* ---- N4 ------------------------------------------------------------------------------------ */

static void n4_invalid_names(void) {
    CASE("N4");
    arct_world* w = neg_world("n4");
    if (!w) return;
    arct_world_info before;
    CHECK_OK(world_info(w, &before));
    char long256[257];
    memset(long256, 'a', 256);
    long256[256] = 0;
    const char* names[] = {"", long256, "a/b", "a\\b", "a b", ".", "..", ".hidden", "caf\xc3\xa9", "tab\tx", "/abs"};
    const size_t n_names = sizeof names / sizeof names[0];
    char* root = temp_dir("n4");
    for (size_t k = 0; k < n_names; k++) {
        const char* bad = names[k];
        Batch b;
        SchemaIn s;
        Out out;
        int32_t one[1] = {1};
        int32_t ids[4];
        int64_t n_ids = -7;
        pvs(&s);
        CHECKF(CHECK_ST(arct_world_register_table(w, bad, &s.schema, 0), ARCT_ERR_INVALID_NAME) == ARCT_ERR_INVALID_NAME,
               "table name #%zu", k);
        EXPECT_SCHEMA_CONSUMED(s);
        pvb(&b, 1);
        CHECK_ST(arct_world_spawn(w, bad, &b.array, &b.schema, ids, 4, &n_ids), ARCT_ERR_INVALID_NAME);
        EXPECT_CONSUMED(b);
        int32_t want[1] = {100};
        pvb(&b, 1);
        CHECK_ST(arct_world_spawn_with_ids(w, bad, &b.array, &b.schema, want, 1), ARCT_ERR_INVALID_NAME);
        EXPECT_CONSUMED(b);
        pvs(&s);
        CHECK_ST(arct_world_migrate(w, bad, &s.schema, NULL, NULL, one, 1), ARCT_ERR_INVALID_NAME);
        EXPECT_SCHEMA_CONSUMED(s);
        pvb(&b, 1);
        CHECK_ST(arct_world_migrate_rows(w, bad, NULL, &b.array, &b.schema, one, 1), ARCT_ERR_INVALID_NAME);
        EXPECT_CONSUMED(b);
        out_fill(&out);
        CHECK_ST(arct_step_begin(w, bad, &out.a, &out.s), ARCT_ERR_INVALID_NAME);
        CHECK(out_untouched(&out));
        struct ArrowArrayStream st;
        memset(&st, 0, sizeof st);
        CHECK_ST(arct_world_query(w, bad, NULL, &st), ARCT_ERR_INVALID_NAME);
        CHECK(st.release == NULL);
        /* the namespace follows the table-name rules, in memory and on disk */
        arct_world_options o;
        arct_world* nw = NULL;
        opts_init(&o, "w", "r", NULL, bad);
        CHECKF(CHECK_ST(arct_world_new(&o, &nw), ARCT_ERR_INVALID_NAME) == ARCT_ERR_INVALID_NAME, "namespace #%zu", k);
        opts_init(&o, "w", "r", root, bad);
        CHECK_ST(arct_world_new(&o, &nw), ARCT_ERR_INVALID_NAME);
        CHECK_ST(arct_world_open(&o, &nw), ARCT_ERR_INVALID_NAME);
        CHECK(nw == NULL);
    }
    /* world id and run id: non-empty, <= 255 bytes, no control characters */
    const char* ids_bad[] = {"", long256, "a\x01" "b", "a\x7f", "line\n", "\x1f"};
    for (size_t k = 0; k < sizeof ids_bad / sizeof ids_bad[0]; k++) {
        arct_world_options o;
        arct_world* nw = NULL;
        opts_init(&o, ids_bad[k], "r", NULL, NULL);
        CHECKF(CHECK_ST(arct_world_new(&o, &nw), ARCT_ERR_INVALID_NAME) == ARCT_ERR_INVALID_NAME, "world id #%zu", k);
        opts_init(&o, "w", ids_bad[k], NULL, NULL);
        CHECKF(CHECK_ST(arct_world_new(&o, &nw), ARCT_ERR_INVALID_NAME) == ARCT_ERR_INVALID_NAME, "run id #%zu", k);
        opts_init(&o, "w", ids_bad[k], root, "ns");
        CHECK_ST(arct_world_open(&o, &nw), ARCT_ERR_INVALID_NAME);
        CHECK(nw == NULL);
        struct ArrowArrayStream st;
        memset(&st, 0, sizeof st);
        arct_query q;
        memset(&q, 0, sizeof q);
        q.struct_size = sizeof q;
        q.world_id = ids_bad[k];
        CHECK_ST(arct_world_query(w, "pv", &q, &st), ARCT_ERR_INVALID_NAME);
        q.world_id = NULL;
        q.run_id = ids_bad[k];
        CHECK_ST(arct_world_query(w, "pv", &q, &st), ARCT_ERR_INVALID_NAME);
    }
    /* world ids may hold spaces, slashes and non-ASCII text */
    {
        arct_world_options o;
        arct_world* nw = NULL;
        opts_init(&o, "my world/\xc3\xa9", "run 1", NULL, NULL);
        CHECK_OK(arct_world_new(&o, &nw));
        if (nw) CHECK_OK(arct_world_free(nw));
    }
    CHECK(info_unchanged(w, &before));
    CHECK(world_tick(w) == 1);
    CHECK_OK(arct_world_free(w));
    remove_tree(root);
    free(root);
}

/* ---- N5 ------------------------------------------------------------------------------------ */

static void n5_bad_handles(void) {
    CASE("N5");
    arct_world* freed = world_make("w1", "n5-freed", NULL, NULL);
    if (!freed) return;
    CHECK_OK(arct_world_free(freed));
    CHECK_ST(arct_world_free(freed), ARCT_ERR_BAD_HANDLE); /* double free */
    arct_world* tokens[] = {freed, (arct_world*)(uintptr_t)0x1, (arct_world*)(uintptr_t)0xdeadbeef000ULL,
                            (arct_world*)(uintptr_t)0x7ffffffffff0ULL, (arct_world*)(uintptr_t)UINTPTR_MAX};
    for (size_t k = 0; k < sizeof tokens / sizeof tokens[0]; k++) {
        arct_world* t = tokens[k];
        int32_t tick = -7;
        CHECK_ST(arct_world_tick(t, &tick), ARCT_ERR_BAD_HANDLE);
        CHECK(tick == -7);
        arct_world_info info;
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        CHECK_ST(arct_world_get_info(t, &info), ARCT_ERR_BAD_HANDLE);
        int32_t st = -7;
        size_t len = 0;
        CHECK_ST(arct_world_last_error(t, &st, NULL, 0, &len), ARCT_ERR_BAD_HANDLE);
        Out out;
        out_fill(&out);
        CHECK_ST(arct_world_entities(t, &out.a, &out.s), ARCT_ERR_BAD_HANDLE);
        CHECK_ST(arct_world_tables(t, &out.a, &out.s), ARCT_ERR_BAD_HANDLE);
        CHECK_ST(arct_world_active_tables(t, &out.a, &out.s), ARCT_ERR_BAD_HANDLE);
        CHECK(out_untouched(&out));
        SchemaIn s;
        pvs(&s);
        CHECK_ST(arct_world_register_table(t, "pv", &s.schema, 0), ARCT_ERR_BAD_HANDLE);
        EXPECT_SCHEMA_CONSUMED(s);
        Batch b;
        pvb(&b, 1);
        int32_t ids[2];
        int64_t n = -7;
        CHECK_ST(arct_world_spawn(t, "pv", &b.array, &b.schema, ids, 2, &n), ARCT_ERR_BAD_HANDLE);
        EXPECT_CONSUMED(b);
        CHECK(n == -7);
        int32_t first = -7;
        CHECK_ST(arct_world_reserve_ids(t, 1, &first), ARCT_ERR_BAD_HANDLE);
        int32_t one[1] = {1};
        CHECK_ST(arct_world_despawn(t, one, 1), ARCT_ERR_BAD_HANDLE);
        pvb(&b, 1);
        CHECK_ST(arct_world_update(t, &b.array, &b.schema), ARCT_ERR_BAD_HANDLE);
        EXPECT_CONSUMED(b);
        uint64_t pid = 0;
        CHECK_ST(add_movement(t, 0.1, 10, &pid), ARCT_ERR_BAD_HANDLE);
        CHECK_ST(arct_world_remove_processor(t, 1), ARCT_ERR_BAD_HANDLE);
        CHECK_ST(arct_world_step(t, NULL), ARCT_ERR_BAD_HANDLE);
        CHECK_ST(arct_step_begin(t, "pv", &out.a, &out.s), ARCT_ERR_BAD_HANDLE);
        pvb(&b, 1);
        CHECK_ST(arct_step_commit(t, "pv", &b.array, &b.schema, NULL), ARCT_ERR_BAD_HANDLE);
        EXPECT_CONSUMED(b);
        CHECK_ST(arct_step_abort(t, NULL), ARCT_ERR_BAD_HANDLE);
        struct ArrowArrayStream stream;
        memset(&stream, 0, sizeof stream);
        CHECK_ST(arct_world_query(t, "pv", NULL, &stream), ARCT_ERR_BAD_HANDLE);
        CHECK(stream.release == NULL);
        int32_t inside = 0, rel = 1;
        CHECK_ST(arct_debug_world_hold(t, &inside, &rel, 10), ARCT_ERR_BAD_HANDLE);
        CHECK(inside == 0);
        CHECK_ST(arct_world_free(t), ARCT_ERR_BAD_HANDLE);
    }
    /* tokens are never reused: a new world does not revive the freed token */
    arct_world* w2 = world_make("w1", "n5-new", NULL, NULL);
    if (w2) {
        CHECK(w2 != freed);
        CHECK_ST(arct_world_free(freed), ARCT_ERR_BAD_HANDLE);
        CHECK(world_tick(w2) == 0);
        CHECK_OK(arct_world_free(w2));
    }
}

/* ---- N6 ------------------------------------------------------------------------------------ */

static void n6_abi_version(void) {
    CASE("N6");
    char* root = temp_dir("n6");
    const uint32_t versions[] = {0, 1, 3, 0xFFFFFFFFu};
    for (size_t k = 0; k < sizeof versions / sizeof versions[0]; k++) {
        arct_world_options o;
        arct_world* w = NULL;
        opts_init(&o, "w", "r", NULL, NULL);
        o.abi_version = versions[k];
        CHECK_ST(arct_world_new(&o, &w), ARCT_ERR_ABI_VERSION);
        opts_init(&o, "w", "r", root, "ns");
        o.abi_version = versions[k];
        CHECK_ST(arct_world_open(&o, &w), ARCT_ERR_ABI_VERSION);
        CHECK_ST(arct_world_new(&o, &w), ARCT_ERR_ABI_VERSION);
        CHECK(w == NULL);
    }
    remove_tree(root);
    free(root);
}

/* ---- N7 ------------------------------------------------------------------------------------ */

static void n7_invalid_arguments(void) {
    CASE("N7");
    char* root = temp_dir("n7");
    /* options */
    struct {
        const char* what;
        uint32_t struct_size;
        int32_t codec, level, durability;
        uint32_t flags;
    } bad_opts[] = {
        {"struct_size 55", 55, 0, 0, 0, 0}, {"struct_size 0", 0, 0, 0, 0, 0}, {"struct_size 8", 8, 0, 0, 0, 0},
        {"codec 4", 56, 4, 0, 0, 0},        {"codec -1", 56, -1, 0, 0, 0},   {"zstd level 23", 56, 2, 23, 0, 0},
        {"zstd level -1", 56, 2, -1, 0, 0}, {"gzip level 10", 56, 3, 10, 0, 0}, {"durability 2", 56, 0, 0, 2, 0},
        {"durability -1", 56, 0, 0, -1, 0}, {"flags 1", 56, 0, 0, 0, 1},     {"flags 1<<31", 56, 0, 0, 0, 0x80000000u},
    };
    for (size_t k = 0; k < sizeof bad_opts / sizeof bad_opts[0]; k++) {
        arct_world_options o;
        arct_world* w = NULL;
        opts_init(&o, "w", "r", NULL, NULL);
        o.struct_size = bad_opts[k].struct_size;
        o.codec = bad_opts[k].codec;
        o.codec_level = bad_opts[k].level;
        o.durability = bad_opts[k].durability;
        o.flags = bad_opts[k].flags;
        CHECKF(CHECK_ST(arct_world_new(&o, &w), ARCT_ERR_INVALID_ARGUMENT) == ARCT_ERR_INVALID_ARGUMENT, "options: %s",
               bad_opts[k].what);
        o.store_root = root;
        o.store_namespace = "ns";
        CHECKF(CHECK_ST(arct_world_open(&o, &w), ARCT_ERR_INVALID_ARGUMENT) == ARCT_ERR_INVALID_ARGUMENT, "open options: %s",
               bad_opts[k].what);
        CHECK(w == NULL);
    }
    /* open needs a store root */
    {
        arct_world_options o;
        arct_world* w = NULL;
        opts_init(&o, "w", "r", NULL, NULL);
        CHECK_ST(arct_world_open(&o, &w), ARCT_ERR_INVALID_ARGUMENT);
        CHECK(w == NULL);
    }
    /* a larger struct_size is fine (fields past the version-2 size take defaults) */
    {
        struct {
            arct_world_options o;
            char tail[16];
        } big;
        memset(&big, 0, sizeof big);
        opts_init(&big.o, "w", "n7-big", NULL, NULL);
        big.o.struct_size = sizeof big;
        arct_world* w = NULL;
        CHECK_OK(arct_world_new(&big.o, &w));
        if (w) CHECK_OK(arct_world_free(w));
    }

    arct_world* w = neg_world("n7");
    if (!w) {
        free(root);
        return;
    }
    arct_world_info before;
    CHECK_OK(world_info(w, &before));

    /* get_info struct_size */
    arct_world_info info;
    memset(&info, 0xAB, sizeof info);
    info.struct_size = 303;
    CHECK_ST(arct_world_get_info(w, &info), ARCT_ERR_INVALID_ARGUMENT);
    {
        unsigned char ref[sizeof info];
        memset(ref, 0xAB, sizeof ref);
        CHECK(memcmp((char*)&info + 4, ref + 4, sizeof info - 4) == 0);
    }
    /* step profile */
    arct_step_profile prof;
    memset(&prof, 0, sizeof prof);
    prof.struct_size = 39;
    CHECK_ST(arct_world_step(w, &prof), ARCT_ERR_INVALID_ARGUMENT);
    prof.struct_size = sizeof prof;
    prof.tables_cap = -1;
    CHECK_ST(arct_world_step(w, &prof), ARCT_ERR_INVALID_ARGUMENT);
    CHECK(world_tick(w) == 1);
    /* registration flags */
    SchemaIn s;
    pvs(&s);
    CHECK_ST(arct_world_register_table(w, "pv2", &s.schema, 2), ARCT_ERR_INVALID_ARGUMENT);
    EXPECT_SCHEMA_CONSUMED(s);
    pvs(&s);
    CHECK_ST(arct_world_register_table(w, "pv2", &s.schema, 0x80000000u), ARCT_ERR_INVALID_ARGUMENT);
    EXPECT_SCHEMA_CONSUMED(s);
    /* processor specs */
    struct {
        const char* what;
        uint32_t struct_size;
        int32_t kind;
        uint32_t flags;
        double dt;
    } bad_specs[] = {
        {"struct_size 31", 31, ARCT_PROCESSOR_MOVEMENT, 0, 0.1},
        {"struct_size 0", 0, ARCT_PROCESSOR_MOVEMENT, 0, 0.1},
        {"kind 0", 32, 0, 0, 0.1},
        {"kind 2", 32, 2, 0, 0.1},
        {"kind -1", 32, -1, 0, 0.1},
        {"flags 1", 32, ARCT_PROCESSOR_MOVEMENT, 1, 0.1},
        {"dt NaN", 32, ARCT_PROCESSOR_MOVEMENT, 0, NAN},
        {"dt +inf", 32, ARCT_PROCESSOR_MOVEMENT, 0, INFINITY},
        {"dt -inf", 32, ARCT_PROCESSOR_MOVEMENT, 0, -INFINITY},
    };
    for (size_t k = 0; k < sizeof bad_specs / sizeof bad_specs[0]; k++) {
        arct_processor_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.struct_size = bad_specs[k].struct_size;
        spec.kind = bad_specs[k].kind;
        spec.flags = bad_specs[k].flags;
        spec.dt = bad_specs[k].dt;
        uint64_t pid = 0;
        CHECKF(CHECK_ST(arct_world_add_processor(w, &spec, &pid), ARCT_ERR_INVALID_ARGUMENT) == ARCT_ERR_INVALID_ARGUMENT,
               "add_processor: %s", bad_specs[k].what);
        CHECK(pid == 0);
        Batch b;
        pvb(&b, 2);
        Out out;
        out_fill(&out);
        CHECKF(CHECK_ST(arct_processor_apply(&spec, &b.array, &b.schema, &out.a, &out.s, 0), ARCT_ERR_INVALID_ARGUMENT) ==
                   ARCT_ERR_INVALID_ARGUMENT,
               "processor_apply: %s", bad_specs[k].what);
        EXPECT_CONSUMED(b);
        CHECK(out_untouched(&out));
    }
    CHECK_ST(arct_world_remove_processor(w, 12345), ARCT_ERR_INVALID_ARGUMENT);
    CHECK_ST(arct_world_remove_processor(w, 0), ARCT_ERR_INVALID_ARGUMENT);
    /* reserve */
    int32_t first = -7;
    CHECK_ST(arct_world_reserve_ids(w, 0, &first), ARCT_ERR_INVALID_ARGUMENT);
    CHECK_ST(arct_world_reserve_ids(w, -5, &first), ARCT_ERR_INVALID_ARGUMENT);
    CHECK_ST(arct_world_reserve_ids(w, INT64_MIN, &first), ARCT_ERR_INVALID_ARGUMENT);
    CHECK(first == -7);
    /* spawn: out_ids_cap < rows; nothing staged */
    {
        Batch b;
        pvb(&b, 3);
        int32_t ids[3] = {-7, -7, -7};
        int64_t n = -7;
        CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 2, &n), ARCT_ERR_INVALID_ARGUMENT);
        EXPECT_CONSUMED(b);
        CHECK(ids[0] == -7 && n == -7);
        pvb(&b, 1);
        CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, NULL, 0, &n), ARCT_ERR_INVALID_ARGUMENT);
        EXPECT_CONSUMED(b);
        pvb(&b, 1);
        CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, -1, &n), ARCT_ERR_INVALID_ARGUMENT);
        EXPECT_CONSUMED(b);
    }
    /* spawn with ids: n_ids < 0, n_ids != rows, id < 1 */
    {
        Batch b;
        int32_t want[3] = {100, 101, 102};
        pvb(&b, 2);
        CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, want, -1), ARCT_ERR_INVALID_ARGUMENT);
        EXPECT_CONSUMED(b);
        pvb(&b, 2);
        CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, want, 3), ARCT_ERR_INVALID_ARGUMENT);
        EXPECT_CONSUMED(b);
        pvb(&b, 2);
        CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, want, 1), ARCT_ERR_INVALID_ARGUMENT);
        EXPECT_CONSUMED(b);
        int32_t zero[1] = {0}, neg[1] = {-3};
        pvb(&b, 1);
        CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, zero, 1), ARCT_ERR_INVALID_ARGUMENT);
        EXPECT_CONSUMED(b);
        pvb(&b, 1);
        CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, neg, 1), ARCT_ERR_INVALID_ARGUMENT);
        EXPECT_CONSUMED(b);
    }
    /* despawn n_ids < 0 */
    {
        int32_t one[1] = {1};
        CHECK_ST(arct_world_despawn(w, one, -1), ARCT_ERR_INVALID_ARGUMENT);
    }
    /* migrate: n_ids 0, duplicates, own table, rows != ids */
    {
        int32_t one[1] = {1}, dup[2] = {1, 1}, both[2] = {1, 2};
        SchemaIn ts;
        pvs(&ts);
        CHECK_ST(arct_world_migrate(w, "pv", NULL, NULL, NULL, one, 0), ARCT_ERR_INVALID_ARGUMENT);
        CHECK_ST(arct_world_migrate(w, "pv", NULL, NULL, NULL, one, -1), ARCT_ERR_INVALID_ARGUMENT);
        CHECK_OK(arct_world_register_table(w, "pv_other", &ts.schema, 0));
        CHECK_ST(arct_world_migrate(w, "pv_other", NULL, NULL, NULL, dup, 2), ARCT_ERR_INVALID_ARGUMENT);
        CHECK_ST(arct_world_migrate(w, "pv", NULL, NULL, NULL, one, 1), ARCT_ERR_INVALID_ARGUMENT); /* own table */
        Batch b;
        pvb(&b, 1);
        CHECK_ST(arct_world_migrate(w, "pv_other", NULL, &b.array, &b.schema, both, 2), ARCT_ERR_INVALID_ARGUMENT);
        EXPECT_CONSUMED(b);
        pvb(&b, 1);
        CHECK_ST(arct_world_migrate_rows(w, "pv_other", NULL, &b.array, &b.schema, both, 2), ARCT_ERR_INVALID_ARGUMENT);
        EXPECT_CONSUMED(b);
        pvb(&b, 2);
        CHECK_ST(arct_world_migrate_rows(w, "pv_other", NULL, &b.array, &b.schema, dup, 2), ARCT_ERR_INVALID_ARGUMENT);
        EXPECT_CONSUMED(b);
        pvb(&b, 1);
        CHECK_ST(arct_world_migrate_rows(w, "pv", NULL, &b.array, &b.schema, one, 1), ARCT_ERR_INVALID_ARGUMENT);
        EXPECT_CONSUMED(b);
    }
    /* query: struct_size, unknown flags, n_ticks < 0, n_entity_ids < 0, n_columns 0, duplicate column */
    {
        struct ArrowArrayStream st;
        memset(&st, 0, sizeof st);
        arct_query q;
        memset(&q, 0, sizeof q);
        q.struct_size = 71;
        CHECK_ST(arct_world_query(w, "pv", &q, &st), ARCT_ERR_INVALID_ARGUMENT);
        q.struct_size = sizeof q;
        q.flags = 1u << 4;
        CHECK_ST(arct_world_query(w, "pv", &q, &st), ARCT_ERR_INVALID_ARGUMENT);
        q.flags = 0x80000000u;
        CHECK_ST(arct_world_query(w, "pv", &q, &st), ARCT_ERR_INVALID_ARGUMENT);
        int32_t t0 = 0;
        q.flags = ARCT_QUERY_FILTER_TICKS;
        q.ticks = &t0;
        q.n_ticks = -1;
        CHECK_ST(arct_world_query(w, "pv", &q, &st), ARCT_ERR_INVALID_ARGUMENT);
        q.flags = ARCT_QUERY_FILTER_ENTITY_IDS;
        q.entity_ids = &t0;
        q.n_entity_ids = -1;
        CHECK_ST(arct_world_query(w, "pv", &q, &st), ARCT_ERR_INVALID_ARGUMENT);
        const char* cols[3] = {"entity_id", "position__x", "entity_id"};
        q.flags = ARCT_QUERY_PROJECT;
        q.columns = cols;
        q.n_columns = 0;
        CHECK_ST(arct_world_query(w, "pv", &q, &st), ARCT_ERR_INVALID_ARGUMENT);
        q.n_columns = 3;
        CHECK_ST(arct_world_query(w, "pv", &q, &st), ARCT_ERR_INVALID_ARGUMENT); /* duplicate projected column */
        CHECK(st.release == NULL);
    }
    /* debug hook timeout */
    {
        int32_t inside = 0, rel = 1;
        CHECK_ST(arct_debug_world_hold(w, &inside, &rel, -1), ARCT_ERR_INVALID_ARGUMENT);
    }
    /* nothing changed: the failed spawns staged nothing */
    arct_world_info after;
    CHECK_OK(world_info(w, &after));
    CHECK(after.tick == before.tick && after.next_entity_id == before.next_entity_id &&
          after.n_entities == before.n_entities && after.n_tables == before.n_tables + 1);
    CHECK_OK(arct_world_step(w, NULL));
    Coll c;
    CHECK_OK(query_collect(w, "pv", NULL, &c));
    CHECK(c.rows == 4);
    coll_free(&c);
    CHECK_OK(arct_world_free(w));
    remove_tree(root);
    free(root);
}

void test_negative_arguments(void) {
    size_t mark = tn_mark();
    n1_null_pointers();
    n2_outputs_not_empty();
    n3_invalid_utf8();
    n4_invalid_names();
    n5_bad_handles();
    n6_abi_version();
    n7_invalid_arguments();
    tn_check_since(mark, "N1-N7");
}
