/* C ABI conformance test for libArchetypeFFI (c-abi.md, ABI version 2).
 *
 * Calls every exported function through archetype.h with hand-built Arrow C Data structs:
 * positive paths here, the negative cases N1-N37 of c-abi.md section 11 in negative_*.c, the
 * concurrency test in threads.c. Exit status 0 iff every check passed.
 *
 *   make c-test                  build the release library, build and run this test
 *   .build/c-abi-test [group..]  run only the named groups (see main) */
#define _XOPEN_SOURCE 700

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

_Static_assert(sizeof(arct_world_options) == 56, "arct_world_options is 56 bytes");
_Static_assert(sizeof(arct_processor_spec) == 32, "arct_processor_spec is 32 bytes");
_Static_assert(sizeof(arct_table_profile) == 320, "arct_table_profile is 320 bytes");
_Static_assert(sizeof(arct_step_profile) == 40, "arct_step_profile is 40 bytes");
_Static_assert(sizeof(arct_query) == 72, "arct_query is 72 bytes");
_Static_assert(sizeof(arct_world_info) == 304, "arct_world_info is 304 bytes");
_Static_assert(sizeof(struct ArrowSchema) == 72, "ArrowSchema");
_Static_assert(sizeof(struct ArrowArray) == 80, "ArrowArray");
_Static_assert(sizeof(struct ArrowArrayStream) == 40, "ArrowArrayStream");

static const FieldSpec PV[4] = {
    {"position__x", "g", 0}, {"position__y", "g", 0}, {"velocity__dx", "g", 0}, {"velocity__dy", "g", 0}};

/* ============================================================================================ */
/* diagnostics: version, status names, last error per thread, options init                     */
/* ============================================================================================ */

static void* thread_reads_last_error(void* arg) {
    const char** out = arg;
    *out = arct_last_error_message();
    return NULL;
}

void test_diagnostics(void) {
    CASE("diagnostics");
    CHECK(arct_ffi_version() == 2);
    CHECK(ARCT_ABI_VERSION == 2u);

    static const struct {
        int32_t code;
        const char* name;
    } names[] = {
        {0, "ARCT_OK"}, {1, "ARCT_ERR_ARROW"}, {2, "ARCT_ERR_INTERNAL"}, {3, "ARCT_ERR_NULL_POINTER"},
        {4, "ARCT_ERR_OUTPUT_NOT_EMPTY"}, {5, "ARCT_ERR_INVALID_UTF8"}, {6, "ARCT_ERR_BAD_HANDLE"},
        {7, "ARCT_ERR_ABI_VERSION"}, {8, "ARCT_ERR_INVALID_ARGUMENT"}, {100, "ARCT_ERR_STEP_ALREADY_IN_FLIGHT"},
        {101, "ARCT_ERR_NO_STEP_IN_FLIGHT"}, {102, "ARCT_ERR_STEP_TABLE_MISMATCH"}, {103, "ARCT_ERR_PARTIAL_TICK"},
        {104, "ARCT_ERR_MUTATION_DURING_STEP"}, {150, "ARCT_ERR_UNKNOWN_TABLE"}, {151, "ARCT_ERR_TABLE_NOT_ACTIVE"},
        {152, "ARCT_ERR_UNKNOWN_ENTITY"}, {153, "ARCT_ERR_ID_ALREADY_REGISTERED"}, {154, "ARCT_ERR_INVALID_NAME"},
        {155, "ARCT_ERR_ID_OVERFLOW"}, {156, "ARCT_ERR_RUN_EXISTS"}, {200, "ARCT_ERR_STORE_READ"},
        {201, "ARCT_ERR_STORE_APPEND"}, {250, "ARCT_ERR_BUFFER_STATE"}, {300, "ARCT_ERR_SCHEMA_MISMATCH"},
        {301, "ARCT_ERR_METADATA_COLUMN"}, {302, "ARCT_ERR_PROCESSOR_CONTRACT"}, {351, "ARCT_ERR_WORLD_BUSY"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char* n = arct_status_name(names[i].code);
        CHECKF(n && strcmp(n, names[i].name) == 0, "status %d: got %s", names[i].code, n ? n : "(null)");
    }
    static const int32_t unknown[] = {-1, 9, 77, 99, 105, 157, 202, 251, 303, 350, 352, 400, 999, 1000, INT32_MAX, INT32_MIN};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char* n = arct_status_name(unknown[i]);
        CHECKF(n && strcmp(n, "ARCT_ERR_UNKNOWN_STATUS") == 0, "status %d: got %s", unknown[i], n ? n : "(null)");
    }

    /* options init: zero-filled defaults with struct_size and abi_version */
    arct_world_options o;
    memset(&o, 0xAB, sizeof o);
    arct_world_options_init(&o);
    CHECK(o.struct_size == 56 && o.abi_version == 2);
    CHECK(o.world_id == NULL && o.run_id == NULL && o.store_root == NULL && o.store_namespace == NULL);
    CHECK(o.codec == 0 && o.codec_level == 0 && o.durability == 0 && o.flags == 0);
    arct_world_options_init(NULL); /* ignored */

    /* last error: set on failure, cleared on success, per thread; diagnostics leave it alone */
    arct_clear_last_error();
    CHECK(arct_last_error_message() == NULL);
    Out out;
    out_fill(&out);
    CHECK_ST(arct_record_batch_roundtrip(NULL, NULL, &out.a, &out.s), ARCT_ERR_NULL_POINTER);
    const char* m = arct_last_error_message();
    CHECK(m != NULL);
    CHECKF(m && strncmp(m, "arct_record_batch_roundtrip: ", 29) == 0, "message '%s'", m ? m : "");
    CHECK(arct_ffi_version() == 2);
    (void)arct_status_name(3);
    arct_world_options_init(&o);
    CHECK(arct_last_error_message() != NULL); /* diagnostics do not touch it */
    const char* other = (const char*)1;
    pthread_t th;
    pthread_create(&th, NULL, thread_reads_last_error, &other);
    pthread_join(th, NULL);
    CHECK(other == NULL); /* a fresh thread has no message */
    CHECK(arct_last_error_message() != NULL);
    arct_clear_last_error();
    CHECK(arct_last_error_message() == NULL);
    CHECK_ST(arct_record_batch_roundtrip(NULL, NULL, &out.a, &out.s), ARCT_ERR_NULL_POINTER);
    /* success clears it */
    double v[2] = {1, 2};
    Batch b;
    batch_pv(&b, 2, v, v, v, v, 0);
    CHECK_OK(arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, &out.s));
    CHECK(arct_last_error_message() == NULL);
    out_release(&out);
    CHECK(batch_released_once(&b));

    /* releasing the caches leaves the last error and the live counts alone, and later calls
     * parse and cache again: the same round trip still succeeds */
    CHECK_ST(arct_record_batch_roundtrip(NULL, NULL, &out.a, &out.s), ARCT_ERR_NULL_POINTER);
    int64_t lb0 = -1, le0 = -1, li0 = -1, lb1 = -2, le1 = -2, li1 = -2;
    arct_debug_counters(&lb0, &le0, &li0);
    arct_debug_release_caches();
    arct_debug_release_caches();
    arct_debug_counters(&lb1, &le1, &li1);
    CHECK(lb0 == lb1 && le0 == le1 && li0 == li1);
    CHECK(arct_last_error_message() != NULL);
    Batch b2;
    batch_pv(&b2, 2, v, v, v, v, 0);
    CHECK_OK(arct_record_batch_roundtrip(&b2.array, &b2.schema, &out.a, &out.s));
    CHECK(out.a.length == 2 && out.s.n_children == 4);
    out_release(&out);
    CHECK(batch_released_once(&b2));
}

/* ============================================================================================ */
/* v1 functions, processor_apply, stream roundtrip                                              */
/* ============================================================================================ */

static void test_record_batch_roundtrip(void) {
    CASE("roundtrip");
    const int64_t n = 5;
    double x[5] = {0.5, -0.0, 2.5, -1.0, 1e300};
    uint8_t xv[5] = {1, 0, 1, 1, 1};
    int32_t id[5] = {1, 2, 3, 4, 5};
    uint8_t flag[5] = {1, 0, 1, 1, 0};
    const char* name[5] = {"a", NULL, "ccc", "d\xc3\xa9", ""};
    int32_t loff[6] = {0, 2, 2, 3, 5, 5};
    int32_t lval[5] = {10, 11, 12, 13, 14};
    Col inner[2] = {col_i32("k", 0, n, id, NULL), col_utf8("s", ARROW_FLAG_NULLABLE, n, name)};
    Col cols[6] = {
        col_i32("id", 0, n, id, NULL),
        col_f64("x", ARROW_FLAG_NULLABLE, n, x, xv),
        col_utf8("name", ARROW_FLAG_NULLABLE, n, name),
        col_bool("flag", 0, n, flag, NULL),
        col_list_i32("l", ARROW_FLAG_NULLABLE, n, loff, 5, lval),
        col_struct("st", ARROW_FLAG_NULLABLE, n, 2, inner),
    };
    Batch b;
    batch_init(&b, n, 6, cols);
    Out out;
    out_fill(&out);
    CHECK_OK(arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, &out.s));
    CHECK(b.array.release == NULL && b.schema.release == NULL);
    if (out.a.release) {
        check_export_props(&out.a, &out.s, "roundtrip output");
        CHECK(out.a.length == n && out.s.n_children == 6);
        CHECK(ex_field_is(&out.s, 0, "id", "i", 0));
        CHECK(ex_field_is(&out.s, 1, "x", "g", 1));
        CHECK(ex_field_is(&out.s, 2, "name", "u", 1));
        CHECK(ex_field_is(&out.s, 3, "flag", "b", 0));
        CHECK(ex_field_is(&out.s, 4, "l", "+l", 1));
        CHECK(ex_field_is(&out.s, 5, "st", "+s", 1));
        for (int64_t i = 0; i < n; i++) {
            CHECK(ex_i32(&out.a, 0, i) == id[i]);
            CHECK(ex_valid(&out.a, 1, i) == xv[i]);
            if (xv[i]) CHECK(same_f64(ex_f64(&out.a, 1, i), x[i]));
            CHECK(ex_valid(&out.a, 2, i) == (name[i] != NULL));
            if (name[i]) CHECK(ex_str_eq(&out.a, 2, i, name[i]));
            CHECK(ex_bool(&out.a, 3, i) == flag[i]);
        }
        CHECK(out.a.children[1]->null_count == 1);
        CHECK(out.a.children[2]->null_count == 1);
        const struct ArrowArray* l = out.a.children[4];
        const int32_t* lo = l->buffers[1];
        CHECK(l->n_children == 1 && lo[l->offset + 1] - lo[l->offset + 0] == 2 && lo[l->offset + 4] - lo[l->offset + 3] == 2);
        const struct ArrowArray* stc = out.a.children[5];
        CHECK(stc->n_children == 2 && stc->length >= n);
    }
    out_release(&out);
    CHECK(batch_released_once(&b));

    /* sliced input: offset 2 on the top level and offset 1 on a child */
    double sx[6] = {10, 11, 12, 13, 14, 15};
    int32_t sid[7] = {100, 101, 102, 103, 104, 105, 106};
    Col sc[2] = {col_f64("x", 0, 6, sx, NULL), col_i32("id", 0, 7, sid, NULL)};
    batch_init(&b, 4, 2, sc);
    b.array.offset = 2;
    b.array.children[1]->offset = 1;
    b.array.children[1]->length = 6;
    out_fill(&out);
    CHECK_OK(arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, &out.s));
    if (out.a.release) {
        check_export_props(&out.a, &out.s, "sliced roundtrip output");
        CHECK(out.a.length == 4);
        for (int64_t i = 0; i < 4; i++) {
            CHECK(same_f64(ex_f64(&out.a, 0, i), sx[2 + i]));
            CHECK(ex_i32(&out.a, 1, i) == sid[3 + i]);
        }
    }
    out_release(&out);
    CHECK(batch_released_once(&b));

    /* zero columns, zero rows */
    batch_init(&b, 0, 0, NULL);
    out_fill(&out);
    CHECK_OK(arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, &out.s));
    if (out.a.release) CHECK(out.a.length == 0 && out.s.n_children == 0);
    out_release(&out);
    CHECK(batch_released_once(&b));

    /* nesting depth 8 is fine */
    Col leaf = col_i32("leaf", 0, 1, id, NULL);
    for (int d = 0; d < 7; d++) leaf = col_struct("n", 0, 1, 1, &leaf);
    batch_init(&b, 1, 1, &leaf);
    out_fill(&out);
    CHECK_OK(arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, &out.s));
    out_release(&out);
    CHECK(batch_released_once(&b));

    /* the release of the output may run on another thread: covered by N36 */
}

/* Deterministic pseudo-random doubles with many mantissa bits (so an FMA would show). */
static double prand(uint64_t* s) {
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    uint64_t v = *s >> 11;
    return ((double)v / 9007199254740992.0) * 200.0 - 100.0;
}

static void test_movement_paths(void) {
    CASE("movement_process");
    enum { N = 64 };
    double x[N], y[N], dx[N], dy[N];
    uint64_t seed = 42;
    for (int i = 0; i < N; i++) {
        x[i] = prand(&seed);
        y[i] = prand(&seed);
        dx[i] = prand(&seed);
        dy[i] = prand(&seed);
    }
    const double dt = 0.1;
    /* with an extra id column before and a utf8 column after */
    int32_t ids[N];
    const char* tags[N];
    for (int i = 0; i < N; i++) {
        ids[i] = i + 1;
        tags[i] = (i % 3) ? "t" : NULL;
    }
    Col cols[6] = {
        col_i32("id", 0, N, ids, NULL), col_f64("position__x", 0, N, x, NULL), col_f64("position__y", 0, N, y, NULL),
        col_f64("velocity__dx", 0, N, dx, NULL), col_f64("velocity__dy", 0, N, dy, NULL),
        col_utf8("tag__name", ARROW_FLAG_NULLABLE, N, tags),
    };
    Batch b;
    batch_init(&b, N, 6, cols);
    Out out;
    out_fill(&out);
    CHECK_OK(arct_movement_process(&b.array, &b.schema, &out.a, &out.s, dt, 7));
    CHECK(b.array.release == NULL && b.schema.release == NULL);
    if (out.a.release) {
        check_export_props(&out.a, &out.s, "movement output");
        CHECK(out.a.length == N && out.s.n_children == 6);
        CHECK(ex_field_is(&out.s, 0, "id", "i", 0) && ex_field_is(&out.s, 1, "position__x", "g", 0) &&
              ex_field_is(&out.s, 2, "position__y", "g", 0) && ex_field_is(&out.s, 5, "tag__name", "u", 1));
        int exact = 1;
        for (int i = 0; i < N; i++) {
            exact &= same_f64(ex_f64(&out.a, 1, i), move1(x[i], dx[i], dt));
            exact &= same_f64(ex_f64(&out.a, 2, i), move1(y[i], dy[i], dt));
            exact &= same_f64(ex_f64(&out.a, 3, i), dx[i]) && same_f64(ex_f64(&out.a, 4, i), dy[i]);
            exact &= ex_i32(&out.a, 0, i) == ids[i];
            exact &= ex_valid(&out.a, 5, i) == (tags[i] != NULL);
        }
        CHECKF(exact, "movement values are x + dx*dt exactly (no FMA)");
    }
    out_release(&out);
    CHECK(batch_released_once(&b));

    /* nulls propagate: null x -> null x; null dy -> null y */
    CASE("movement_nulls");
    double nx[3] = {1, 2, 3}, ny[3] = {4, 5, 6}, ndx[3] = {1, 1, 1}, ndy[3] = {2, 2, 2};
    uint8_t vx[3] = {1, 0, 1}, vdy[3] = {1, 1, 0};
    Col nc[4] = {
        col_f64("position__x", ARROW_FLAG_NULLABLE, 3, nx, vx), col_f64("position__y", ARROW_FLAG_NULLABLE, 3, ny, NULL),
        col_f64("velocity__dx", ARROW_FLAG_NULLABLE, 3, ndx, NULL), col_f64("velocity__dy", ARROW_FLAG_NULLABLE, 3, ndy, vdy),
    };
    batch_init(&b, 3, 4, nc);
    out_fill(&out);
    CHECK_OK(arct_movement_process(&b.array, &b.schema, &out.a, &out.s, 0.5, 0));
    if (out.a.release) {
        check_export_props(&out.a, &out.s, "movement output with nulls");
        CHECK(ex_valid(&out.a, 0, 0) && !ex_valid(&out.a, 0, 1) && ex_valid(&out.a, 0, 2));
        CHECK(ex_valid(&out.a, 1, 0) && ex_valid(&out.a, 1, 1) && !ex_valid(&out.a, 1, 2));
        CHECK(same_f64(ex_f64(&out.a, 0, 0), 1.5) && same_f64(ex_f64(&out.a, 0, 2), 3.5));
        CHECK(same_f64(ex_f64(&out.a, 1, 0), 5.0) && same_f64(ex_f64(&out.a, 1, 1), 6.0));
        CHECK(out.a.children[0]->null_count == 1 && out.a.children[1]->null_count == 1);
        CHECK(ex_field_is(&out.s, 0, "position__x", "g", 1));
    }
    out_release(&out);
    CHECK(batch_released_once(&b));

    /* arct_processor_apply: movement with the spec's dt, output has the input's schema */
    CASE("processor_apply");
    batch_pv(&b, N, x, y, dx, dy, 0);
    arct_processor_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.struct_size = sizeof spec;
    spec.kind = ARCT_PROCESSOR_MOVEMENT;
    spec.priority = 10;
    spec.dt = 0.25;
    spec.label = NULL;
    out_fill(&out);
    CHECK_OK(arct_processor_apply(&spec, &b.array, &b.schema, &out.a, &out.s, 3));
    CHECK(b.array.release == NULL && b.schema.release == NULL);
    if (out.a.release) {
        check_export_props(&out.a, &out.s, "processor_apply output");
        CHECK(out.a.length == N && out.s.n_children == 4);
        int exact = 1;
        for (int i = 0; i < N; i++) {
            exact &= same_f64(ex_f64(&out.a, 0, i), move1(x[i], dx[i], 0.25));
            exact &= same_f64(ex_f64(&out.a, 1, i), move1(y[i], dy[i], 0.25));
        }
        CHECKF(exact, "processor_apply values are x + dx*dt exactly");
    }
    out_release(&out);
    CHECK(batch_released_once(&b));
}

static void test_stream_roundtrip(void) {
    CASE("stream_roundtrip");
    struct ArrowArrayStream in, out;
    StreamState state;
    stream_init(&in, &state, 3, 4);
    memset(&out, 0, sizeof out);
    size_t mark = tn_mark();
    CHECK_OK(arct_stream_roundtrip(&in, &out));
    CHECK(in.release == NULL);
    CHECK(state.release_calls == 1);
    CHECK(state.next == 3);
    CHECK(out.release != NULL);
    if (out.release) {
        Coll c;
        CHECK(coll_read(&out, &c) == 0);
        CHECK(c.n == 3 && c.rows == 12);
        CHECK(coll_col(&c, "id") == 0 && coll_col(&c, "x") == 1);
        int ok = 1;
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < 4; i++) {
                ok &= coll_i32(&c, "id", k * 4 + i) == k * 1000 + i;
                ok &= same_f64(coll_f64(&c, "x", k * 4 + i), (double)k * 100.0 + (double)i + 0.5);
            }
        CHECK(ok);
        coll_free(&c);
    }
    tn_check_since(mark, "stream_roundtrip batches");
    /* a released input stream */
    memset(&out, 0, sizeof out);
    CHECK_ST(arct_stream_roundtrip(&in, &out), ARCT_ERR_ARROW);
    CHECK(out.release == NULL);
}

void test_roundtrips(void) {
    size_t mark = tn_mark();
    test_record_batch_roundtrip();
    test_movement_paths();
    test_stream_roundtrip();
    tn_check_since(mark, "roundtrips");
}

/* ============================================================================================ */
/* world basics (in-memory store)                                                               */
/* ============================================================================================ */

static int64_t out_n(const Out* o) { return o->a.release ? o->a.length : -1; }

/* Reads the tables export into parallel arrays; returns the row count. */
typedef struct {
    char name[8][64];
    int active[8], committed[8];
    int64_t n_entities[8];
    int64_t n;
} TablesView;

static void read_tables(arct_world* w, TablesView* v) {
    memset(v, 0, sizeof *v);
    Out o;
    out_fill(&o);
    CHECK_OK(arct_world_tables(w, &o.a, &o.s));
    if (!o.a.release) return;
    check_export_props(&o.a, &o.s, "tables export");
    CHECK(o.s.n_children == 4);
    CHECK(ex_field_is(&o.s, 0, "table_name", "u", 0) && ex_field_is(&o.s, 1, "active", "b", 0) &&
          ex_field_is(&o.s, 2, "committed", "b", 0) && ex_field_is(&o.s, 3, "n_entities", "l", 0));
    v->n = o.a.length;
    for (int64_t i = 0; i < o.a.length && i < 8; i++) {
        ex_str(&o.a, 0, i, v->name[i], sizeof v->name[i]);
        v->active[i] = ex_bool(&o.a, 1, i);
        v->committed[i] = ex_bool(&o.a, 2, i);
        v->n_entities[i] = ex_i64(&o.a, 3, i);
    }
    out_release(&o);
}

/* The active tables export, joined with ',' (e.g. "a_t,b_t"). */
static void read_active(arct_world* w, char* buf, size_t cap) {
    buf[0] = 0;
    Out o;
    out_fill(&o);
    CHECK_OK(arct_world_active_tables(w, &o.a, &o.s));
    if (!o.a.release) return;
    check_export_props(&o.a, &o.s, "active tables export");
    CHECK(o.s.n_children == 1 && ex_field_is(&o.s, 0, "table_name", "u", 0));
    for (int64_t i = 0; i < o.a.length; i++) {
        char n[300];
        ex_str(&o.a, 0, i, n, sizeof n);
        if (i) strncat(buf, ",", cap - strlen(buf) - 1);
        strncat(buf, n, cap - strlen(buf) - 1);
    }
    out_release(&o);
}

/* The entities export as "id:table" pairs joined with ','. */
static void read_entities(arct_world* w, char* buf, size_t cap) {
    buf[0] = 0;
    Out o;
    out_fill(&o);
    CHECK_OK(arct_world_entities(w, &o.a, &o.s));
    if (!o.a.release) return;
    check_export_props(&o.a, &o.s, "entities export");
    CHECK(o.s.n_children == 2 && ex_field_is(&o.s, 0, "entity_id", "i", 0) && ex_field_is(&o.s, 1, "table_name", "u", 0));
    for (int64_t i = 0; i < o.a.length; i++) {
        char n[300], item[340];
        ex_str(&o.a, 1, i, n, sizeof n);
        snprintf(item, sizeof item, "%s%d:%s", i ? "," : "", ex_i32(&o.a, 0, i), n);
        strncat(buf, item, cap - strlen(buf) - 1);
    }
    out_release(&o);
}

/* Rows of table at one tick (all rows, in order), collected. */
static int32_t query_tick(arct_world* w, const char* table, int32_t tick, Coll* c) {
    arct_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    q.flags = ARCT_QUERY_FILTER_TICKS;
    q.ticks = &tick;
    q.n_ticks = 1;
    return query_collect(w, table, &q, c);
}

void test_world_basics(void) {
    size_t mark = tn_mark();
    CASE("world_new");
    arct_world* w = world_make("w1", "r1", NULL, NULL);
    if (!w) return;
    arct_world_info info;
    CHECK_OK(world_info(w, &info));
    CHECK(info.state == ARCT_WORLD_READY && info.tick == 0 && info.next_entity_id == 1 && info.n_entities == 0 &&
          info.n_tables == 0 && info.last_failed_table[0] == 0);
    CHECK(world_tick(w) == 0);

    CASE("world_last_error");
    int32_t lst = -1;
    size_t llen = 99;
    char lbuf[64] = "xx";
    CHECK_OK(arct_world_last_error(w, &lst, lbuf, sizeof lbuf, &llen));
    CHECK(lst == 0 && llen == 0 && lbuf[0] == 0);
    CHECK_OK(arct_world_last_error(w, &lst, NULL, 0, &llen));

    CASE("empty exports");
    char buf[2048];
    read_active(w, buf, sizeof buf);
    CHECK(strcmp(buf, "") == 0);
    TablesView tv;
    read_tables(w, &tv);
    CHECK(tv.n == 0);
    read_entities(w, buf, sizeof buf);
    CHECK(strcmp(buf, "") == 0);

    CASE("step on an empty world");
    arct_step_profile prof;
    memset(&prof, 0, sizeof prof);
    prof.struct_size = sizeof prof;
    prof.tick = -1;
    CHECK_OK(arct_world_step(w, &prof));
    CHECK(prof.tick == 0 && prof.n_tables == 0 && prof.tick_sec >= 0);
    CHECK(world_tick(w) == 1);
    CHECK_OK(arct_world_step(w, NULL));
    CHECK(world_tick(w) == 2);

    CASE("register_table");
    CHECK_OK(register_pv(w, "pv", 0));
    CHECK_OK(register_pv(w, "pv", 0)); /* same schema again: no change */
    /* field metadata is ignored when re-registering; a full-form schema of another table */
    struct ArrowSchema* full[6] = {
        fld("world_id", "u", 0), fld("run_id", "u", 0), fld("entity_id", "i", 0),
        fld("tick", "i", 0),     fld("is_active", "b", 0), fld_meta("hp__value", "i", ARROW_FLAG_NULLABLE, "unit", "hp"),
    };
    SchemaIn fs;
    schema_init(&fs, 6, full);
    CHECK_OK(arct_world_register_table(w, "full", &fs.schema, ARCT_REGISTER_FULL_SCHEMA));
    CHECK(fs.schema.release == NULL);
    {
        /* the same schema in component form with other field metadata: the same table */
        struct ArrowSchema* again[1] = {fld_meta("hp__value", "i", ARROW_FLAG_NULLABLE, "unit", "other")};
        SchemaIn as;
        schema_init(&as, 1, again);
        CHECK_OK(arct_world_register_table(w, "full", &as.schema, ARCT_REGISTER_COMPONENT_SCHEMA));
    }
    /* a table without component columns */
    SchemaIn es;
    schema_init(&es, 0, NULL);
    CHECK_OK(arct_world_register_table(w, "empty_c", &es.schema, ARCT_REGISTER_COMPONENT_SCHEMA));
    /* a 255-byte name is valid */
    char longname[256];
    memset(longname, 'n', 255);
    longname[255] = 0;
    CHECK_OK(register_pv(w, longname, 0));
    CHECK_OK(world_info(w, &info));
    CHECK(info.n_tables == 4);
    read_tables(w, &tv);
    CHECK(tv.n == 4);
    CHECK(strcmp(tv.name[0], "empty_c") == 0 && strcmp(tv.name[1], "full") == 0 && tv.name[2][0] == 'n' &&
          strcmp(tv.name[3], "pv") == 0);
    CHECK(!tv.active[3] && !tv.committed[3] && tv.n_entities[3] == 0);

    CASE("spawn");
    int32_t ids[8];
    memset(ids, 0, sizeof ids);
    CHECK_OK(spawn_pv(w, "pv", 3, 1.0, ids));
    CHECK(ids[0] == 1 && ids[1] == 2 && ids[2] == 3);
    CHECK_OK(world_info(w, &info));
    CHECK(info.n_entities == 3 && info.next_entity_id == 4);
    read_active(w, buf, sizeof buf);
    CHECK(strcmp(buf, "pv") == 0);
    read_entities(w, buf, sizeof buf);
    CHECK(strcmp(buf, "1:pv,2:pv,3:pv") == 0);
    /* a zero-row spawn returns no ids and does not make the table active */
    {
        Batch z;
        batch_pv(&z, 0, NULL, NULL, NULL, NULL, 0);
        int64_t got = -1;
        CHECK_OK(arct_world_spawn(w, longname, &z.array, &z.schema, NULL, 0, &got));
        CHECK(got == 0);
        read_active(w, buf, sizeof buf);
        CHECK(strcmp(buf, "pv") == 0);
    }
    /* the zero-component table takes zero columns and length = rows */
    {
        Batch z;
        batch_init(&z, 2, 0, NULL);
        int64_t got = -1;
        int32_t zid[2] = {0, 0};
        CHECK_OK(arct_world_spawn(w, "empty_c", &z.array, &z.schema, zid, 2, &got));
        CHECK(got == 2 && zid[0] == 4 && zid[1] == 5);
    }

    CASE("reserve_ids / spawn_with_ids");
    int32_t first = 0;
    CHECK_OK(arct_world_reserve_ids(w, 2, &first));
    CHECK(first == 6);
    {
        double v[2] = {7.0, 8.0};
        Batch sb;
        batch_pv(&sb, 2, v, v, v, v, 0);
        int32_t want[2] = {7, 6}; /* reserved, not spawned, in any order */
        CHECK_OK(arct_world_spawn_with_ids(w, "pv", &sb.array, &sb.schema, want, 2));
        CHECK(sb.array.release == NULL && sb.schema.release == NULL);
    }
    {
        double v[1] = {10.0};
        Batch sb;
        batch_pv(&sb, 1, v, v, v, v, 0);
        int32_t want[1] = {10}; /* >= next: moves the counter to 11 */
        CHECK_OK(arct_world_spawn_with_ids(w, "pv", &sb.array, &sb.schema, want, 1));
    }
    {
        int32_t hp[2] = {50, 60};
        Col c = col_i32("hp__value", 0, 2, hp, NULL);
        Batch sb;
        batch_init(&sb, 2, 1, &c);
        int32_t out_ids[4] = {0};
        int64_t got = 0;
        CHECK_OK(arct_world_spawn(w, "full", &sb.array, &sb.schema, out_ids, 4, &got));
        CHECK(got == 2 && out_ids[0] == 11 && out_ids[1] == 12);
    }
    CHECK_OK(world_info(w, &info));
    CHECK(info.next_entity_id == 13 && info.n_entities == 10);
    read_entities(w, buf, sizeof buf);
    CHECK(strcmp(buf, "1:pv,2:pv,3:pv,4:empty_c,5:empty_c,6:pv,7:pv,10:pv,11:full,12:full") == 0);
    read_active(w, buf, sizeof buf);
    CHECK(strcmp(buf, "empty_c,full,pv") == 0);

    CASE("processors");
    uint64_t p1 = 0, p2 = 0, p3 = 0;
    CHECK_OK(add_movement(w, 0.1, 10, &p1));
    CHECK_OK(add_movement(w, 0.7, 20, &p2));
    CHECK(p1 != 0 && p2 != 0 && p1 != p2);
    CHECK_OK(arct_world_remove_processor(w, p2));
    CHECK_ST(arct_world_remove_processor(w, p2), ARCT_ERR_INVALID_ARGUMENT);
    CHECK_OK(add_movement(w, 0.1, 5, &p3));
    CHECK(p3 != 0 && p3 != p1 && p3 != p2);
    CHECK_OK(arct_world_remove_processor(w, p3));

    CASE("step with profile (truncated)");
    arct_table_profile tp[2];
    memset(tp, 0x77, sizeof tp);
    memset(&prof, 0, sizeof prof);
    prof.struct_size = sizeof prof;
    prof.tables_cap = 1;
    prof.tables = tp;
    CHECK_OK(arct_world_step(w, &prof)); /* tick 2 */
    CHECK(prof.tick == 2 && prof.n_tables == 3 && prof.tick_sec >= 0);
    CHECK(strcmp(tp[0].table_name, "empty_c") == 0);
    CHECK(tp[0].rows_prior == 0 && tp[0].rows_appended == 2 && tp[0].table_sec >= 0);
    {
        unsigned char ref[sizeof tp[1]];
        memset(ref, 0x77, sizeof ref);
        CHECK(memcmp(&tp[1], ref, sizeof ref) == 0); /* entries past tables_cap untouched */
    }
    CHECK(world_tick(w) == 3);

    CASE("step with profile (full)");
    arct_table_profile tp3[4];
    memset(tp3, 0, sizeof tp3);
    memset(&prof, 0, sizeof prof);
    prof.struct_size = sizeof prof;
    prof.tables_cap = 4;
    prof.tables = tp3;
    CHECK_OK(arct_world_step(w, &prof)); /* tick 3: movement applied once */
    CHECK(prof.tick == 3 && prof.n_tables == 3);
    CHECK(strcmp(tp3[0].table_name, "empty_c") == 0 && strcmp(tp3[1].table_name, "full") == 0 &&
          strcmp(tp3[2].table_name, "pv") == 0);
    CHECK(tp3[2].rows_prior == 6 && tp3[2].rows_appended == 6);
    for (int i = 0; i < 3; i++) {
        double sum = tp3[i].read_prior_sec + tp3[i].materialize_sec + tp3[i].process_sec + tp3[i].append_sec +
                     tp3[i].live_snapshot_sec;
        CHECKF(tp3[i].table_sec >= 0 && tp3[i].read_prior_sec >= 0 && tp3[i].process_sec >= 0 &&
                   tp3[i].table_sec + 1e-9 >= sum * 0.999,
               "table %s: table_sec %g, sum of phases %g", tp3[i].table_name, tp3[i].table_sec, sum);
    }
    CHECK(world_tick(w) == 4);

    CASE("query");
    Coll c;
    CHECK_OK(query_collect(w, "pv", NULL, &c)); /* all rows: tick 2 raw + tick 3 processed */
    CHECK(c.rows == 12);
    if (c.rows == 12) {
        check_table_schema(&c.schema, 4, PV, "query schema");
        CHECK(coll_i32(&c, "tick", 0) == 2 && coll_i32(&c, "tick", 6) == 3);
        CHECK(coll_str_eq(&c, "world_id", 0, "w1") && coll_str_eq(&c, "run_id", 11, "r1"));
        /* tick 2 raw (spawn order 1,2,3,7,6,10), tick 3 processed in the same order */
        static const int32_t order[6] = {1, 2, 3, 7, 6, 10};
        int ok = 1;
        for (int i = 0; i < 6; i++) {
            ok &= coll_i32(&c, "entity_id", i) == order[i] && coll_i32(&c, "entity_id", 6 + i) == order[i];
            ok &= coll_bool(&c, "is_active", i) && coll_bool(&c, "is_active", 6 + i);
            double x0 = coll_f64(&c, "position__x", i), dx0 = coll_f64(&c, "velocity__dx", i);
            double y0 = coll_f64(&c, "position__y", i), dy0 = coll_f64(&c, "velocity__dy", i);
            ok &= same_f64(coll_f64(&c, "position__x", 6 + i), move1(x0, dx0, 0.1));
            ok &= same_f64(coll_f64(&c, "position__y", 6 + i), move1(y0, dy0, 0.1));
        }
        CHECKF(ok, "rows of ticks 2 and 3 (order, activity, exact movement)");
        CHECK(same_f64(coll_f64(&c, "position__x", 0), 1.0) && same_f64(coll_f64(&c, "position__x", 2), 3.0));
        CHECK(same_f64(coll_f64(&c, "position__x", 3), 7.0) && same_f64(coll_f64(&c, "position__x", 4), 8.0));
    }
    coll_free(&c);
    {
        /* FILTER_TICKS + ACTIVE_ONLY + PROJECT */
        int32_t t3 = 3;
        const char* colsel[2] = {"position__x", "entity_id"};
        arct_query q;
        memset(&q, 0, sizeof q);
        q.struct_size = sizeof q;
        q.flags = ARCT_QUERY_FILTER_TICKS | ARCT_QUERY_ACTIVE_ONLY | ARCT_QUERY_PROJECT;
        q.ticks = &t3;
        q.n_ticks = 1;
        q.columns = colsel;
        q.n_columns = 2;
        CHECK_OK(query_collect(w, "pv", &q, &c));
        CHECK(c.rows == 6 && c.schema.n_children == 2);
        CHECK(ex_field_is(&c.schema, 0, "position__x", "g", 0) && ex_field_is(&c.schema, 1, "entity_id", "i", 0));
        if (c.rows == 6) CHECK(coll_i32(&c, "entity_id", 0) == 1 && same_f64(coll_f64(&c, "position__x", 0), move1(1.0, 0.5, 0.1)));
        coll_free(&c);
        /* FILTER_ENTITY_IDS */
        int32_t e[2] = {2, 10};
        memset(&q, 0, sizeof q);
        q.struct_size = sizeof q;
        q.flags = ARCT_QUERY_FILTER_ENTITY_IDS;
        q.entity_ids = e;
        q.n_entity_ids = 2;
        CHECK_OK(query_collect(w, "pv", &q, &c));
        CHECK(c.rows == 4);
        if (c.rows == 4)
            CHECK(coll_i32(&c, "entity_id", 0) == 2 && coll_i32(&c, "entity_id", 1) == 10 &&
                  coll_i32(&c, "entity_id", 2) == 2 && coll_i32(&c, "tick", 3) == 3);
        coll_free(&c);
        /* an empty tick list matches nothing: schema, no batches */
        memset(&q, 0, sizeof q);
        q.struct_size = sizeof q;
        q.flags = ARCT_QUERY_FILTER_TICKS;
        q.ticks = NULL;
        q.n_ticks = 0;
        CHECK_OK(query_collect(w, "pv", &q, &c));
        CHECK(c.rows == 0 && c.n == 0 && c.schema.n_children == 9);
        coll_free(&c);
        /* explicit own world id and run id; another run id matches nothing */
        memset(&q, 0, sizeof q);
        q.struct_size = sizeof q;
        q.world_id = "w1";
        q.run_id = "r1";
        CHECK_OK(query_collect(w, "pv", &q, &c));
        CHECK(c.rows == 12);
        coll_free(&c);
        q.run_id = "other";
        CHECK_OK(query_collect(w, "pv", &q, &c));
        CHECK(c.rows == 0);
        coll_free(&c);
        /* a registered table with no rows yet */
        CHECK_OK(query_collect(w, longname, NULL, &c));
        CHECK(c.rows == 0 && c.schema.n_children == 9);
        coll_free(&c);
        /* the zero-component table */
        CHECK_OK(query_collect(w, "empty_c", NULL, &c));
        CHECK(c.rows == 4 && c.schema.n_children == 5);
        coll_free(&c);
        /* the full-form table keeps its component field */
        CHECK_OK(query_collect(w, "full", NULL, &c));
        CHECK(c.rows == 4 && c.schema.n_children == 6 && ex_field_is(&c.schema, 5, "hp__value", "i", 1));
        CHECKF(c.schema.n_children == 6 && meta_is(c.schema.children[5]->metadata, "unit", "hp"),
               "4.6: field metadata as registered");
        CHECK(c.schema.n_children == 6 && c.schema.children[0]->metadata == NULL);
        if (c.rows == 4) CHECK(coll_i32(&c, "hp__value", 0) == 50 && coll_i32(&c, "hp__value", 3) == 60);
        coll_free(&c);
    }

    CASE("update");
    {
        int32_t eid[1] = {2};
        double nx[1] = {100.0};
        Col pc[2] = {col_i32("entity_id", 0, 1, eid, NULL), col_f64("position__x", 0, 1, nx, NULL)};
        Batch p;
        batch_init(&p, 1, 2, pc);
        CHECK_OK(arct_world_update(w, &p.array, &p.schema));
        CHECK(p.array.release == NULL && p.schema.release == NULL);
        /* a second update of the same entity in the same tick composes */
        int32_t eid2[1] = {2};
        double ndy[1] = {9.0};
        Col pc2[2] = {col_f64("velocity__dy", 0, 1, ndy, NULL), col_i32("entity_id", 0, 1, eid2, NULL)};
        batch_init(&p, 1, 2, pc2);
        CHECK_OK(arct_world_update(w, &p.array, &p.schema));
    }
    CHECK_OK(arct_world_step(w, NULL)); /* tick 4 */
    CHECK_OK(query_tick(w, "pv", 4, &c));
    CHECK(c.rows == 7);
    if (c.rows == 7) {
        /* processed prior rows 1,2(inactive),3,7,6,10 then 2 raw with the patch */
        CHECK(coll_i32(&c, "entity_id", 1) == 2 && !coll_bool(&c, "is_active", 1));
        CHECK(coll_i32(&c, "entity_id", 6) == 2 && coll_bool(&c, "is_active", 6));
        CHECK(same_f64(coll_f64(&c, "position__x", 6), 100.0) && same_f64(coll_f64(&c, "velocity__dy", 6), 9.0));
        /* y of the raw row is the visible (tick 3) value, unprocessed */
        double y3 = coll_f64(&c, "position__y", 1); /* processed f(y3) */
        double dy3 = coll_f64(&c, "velocity__dy", 1);
        CHECK(same_f64(move1(coll_f64(&c, "position__y", 6), dy3, 0.1), y3));
    }
    coll_free(&c);

    CASE("despawn");
    {
        int32_t d[1] = {3};
        CHECK_OK(arct_world_despawn(w, d, 1));
        read_entities(w, buf, sizeof buf);
        CHECK(strstr(buf, "3:pv") == NULL);
        CHECK_OK(arct_world_despawn(w, NULL, 0)); /* nothing to despawn */
    }
    CHECK_OK(arct_world_step(w, NULL)); /* tick 5 */
    CHECK_OK(query_tick(w, "pv", 5, &c));
    CHECK(c.rows == 6);
    if (c.rows == 6) CHECK(coll_i32(&c, "entity_id", 1) == 3 && !coll_bool(&c, "is_active", 1));
    coll_free(&c);

    CASE("migrate (add a component)");
    {
        struct ArrowSchema* f[5] = {
            fld("position__x", "g", 0),  fld("position__y", "g", 0), fld("velocity__dx", "g", 0),
            fld("velocity__dy", "g", 0), fld("tag__name", "u", ARROW_FLAG_NULLABLE),
        };
        SchemaIn ts;
        schema_init(&ts, 5, f);
        const char* tag[1] = {"hello"};
        Col vc = col_utf8("tag__name", ARROW_FLAG_NULLABLE, 1, tag);
        Batch vals;
        batch_init(&vals, 1, 1, &vc);
        int32_t mid[1] = {1};
        CHECK_OK(arct_world_migrate(w, "pvt", &ts.schema, &vals.array, &vals.schema, mid, 1));
        CHECK(ts.schema.release == NULL && vals.array.release == NULL && vals.schema.release == NULL);
        read_entities(w, buf, sizeof buf);
        CHECK(strncmp(buf, "1:pvt,", 6) == 0);
    }
    CASE("migrate_rows");
    {
        double v[1] = {42.0};
        const char* tag[1] = {NULL};
        Col rc[5] = {
            col_utf8("tag__name", ARROW_FLAG_NULLABLE, 1, tag), col_f64("position__x", 0, 1, v, NULL),
            col_f64("position__y", 0, 1, v, NULL), col_f64("velocity__dx", 0, 1, v, NULL),
            col_f64("velocity__dy", 0, 1, v, NULL),
        };
        Batch rows;
        batch_init(&rows, 1, 5, rc);
        int32_t mid[1] = {10};
        CHECK_OK(arct_world_migrate_rows(w, "pvt", NULL, &rows.array, &rows.schema, mid, 1));
        CHECK(rows.array.release == NULL && rows.schema.release == NULL);
    }
    CHECK_OK(arct_world_step(w, NULL)); /* tick 6 */
    CHECK_OK(query_tick(w, "pvt", 6, &c));
    CHECK(c.rows == 2 && c.schema.n_children == 10);
    if (c.rows == 2) {
        CHECK(coll_i32(&c, "entity_id", 0) == 1 && coll_str_eq(&c, "tag__name", 0, "hello"));
        CHECK(coll_i32(&c, "entity_id", 1) == 10 && !coll_valid(&c, "tag__name", 1));
        CHECK(same_f64(coll_f64(&c, "position__x", 1), 42.0));
    }
    coll_free(&c);
    CHECK_OK(query_tick(w, "pv", 6, &c));
    CHECK(c.rows == 5); /* 1, 7, 6, 10, 2 processed; 1 and 10 inactive */
    if (c.rows == 5) {
        CHECK(coll_i32(&c, "entity_id", 0) == 1 && !coll_bool(&c, "is_active", 0));
        CHECK(coll_i32(&c, "entity_id", 3) == 10 && !coll_bool(&c, "is_active", 3));
        CHECK(coll_i32(&c, "entity_id", 4) == 2 && coll_bool(&c, "is_active", 4));
        CHECK(coll_bool(&c, "is_active", 1));
    }
    coll_free(&c);

    CASE("migrate (remove a component)");
    {
        int32_t mid[1] = {1};
        CHECK_OK(arct_world_migrate(w, "pv", NULL, NULL, NULL, mid, 1));
    }
    CHECK_OK(arct_world_step(w, NULL)); /* tick 7 */
    CHECK_OK(query_tick(w, "pv", 7, &c));
    CHECK(c.rows == 4);
    if (c.rows == 4) CHECK(coll_i32(&c, "entity_id", 3) == 1 && coll_bool(&c, "is_active", 3));
    coll_free(&c);
    CHECK_OK(query_tick(w, "pvt", 7, &c));
    CHECK(c.rows == 2);
    if (c.rows == 2) CHECK(coll_i32(&c, "entity_id", 0) == 1 && !coll_bool(&c, "is_active", 0));
    coll_free(&c);

    CASE("tables export");
    read_tables(w, &tv);
    CHECK(tv.n == 5);
    CHECK(strcmp(tv.name[0], "empty_c") == 0 && strcmp(tv.name[1], "full") == 0 && strcmp(tv.name[3], "pv") == 0 &&
          strcmp(tv.name[4], "pvt") == 0);
    CHECK(tv.active[0] && tv.committed[0] && tv.n_entities[0] == 2);
    CHECK(!tv.active[2] && !tv.committed[2] && tv.n_entities[2] == 0);
    CHECK(tv.active[3] && tv.committed[3] && tv.n_entities[3] == 4);
    CHECK(tv.active[4] && tv.committed[4] && tv.n_entities[4] == 1);
    CHECK_OK(world_info(w, &info));
    CHECK(info.tick == 8 && info.n_tables == 5 && info.n_entities == 9 && info.state == ARCT_WORLD_READY);

    CASE("stream outlives the world");
    struct ArrowArrayStream st;
    memset(&st, 0, sizeof st);
    CHECK_OK(arct_world_query(w, "pv", NULL, &st));
    Out ex;
    out_fill(&ex);
    CHECK_OK(arct_world_entities(w, &ex.a, &ex.s));
    CHECK_OK(arct_world_free(w));
    CHECK_ST(arct_world_free(w), ARCT_ERR_BAD_HANDLE);
    if (st.release) {
        CHECK(coll_read(&st, &c) == 0);
        CHECK(c.rows > 0);
        coll_free(&c);
    }
    CHECK(out_n(&ex) == 9);
    out_release(&ex);
    tn_check_since(mark, "world basics");
}

/* ============================================================================================ */
/* split step over two tables                                                                   */
/* ============================================================================================ */

void test_split_step(void) {
    size_t mark = tn_mark();
    CASE("split step");
    arct_world* w = world_make("w1", "split", NULL, NULL);
    if (!w) return;
    CHECK_OK(register_pv(w, "a_t", 0));
    CHECK_OK(register_pv(w, "b_t", 0));
    int32_t ids[4];
    CHECK_OK(spawn_pv(w, "a_t", 2, 1.0, ids));  /* 1, 2 */
    CHECK_OK(spawn_pv(w, "b_t", 2, 10.0, ids)); /* 3, 4 */
    CHECK_OK(add_movement(w, 0.1, 10, NULL));   /* never applied by a split step */
    CHECK_OK(arct_world_step(w, NULL));         /* tick 0 raw */
    CHECK_OK(spawn_pv(w, "b_t", 1, 50.0, ids)); /* 5, staged */
    int32_t d2[1] = {2};
    CHECK_OK(arct_world_despawn(w, d2, 1));

    Out eb, ea;
    out_fill(&eb);
    out_fill(&ea);
    CHECK_OK(arct_step_begin(w, "b_t", &eb.a, &eb.s));
    arct_world_info info;
    CHECK_OK(world_info(w, &info));
    CHECK(info.state == ARCT_WORLD_EPOCH_OPEN && info.tick == 1);
    CHECK(world_tick(w) == 1);
    CHECK_OK(arct_step_begin(w, "a_t", &ea.a, &ea.s));
    char buf[256];
    read_active(w, buf, sizeof buf);
    CHECK(strcmp(buf, "a_t,b_t") == 0);
    if (!eb.a.release || !ea.a.release) {
        out_release(&eb);
        out_release(&ea);
        arct_world_free(w);
        return;
    }
    check_export_props(&eb.a, &eb.s, "begin export b_t");
    check_table_schema(&eb.s, 4, PV, "begin export b_t");
    /* prior rows only, no staged spawn, no processor */
    CHECK(eb.a.length == 2);
    if (eb.a.length == 2) {
        CHECK(ex_i32(&eb.a, 2, 0) == 3 && ex_i32(&eb.a, 2, 1) == 4);
        CHECK(same_f64(ex_f64(&eb.a, 5, 0), 10.0) && same_f64(ex_f64(&eb.a, 5, 1), 11.0));
    }
    CHECK(ea.a.length == 2);
    if (ea.a.length == 2) {
        CHECK(ex_i32(&ea.a, 2, 0) == 1 && ex_bool(&ea.a, 4, 0));
        CHECK(ex_i32(&ea.a, 2, 1) == 2 && !ex_bool(&ea.a, 4, 1)); /* despawn applied */
        CHECK(same_f64(ex_f64(&ea.a, 5, 0), 1.0));
    }
    /* b_t: the host's own processing, a hand-built full batch (x += 1) */
    Batch pb;
    batch_from_export(&pb, &eb.a, &eb.s, NULL);
    double* px = batch_buf(&pb, 5, 1);
    for (int64_t i = 0; i < pb.array.length; i++) px[i] += 1.0;
    out_release(&eb);
    int32_t done = -1;
    CHECK_OK(arct_step_commit(w, "b_t", &pb.array, &pb.schema, &done));
    CHECK(done == 0);
    CHECK(pb.array.release == NULL && pb.schema.release == NULL);
    CHECK(world_tick(w) == 1);
    /* a_t: the native kernel in the host's chain; the begin export moves in */
    arct_processor_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.struct_size = sizeof spec;
    spec.kind = ARCT_PROCESSOR_MOVEMENT;
    spec.dt = 0.5;
    Out pa;
    out_fill(&pa);
    CHECK_OK(arct_processor_apply(&spec, &ea.a, &ea.s, &pa.a, &pa.s, 1));
    CHECK(ea.a.release == NULL && ea.s.release == NULL);
    done = -1;
    CHECK_OK(arct_step_commit(w, "a_t", &pa.a, &pa.s, &done));
    CHECK(done == 1);
    CHECK(pa.a.release == NULL && pa.s.release == NULL);
    CHECK(world_tick(w) == 2);
    CHECK_OK(world_info(w, &info));
    CHECK(info.state == ARCT_WORLD_READY);

    Coll c;
    CHECK_OK(query_tick(w, "a_t", 1, &c));
    CHECK(c.rows == 2);
    if (c.rows == 2) {
        CHECK(same_f64(coll_f64(&c, "position__x", 0), move1(1.0, 0.5, 0.5)));
        CHECK(coll_i32(&c, "entity_id", 1) == 2 && !coll_bool(&c, "is_active", 1));
        CHECK(coll_i32(&c, "tick", 0) == 1);
    }
    coll_free(&c);
    CHECK_OK(query_tick(w, "b_t", 1, &c));
    CHECK(c.rows == 3);
    if (c.rows == 3) {
        CHECK(same_f64(coll_f64(&c, "position__x", 0), 11.0) && same_f64(coll_f64(&c, "position__x", 1), 12.0));
        CHECK(coll_i32(&c, "entity_id", 2) == 5 && same_f64(coll_f64(&c, "position__x", 2), 50.0)); /* raw */
        CHECK(coll_i32(&c, "tick", 2) == 1 && coll_str_eq(&c, "run_id", 2, "split"));
    }
    coll_free(&c);

    CASE("split step: commit passes the begin export back unchanged");
    out_fill(&ea);
    out_fill(&eb);
    CHECK_OK(arct_step_begin(w, "a_t", &ea.a, &ea.s));
    CHECK_OK(arct_step_begin(w, "b_t", &eb.a, &eb.s));
    CHECK(ea.a.release && ea.a.length == 1); /* entity 2 is gone */
    done = -1;
    CHECK_OK(arct_step_commit(w, "a_t", &ea.a, &ea.s, &done));
    CHECK(done == 0);
    CHECK_OK(arct_step_commit(w, "b_t", &eb.a, &eb.s, NULL)); /* out_tick_done may be NULL */
    CHECK(world_tick(w) == 3);

    CASE("split step: abort");
    out_fill(&ea);
    CHECK_OK(arct_step_begin(w, "a_t", &ea.a, &ea.s));
    out_release(&ea);
    CHECK_OK(arct_step_abort(w, NULL));
    CHECK_OK(world_info(w, &info));
    CHECK(info.state == ARCT_WORLD_READY && info.tick == 3);
    out_fill(&ea);
    CHECK_OK(arct_step_begin(w, "a_t", &ea.a, &ea.s));
    out_release(&ea);
    CHECK_OK(arct_step_abort(w, "b_t")); /* a table of the frozen set, even pending */
    CHECK(world_tick(w) == 3);
    /* mutations work again after the abort; the full step still works */
    CHECK_OK(spawn_pv(w, "a_t", 1, 3.0, ids));
    CHECK_OK(arct_world_step(w, NULL));
    CHECK(world_tick(w) == 4);
    CHECK_OK(query_tick(w, "a_t", 3, &c));
    CHECK(c.rows == 2); /* nothing of the aborted epochs, tick 3 = 1 prior + 1 spawn */
    coll_free(&c);

    /* free during an open epoch discards it */
    out_fill(&ea);
    CHECK_OK(arct_step_begin(w, "a_t", &ea.a, &ea.s));
    CHECK_OK(arct_world_free(w));
    out_release(&ea);
    tn_check_since(mark, "split step");
}

/* ============================================================================================ */
/* store root, resume, codecs                                                                   */
/* ============================================================================================ */

void test_store_and_resume(void) {
    size_t mark = tn_mark();
    CASE("store: world_new with a store root");
    char* root = temp_dir("resume");
    arct_world* w = world_make("w1", "r1", root, "ns1");
    if (!w) return;
    CHECK_OK(register_pv(w, "pv", 0));
    int32_t ids[8];
    CHECK_OK(spawn_pv(w, "pv", 3, 1.0, ids));
    CHECK_OK(add_movement(w, 0.1, 10, NULL));
    for (int i = 0; i < 3; i++) CHECK_OK(arct_world_step(w, NULL)); /* ticks 0, 1, 2 */
    int32_t d[1] = {2};
    CHECK_OK(arct_world_despawn(w, d, 1));
    CHECK_OK(arct_world_step(w, NULL)); /* tick 3: 2 inactive */
    CHECK(world_tick(w) == 4);
    Coll before;
    CHECK_OK(query_tick(w, "pv", 3, &before));
    CHECK(before.rows == 3);
    CHECK_OK(arct_world_free(w));
    w = NULL;
    {
        char p[1024];
        snprintf(p, sizeof p, "%s/ns1/pv", root);
        struct stat sb;
        CHECKF(stat(p, &sb) == 0 && S_ISDIR(sb.st_mode), "table directory %s exists", p);
    }

    CASE("N17 world_new on a store holding the run");
    arct_world_options o;
    opts_init(&o, "w1", "r1", root, "ns1");
    arct_world* w2 = NULL;
    CHECK_ST(arct_world_new(&o, &w2), ARCT_ERR_RUN_EXISTS);
    CHECK(w2 == NULL);

    CASE("store: world_open resumes");
    CHECK_OK(arct_world_open(&o, &w));
    if (!w) {
        coll_free(&before);
        return;
    }
    arct_world_info info;
    CHECK_OK(world_info(w, &info));
    CHECK(info.tick == 4 && info.next_entity_id == 4 && info.n_entities == 2 && info.n_tables == 1 &&
          info.state == ARCT_WORLD_READY);
    char buf[512];
    read_entities(w, buf, sizeof buf);
    CHECK(strcmp(buf, "1:pv,3:pv") == 0);
    TablesView tv;
    read_tables(w, &tv);
    CHECK(tv.n == 1 && strcmp(tv.name[0], "pv") == 0 && tv.committed[0] && tv.active[0] && tv.n_entities[0] == 2);
    CHECK_OK(register_pv(w, "pv", 0)); /* same schema as stored */
    CHECK_OK(add_movement(w, 0.1, 10, NULL));
    CHECK_OK(spawn_pv(w, "pv", 1, 9.0, ids));
    CHECK(ids[0] == 4); /* ids are never reused */
    CHECK_OK(arct_world_step(w, NULL)); /* tick 4 from the stored tick-3 rows */
    Coll c;
    CHECK_OK(query_tick(w, "pv", 4, &c));
    CHECK(c.rows == 3);
    if (c.rows == 3 && before.rows == 3) {
        CHECK(coll_i32(&c, "entity_id", 0) == 1 && coll_i32(&c, "entity_id", 1) == 3 && coll_i32(&c, "entity_id", 2) == 4);
        CHECK(same_f64(coll_f64(&c, "position__x", 0),
                       move1(coll_f64(&before, "position__x", 0), coll_f64(&before, "velocity__dx", 0), 0.1)));
        CHECK(same_f64(coll_f64(&c, "position__y", 1),
                       move1(coll_f64(&before, "position__y", 2), coll_f64(&before, "velocity__dy", 2), 0.1)));
        CHECK(same_f64(coll_f64(&c, "position__x", 2), 9.0));
    }
    coll_free(&c);
    coll_free(&before);
    CHECK_OK(query_collect(w, "pv", NULL, &c));
    CHECK(c.rows == 3 + 3 + 3 + 3 + 3);
    coll_free(&c);

    CASE("N32 second open of a live run");
    arct_world* w3 = NULL;
    CHECK_ST(arct_world_open(&o, &w3), ARCT_ERR_WORLD_BUSY);
    CHECK(w3 == NULL);
    /* rows exist and the run is open: 8.2 lists RUN_EXISTS (rule 2) before the busy rule (3),
     * but does not say which wins; either is accepted here */
    int32_t st3 = arct_world_new(&o, &w3);
    CHECKF(st3 == ARCT_ERR_RUN_EXISTS || st3 == ARCT_ERR_WORLD_BUSY, "world_new of a live run with rows: %d %s", st3,
           arct_status_name(st3));
    CHECK(w3 == NULL);
    CHECK(world_tick(w) == 5);

    CASE("store: another run in the same namespace");
    arct_world_options o2;
    opts_init(&o2, "w1", "r2", root, "ns1");
    arct_world* wr2 = NULL;
    CHECK_OK(arct_world_open(&o2, &wr2)); /* no rows of r2: starts like new */
    if (wr2) {
        CHECK_OK(world_info(wr2, &info));
        CHECK(info.tick == 0 && info.next_entity_id == 1 && info.n_tables == 0);
        /* a table with parts in the store is readable without registering it */
        arct_query q;
        memset(&q, 0, sizeof q);
        q.struct_size = sizeof q;
        q.run_id = "r1";
        CHECK_OK(query_collect(wr2, "pv", &q, &c));
        CHECK(c.rows == 15);
        coll_free(&c);
        CHECK_OK(query_collect(wr2, "pv", NULL, &c)); /* its own run: nothing */
        CHECK(c.rows == 0);
        coll_free(&c);
        CHECK_ST(query_collect(wr2, "nope", NULL, &c), ARCT_ERR_UNKNOWN_TABLE);
        /* register with the stored schema, write its own rows */
        CHECK_OK(register_pv(wr2, "pv", 0));
        CHECK_OK(spawn_pv(wr2, "pv", 2, 0.0, ids));
        CHECK(ids[0] == 1);
        CHECK_OK(arct_world_step(wr2, NULL));
        CHECK_OK(query_collect(wr2, "pv", NULL, &c));
        CHECK(c.rows == 2);
        coll_free(&c);
        CHECK_OK(arct_world_free(wr2));
    }
    CHECK_OK(arct_world_free(w));

    CASE("store: N32 busy ends with the free");
    w = NULL;
    CHECK_OK(arct_world_open(&o, &w));
    if (w) {
        CHECK(world_tick(w) == 5);
        CHECK_OK(arct_world_free(w));
    }

    CASE("store: codecs and durability");
    static const struct {
        int32_t codec, level, durability;
    } codecs[] = {
        {ARCT_CODEC_SNAPPY, 0, ARCT_DURABILITY_FSYNC}, {ARCT_CODEC_NONE, 0, ARCT_DURABILITY_NO_FSYNC},
        {ARCT_CODEC_ZSTD, 0, ARCT_DURABILITY_NO_FSYNC}, {ARCT_CODEC_ZSTD, 3, ARCT_DURABILITY_NO_FSYNC},
        {ARCT_CODEC_ZSTD, 22, ARCT_DURABILITY_NO_FSYNC}, {ARCT_CODEC_GZIP, 1, ARCT_DURABILITY_NO_FSYNC},
        {ARCT_CODEC_GZIP, 9, ARCT_DURABILITY_FSYNC},
    };
    for (size_t k = 0; k < sizeof codecs / sizeof codecs[0]; k++) {
        char run[32];
        snprintf(run, sizeof run, "codec-%zu", k);
        opts_init(&o, "w1", run, root, "codecs");
        o.codec = codecs[k].codec;
        o.codec_level = codecs[k].level;
        o.durability = codecs[k].durability;
        arct_world* wc = NULL;
        if (CHECK_OK(arct_world_new(&o, &wc)) != ARCT_OK) continue;
        CHECK_OK(register_pv(wc, "pv", 0));
        CHECK_OK(spawn_pv(wc, "pv", 5, 1.5, ids));
        CHECK_OK(arct_world_step(wc, NULL));
        CHECK_OK(arct_world_step(wc, NULL));
        CHECK_OK(query_collect(wc, "pv", NULL, &c));
        CHECKF(c.rows == 10, "codec %d level %d: %lld rows", codecs[k].codec, codecs[k].level, (long long)c.rows);
        if (c.rows == 10) CHECK(same_f64(coll_f64(&c, "position__x", 9), 5.5));
        coll_free(&c);
        CHECK_OK(arct_world_free(wc));
    }

    CASE("store: open without rows and default namespace");
    opts_init(&o, "w9", "r9", root, NULL);
    w = NULL;
    CHECK_OK(arct_world_open(&o, &w));
    if (w) {
        CHECK(world_tick(w) == 0);
        CHECK_OK(register_pv(w, "pv", 0));
        CHECK_OK(spawn_pv(w, "pv", 1, 1.0, ids));
        CHECK_OK(arct_world_step(w, NULL));
        CHECK_OK(arct_world_free(w));
        char p[1024];
        snprintf(p, sizeof p, "%s/default/pv", root);
        struct stat sb;
        CHECKF(stat(p, &sb) == 0 && S_ISDIR(sb.st_mode), "default namespace directory %s", p);
    }
    remove_tree(root);
    free(root);
    tn_check_since(mark, "store and resume");
}

/* ============================================================================================ */

typedef struct {
    const char* name;
    void (*fn)(void);
} Group;

/* Runs one group and the balance checks that must hold after it: the library's live counts
 * are back to their values before the group, every producer node was released exactly once,
 * and no non-empty output shell was released by the library. */
static void run_group(const Group* g) {
    int64_t b0 = 0, e0 = 0, i0 = 0;
    arct_debug_counters(&b0, &e0, &i0);
    int64_t fake0 = fake_release_calls();
    size_t mark = tn_mark();
    g->fn();
    CASE(g->name);
    int64_t b1 = -1, e1 = -1, i1 = -1;
    arct_debug_counters(&b1, &e1, &i1);
    CHECKF(b1 == b0 && e1 == e0 && i1 == i0,
           "%s: library live counts after the group: buffers %lld (before %lld), exports %lld (before %lld), imports %lld "
           "(before %lld)",
           g->name, (long long)b1, (long long)b0, (long long)e1, (long long)e0, (long long)i1, (long long)i0);
    CHECKF(tn_live() == 0, "%s: %lld producer nodes never released", g->name, (long long)tn_live());
    CHECKF(tn_double() == 0, "%s: %lld double releases", g->name, (long long)tn_double());
    CHECKF(fake_release_calls() == fake0, "%s: non-empty output shells were released by the library", g->name);
    tn_check_since(mark, g->name);
}

int main(int argc, char** argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    setvbuf(stderr, NULL, _IOLBF, 0);
    static const Group groups[] = {
        {"diagnostics", test_diagnostics},
        {"roundtrips", test_roundtrips},
        {"world", test_world_basics},
        {"split", test_split_step},
        {"store", test_store_and_resume},
        {"neg-args", test_negative_arguments},
        {"neg-epoch", test_negative_epoch},
        {"neg-entities", test_negative_entities},
        {"neg-arrow", test_negative_arrow},
        {"neg-world", test_negative_world},
        {"threads", test_threads},
    };
    const size_t n_groups = sizeof groups / sizeof groups[0];
    /* Each group runs in a child process (a trap in the library kills only that group and is
     * reported); ARCT_CABI_NOFORK=1 runs everything in this process (for a debugger). */
    const char* nf = getenv("ARCT_CABI_NOFORK");
    int nofork = nf && strcmp(nf, "0") != 0;
    long checks = 0, failures = 0;
    int crashed = 0;
    for (size_t g = 0; g < n_groups; g++) {
        int run = argc < 2;
        for (int a = 1; a < argc; a++) run |= strcmp(argv[a], groups[g].name) == 0;
        if (!run) continue;
        long c0 = test_checks(), f0 = test_failures();
        if (nofork) {
            run_group(&groups[g]);
            long dc = test_checks() - c0, df = test_failures() - f0;
            printf("  %-13s %5ld checks, %ld failures\n", groups[g].name, dc, df);
            continue;
        }
        int fds[2];
        if (pipe(fds) != 0) {
            perror("pipe");
            return 2;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 2;
        }
        if (pid == 0) {
            close(fds[0]);
            run_group(&groups[g]);
            char buf[64];
            int len = snprintf(buf, sizeof buf, "%ld %ld\n", test_checks() - c0, test_failures() - f0);
            if (write(fds[1], buf, (size_t)len) != len) _exit(3);
            close(fds[1]);
            fflush(NULL);
            arct_debug_release_caches(); /* so a leak checker sees only what is really held */
            exit(0); /* runs atexit handlers (LeakSanitizer in sanitizer builds) */
        }
        close(fds[1]);
        char buf[64] = {0};
        ssize_t got = 0, r;
        while (got < (ssize_t)sizeof buf - 1 && (r = read(fds[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0) got += r;
        close(fds[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        long dc = 0, df = 0;
        int have = sscanf(buf, "%ld %ld", &dc, &df) == 2;
        checks += dc;
        failures += df;
        if (WIFSIGNALED(status)) {
            fprintf(stderr, "FAIL [%s] group killed by signal %d (%s) after %s: the library trapped or crashed\n",
                    groups[g].name, WTERMSIG(status), WTERMSIG(status) == SIGILL ? "SIGILL: a Swift trap" : "crash",
                    have ? "its last check" : "an unknown number of checks");
            checks++;
            failures++;
            crashed++;
            printf("  %-13s CRASHED (signal %d)\n", groups[g].name, WTERMSIG(status));
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !have) {
            fprintf(stderr, "FAIL [%s] group exited with status %d\n", groups[g].name,
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            checks++;
            failures++;
            printf("  %-13s %5ld checks, %ld failures, exit status %d\n", groups[g].name, dc, df + 1,
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        } else {
            printf("  %-13s %5ld checks, %ld failures\n", groups[g].name, dc, df);
        }
    }
    checks += test_checks();
    failures += test_failures();
    if (crashed) printf("abi_test: %d group(s) crashed\n", crashed);
    printf("abi_test: %ld checks, %ld failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
