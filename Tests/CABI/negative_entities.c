/* c-abi.md section 11, N14-N19: entities, ids, schemas and base columns. (N17 is in the store
 * group of abi_test.c, which has a store holding a run.) */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "negative.h"

static void entities_str(arct_world* w, char* buf, size_t cap) {
    buf[0] = 0;
    Out o;
    out_fill(&o);
    if (CHECK_OK(arct_world_entities(w, &o.a, &o.s)) != ARCT_OK) return;
    for (int64_t i = 0; i < o.a.length; i++) {
        char item[32];
        snprintf(item, sizeof item, "%s%d", i ? "," : "", ex_i32(&o.a, 0, i));
        strncat(buf, item, cap - strlen(buf) - 1);
    }
    out_release(&o);
}

static void patch1(Batch* b, int n, const int32_t* ids, const double* x) {
    Col pc[2] = {col_i32("entity_id", 0, n, ids, NULL), col_f64("position__x", 0, n, x, NULL)};
    batch_init(b, n, 2, pc);
}

static void n14_unknown_entities(void) {
    CASE("N14");
    arct_world* w = neg_world("n14");
    if (!w) return;
    arct_world_info before;
    CHECK_OK(world_info(w, &before));
    int32_t unknown[1] = {999}, dup[2] = {1, 1}, mixed[2] = {1, 999};
    CHECK_ST(arct_world_despawn(w, unknown, 1), ARCT_ERR_UNKNOWN_ENTITY);
    CHECK_ST(arct_world_despawn(w, dup, 2), ARCT_ERR_UNKNOWN_ENTITY);
    CHECK_ST(arct_world_despawn(w, mixed, 2), ARCT_ERR_UNKNOWN_ENTITY);
    int32_t first = 0;
    CHECK_OK(arct_world_reserve_ids(w, 1, &first)); /* 3: reserved, never spawned */
    CHECK_ST(arct_world_despawn(w, &first, 1), ARCT_ERR_UNKNOWN_ENTITY);
    Batch b;
    double x[2] = {5, 6};
    patch1(&b, 1, unknown, x);
    CHECK_ST(arct_world_update(w, &b.array, &b.schema), ARCT_ERR_UNKNOWN_ENTITY);
    EXPECT_CONSUMED(b);
    patch1(&b, 2, mixed, x);
    CHECK_ST(arct_world_update(w, &b.array, &b.schema), ARCT_ERR_UNKNOWN_ENTITY);
    EXPECT_CONSUMED(b);
    /* migrate of an unknown id */
    SchemaIn s;
    pvs(&s);
    CHECK_OK(arct_world_register_table(w, "pv2", &s.schema, 0));
    CHECK_ST(arct_world_migrate(w, "pv2", NULL, NULL, NULL, unknown, 1), ARCT_ERR_UNKNOWN_ENTITY);
    pvb(&b, 1);
    CHECK_ST(arct_world_migrate_rows(w, "pv2", NULL, &b.array, &b.schema, unknown, 1), ARCT_ERR_UNKNOWN_ENTITY);
    EXPECT_CONSUMED(b);
    /* nothing changed: 1 and 2 are still registered, and the next tick keeps both */
    char buf[256];
    entities_str(w, buf, sizeof buf);
    CHECK(strcmp(buf, "1,2") == 0);
    CHECK_OK(arct_world_step(w, NULL));
    Coll c;
    arct_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    int32_t t1 = 1;
    q.flags = ARCT_QUERY_FILTER_TICKS | ARCT_QUERY_ACTIVE_ONLY;
    q.ticks = &t1;
    q.n_ticks = 1;
    CHECK_OK(query_collect(w, "pv", &q, &c));
    CHECK(c.rows == 2);
    if (c.rows == 2) CHECK(coll_i32(&c, "entity_id", 0) == 1 && coll_i32(&c, "entity_id", 1) == 2);
    coll_free(&c);
    CHECK_OK(arct_world_free(w));
}

static void n15_ids_already_registered(void) {
    CASE("N15");
    arct_world* w = neg_world("n15"); /* 1, 2 */
    if (!w) return;
    Batch b;
    int32_t id1[1] = {1}, id2[1] = {2};
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, id1, 1), ARCT_ERR_ID_ALREADY_REGISTERED);
    EXPECT_CONSUMED(b);
    CHECK_OK(arct_world_despawn(w, id2, 1));
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, id2, 1), ARCT_ERR_ID_ALREADY_REGISTERED);
    EXPECT_CONSUMED(b); /* despawned earlier */
    int32_t ids[1] = {0};
    CHECK_OK(spawn_pv(w, "pv", 1, 5.0, ids)); /* 3, auto */
    CHECK(ids[0] == 3);
    CHECK_OK(arct_world_despawn(w, ids, 1)); /* same-tick cancel */
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, ids, 1), ARCT_ERR_ID_ALREADY_REGISTERED);
    EXPECT_CONSUMED(b); /* auto-assigned earlier */
    int32_t id10[1] = {10}, id7[1] = {7}, dup[2] = {20, 20}, mixed[2] = {12, 1};
    pvb(&b, 1);
    CHECK_OK(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, id10, 1)); /* next = 11 */
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, id7, 1), ARCT_ERR_ID_ALREADY_REGISTERED);
    EXPECT_CONSUMED(b); /* a gap below next, never reserved */
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, id10, 1), ARCT_ERR_ID_ALREADY_REGISTERED);
    EXPECT_CONSUMED(b); /* registered (staged) */
    pvb(&b, 2);
    CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, dup, 2), ARCT_ERR_ID_ALREADY_REGISTERED);
    EXPECT_CONSUMED(b); /* the same id twice */
    pvb(&b, 2);
    CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, mixed, 2), ARCT_ERR_ID_ALREADY_REGISTERED);
    EXPECT_CONSUMED(b);
    arct_world_info info;
    CHECK_OK(world_info(w, &info));
    CHECK(info.next_entity_id == 11); /* the failed call did not move the counter to 13 */
    int32_t first = 0;
    CHECK_OK(arct_world_reserve_ids(w, 2, &first));
    CHECK(first == 11);
    int32_t r11[1] = {11};
    pvb(&b, 1);
    CHECK_OK(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, r11, 1));
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, r11, 1), ARCT_ERR_ID_ALREADY_REGISTERED);
    EXPECT_CONSUMED(b);
    CHECK_OK(arct_world_step(w, NULL));
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, r11, 1), ARCT_ERR_ID_ALREADY_REGISTERED);
    EXPECT_CONSUMED(b); /* committed */
    char buf[256];
    entities_str(w, buf, sizeof buf);
    CHECK(strcmp(buf, "1,10,11") == 0);
    CHECK_OK(arct_world_free(w));
}

static int32_t reserve_int64_max(void* w) {
    int32_t first = -7;
    int32_t st = arct_world_reserve_ids(w, INT64_MAX, &first);
    return first == -7 ? st : -99;
}

static void n16_id_overflow(void) {
    CASE("N16");
    arct_world* w = world_make("w1", "n16", NULL, NULL);
    if (!w) return;
    CHECK_OK(register_pv(w, "pv", 0));
    CHECK_OK(spawn_pv(w, "pv", 1, 1.0, NULL)); /* 1; next = 2 */
    int32_t first = -7;
    CHECK_ST(arct_world_reserve_ids(w, INT32_MAX, &first), ARCT_ERR_ID_OVERFLOW);
    {
        /* run in a child: an overflowing `next + n - 1` traps the whole process */
        int sig = 0;
        int32_t st = isolated_call(reserve_int64_max, w, &sig);
        CHECKF(sig == 0, "arct_world_reserve_ids(n = INT64_MAX) killed the process with signal %d (4.9 no traps)", sig);
        if (sig == 0) CHECK_ST(st, ARCT_ERR_ID_OVERFLOW);
    }
    CHECK_ST(arct_world_reserve_ids(w, (int64_t)INT32_MAX + 10, &first), ARCT_ERR_ID_OVERFLOW);
    CHECK(first == -7);
    arct_world_info info;
    CHECK_OK(world_info(w, &info));
    CHECK(info.next_entity_id == 2);
    CHECK_OK(arct_world_reserve_ids(w, INT32_MAX - 2, &first)); /* up to INT32_MAX - 1 exactly */
    CHECK(first == 2);
    CHECK_OK(world_info(w, &info));
    CHECK(info.next_entity_id == INT32_MAX);
    int32_t maxid[1] = {INT32_MAX};
    Batch b;
    pvb(&b, 1);
    CHECK_OK(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, maxid, 1));
    CHECK_OK(world_info(w, &info));
    CHECK(info.next_entity_id == (int64_t)INT32_MAX + 1); /* exhausted */
    int32_t ids[2] = {-7, -7};
    int64_t n = -7;
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 2, &n), ARCT_ERR_ID_OVERFLOW);
    EXPECT_CONSUMED(b);
    CHECK(ids[0] == -7 && n == -7);
    CHECK_ST(arct_world_reserve_ids(w, 1, &first), ARCT_ERR_ID_OVERFLOW);
    CHECK_OK(world_info(w, &info));
    CHECK(info.next_entity_id == (int64_t)INT32_MAX + 1 && info.n_entities == 2);
    CHECK_OK(arct_world_step(w, NULL));
    Coll c;
    CHECK_OK(query_collect(w, "pv", NULL, &c));
    CHECK(c.rows == 2);
    if (c.rows == 2) CHECK(coll_i32(&c, "entity_id", 1) == INT32_MAX);
    coll_free(&c);
    CHECK_OK(arct_world_free(w));

    /* a fresh world: an auto spawn past INT32_MAX */
    w = world_make("w1", "n16b", NULL, NULL);
    if (!w) return;
    CHECK_OK(register_pv(w, "pv", 0));
    int32_t hi[1] = {INT32_MAX - 1};
    pvb(&b, 1);
    CHECK_OK(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, hi, 1)); /* next = INT32_MAX */
    pvb(&b, 2);
    CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 2, &n), ARCT_ERR_ID_OVERFLOW);
    EXPECT_CONSUMED(b);
    CHECK(n == -7);
    pvb(&b, 1);
    CHECK_OK(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 2, &n));
    CHECK(n == 1 && ids[0] == INT32_MAX);
    CHECK_OK(arct_world_free(w));
}

static void n18_schema_mismatch(void) {
    CASE("N18");
    arct_world* w = neg_world("n18"); /* pv: four non-nullable float64 */
    if (!w) return;
    arct_world_info before;
    CHECK_OK(world_info(w, &before));
    Batch b;
    SchemaIn s;
    int32_t ids[4];
    int64_t n = -7;
    double v[2] = {1, 2};
    float f[2] = {1, 2};
    uint8_t valid[2] = {1, 0};

    /* spawn: missing column */
    {
        Col c[3] = {col_f64("position__x", 0, 2, v, NULL), col_f64("position__y", 0, 2, v, NULL),
                    col_f64("velocity__dx", 0, 2, v, NULL)};
        batch_init(&b, 2, 3, c);
        CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 4, &n), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_CONSUMED(b);
    }
    /* extra column */
    {
        Col c[5] = {col_f64("position__x", 0, 2, v, NULL), col_f64("position__y", 0, 2, v, NULL),
                    col_f64("velocity__dx", 0, 2, v, NULL), col_f64("velocity__dy", 0, 2, v, NULL),
                    col_f64("extra__z", 0, 2, v, NULL)};
        batch_init(&b, 2, 5, c);
        CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 4, &n), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_CONSUMED(b);
    }
    /* float32 for float64 */
    {
        Col c[4] = {col_f32("position__x", 0, 2, f, NULL), col_f64("position__y", 0, 2, v, NULL),
                    col_f64("velocity__dx", 0, 2, v, NULL), col_f64("velocity__dy", 0, 2, v, NULL)};
        batch_init(&b, 2, 4, c);
        CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 4, &n), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_CONSUMED(b);
    }
    /* nulls in a non-nullable column (the batch's own flag is looser) */
    {
        Col c[4] = {col_f64("position__x", ARROW_FLAG_NULLABLE, 2, v, valid), col_f64("position__y", 0, 2, v, NULL),
                    col_f64("velocity__dx", 0, 2, v, NULL), col_f64("velocity__dy", 0, 2, v, NULL)};
        batch_init(&b, 2, 4, c);
        CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 4, &n), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_CONSUMED(b);
    }
    /* a looser flag without nulls is accepted (positive control), in any column order */
    {
        Col c[4] = {col_f64("velocity__dy", ARROW_FLAG_NULLABLE, 2, v, NULL), col_f64("position__y", 0, 2, v, NULL),
                    col_f64("velocity__dx", 0, 2, v, NULL), col_f64("position__x", ARROW_FLAG_NULLABLE, 2, v, NULL)};
        batch_init(&b, 2, 4, c);
        CHECK_OK(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 4, &n));
        CHECK(n == 2 && ids[0] == 3);
        int32_t both[2] = {3, 4};
        CHECK_OK(arct_world_despawn(w, both, 2)); /* cancel: back to the starting state */
    }
    /* duplicate column */
    {
        Col c[5] = {col_f64("position__x", 0, 2, v, NULL), col_f64("position__y", 0, 2, v, NULL),
                    col_f64("velocity__dx", 0, 2, v, NULL), col_f64("velocity__dy", 0, 2, v, NULL),
                    col_f64("position__x", 0, 2, v, NULL)};
        batch_init(&b, 2, 5, c);
        CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 4, &n), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_CONSUMED(b);
    }
    /* spawn with ids: missing column */
    {
        int32_t want[2] = {50, 51};
        Col c[3] = {col_f64("position__x", 0, 2, v, NULL), col_f64("position__y", 0, 2, v, NULL),
                    col_f64("velocity__dy", 0, 2, v, NULL)};
        batch_init(&b, 2, 3, c);
        CHECK_ST(arct_world_spawn_with_ids(w, "pv", &b.array, &b.schema, want, 2), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_CONSUMED(b);
    }
    /* re-registration with another schema: type, nullability, order, fewer fields */
    {
        struct ArrowSchema* f1[4] = {fld("position__x", "f", 0), fld("position__y", "g", 0), fld("velocity__dx", "g", 0),
                                     fld("velocity__dy", "g", 0)};
        schema_init(&s, 4, f1);
        CHECK_ST(arct_world_register_table(w, "pv", &s.schema, 0), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_SCHEMA_CONSUMED(s);
        struct ArrowSchema* f2[4] = {fld("position__x", "g", ARROW_FLAG_NULLABLE), fld("position__y", "g", 0),
                                     fld("velocity__dx", "g", 0), fld("velocity__dy", "g", 0)};
        schema_init(&s, 4, f2);
        CHECK_ST(arct_world_register_table(w, "pv", &s.schema, 0), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_SCHEMA_CONSUMED(s);
        struct ArrowSchema* f3[4] = {fld("position__y", "g", 0), fld("position__x", "g", 0), fld("velocity__dx", "g", 0),
                                     fld("velocity__dy", "g", 0)};
        schema_init(&s, 4, f3);
        CHECK_ST(arct_world_register_table(w, "pv", &s.schema, 0), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_SCHEMA_CONSUMED(s);
        struct ArrowSchema* f4[3] = {fld("position__x", "g", 0), fld("position__y", "g", 0), fld("velocity__dx", "g", 0)};
        schema_init(&s, 3, f4);
        CHECK_ST(arct_world_register_table(w, "pv", &s.schema, 0), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_SCHEMA_CONSUMED(s);
    }
    /* registration rules: duplicate names, names not <component>__<field> */
    {
        struct ArrowSchema* f1[2] = {fld("a__x", "g", 0), fld("a__x", "g", 0)};
        schema_init(&s, 2, f1);
        CHECK_ST(arct_world_register_table(w, "dup_t", &s.schema, 0), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_SCHEMA_CONSUMED(s);
        const char* bad_names[] = {"position", "__x", "position__", "", "a_b"};
        for (size_t k = 0; k < sizeof bad_names / sizeof bad_names[0]; k++) {
            struct ArrowSchema* f[1] = {fld(bad_names[k], "g", 0)};
            schema_init(&s, 1, f);
            int32_t st = arct_world_register_table(w, "name_t", &s.schema, 0);
            /* an empty top-level name may be reported as an Arrow error (4.5 S3) */
            int32_t want = (bad_names[k][0] == 0 && st == ARCT_ERR_ARROW) ? ARCT_ERR_ARROW : ARCT_ERR_SCHEMA_MISMATCH;
            CHECKF(CHECK_ST(st, want) == want, "component column name '%s'", bad_names[k]);
            EXPECT_SCHEMA_CONSUMED(s);
        }
    }
    /* update: a column the table lacks, a wrong type, a null in a non-nullable column */
    {
        int32_t e[1] = {1};
        Col c1[2] = {col_i32("entity_id", 0, 1, e, NULL), col_f64("extra__z", 0, 1, v, NULL)};
        batch_init(&b, 1, 2, c1);
        CHECK_ST(arct_world_update(w, &b.array, &b.schema), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_CONSUMED(b);
        Col c2[2] = {col_i32("entity_id", 0, 1, e, NULL), col_f32("position__x", 0, 1, f, NULL)};
        batch_init(&b, 1, 2, c2);
        CHECK_ST(arct_world_update(w, &b.array, &b.schema), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_CONSUMED(b);
        uint8_t nul[1] = {0};
        Col c3[2] = {col_i32("entity_id", 0, 1, e, NULL), col_f64("position__x", ARROW_FLAG_NULLABLE, 1, v, nul)};
        batch_init(&b, 1, 2, c3);
        CHECK_ST(arct_world_update(w, &b.array, &b.schema), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_CONSUMED(b);
    }
    /* migrate: unknown supplied column; a column neither supplied nor in the current table */
    {
        struct ArrowSchema* f[5] = {fld("position__x", "g", 0), fld("position__y", "g", 0), fld("velocity__dx", "g", 0),
                                    fld("velocity__dy", "g", 0), fld("hp__value", "i", 0)};
        schema_init(&s, 5, f);
        CHECK_OK(arct_world_register_table(w, "pvh", &s.schema, 0));
        int32_t one[1] = {1};
        CHECK_ST(arct_world_migrate(w, "pvh", NULL, NULL, NULL, one, 1), ARCT_ERR_SCHEMA_MISMATCH); /* hp missing */
        Col c1[1] = {col_f64("other__q", 0, 1, v, NULL)};
        batch_init(&b, 1, 1, c1);
        CHECK_ST(arct_world_migrate(w, "pvh", NULL, &b.array, &b.schema, one, 1), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_CONSUMED(b);
        Col c2[1] = {col_i64("hp__value", 0, 1, (const int64_t[]){5}, NULL)};
        batch_init(&b, 1, 1, c2);
        CHECK_ST(arct_world_migrate(w, "pvh", NULL, &b.array, &b.schema, one, 1), ARCT_ERR_SCHEMA_MISMATCH); /* type */
        EXPECT_CONSUMED(b);
        pvb(&b, 1); /* rows without hp__value */
        CHECK_ST(arct_world_migrate_rows(w, "pvh", NULL, &b.array, &b.schema, one, 1), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_CONSUMED(b);
        /* to_schema conflicting with the registered target */
        struct ArrowSchema* g[1] = {fld("hp__value", "i", 0)};
        schema_init(&s, 1, g);
        int32_t hp[1] = {3};
        Col c3[1] = {col_i32("hp__value", 0, 1, hp, NULL)};
        batch_init(&b, 1, 1, c3);
        CHECK_ST(arct_world_migrate(w, "pvh", &s.schema, &b.array, &b.schema, one, 1), ARCT_ERR_SCHEMA_MISMATCH);
        EXPECT_SCHEMA_CONSUMED(s);
        EXPECT_CONSUMED(b);
    }
    arct_world_info after;
    CHECK_OK(world_info(w, &after));
    CHECK(after.n_entities == before.n_entities && after.tick == before.tick && after.n_tables == before.n_tables + 1);
    char buf[256];
    entities_str(w, buf, sizeof buf);
    CHECK(strcmp(buf, "1,2") == 0);
    CHECK_OK(arct_world_step(w, NULL));
    Coll c;
    CHECK_OK(query_collect(w, "pv", NULL, &c));
    CHECK(c.rows == 4);
    coll_free(&c);
    CHECK_OK(arct_world_free(w));
}

static void n19_metadata_columns(void) {
    CASE("N19");
    arct_world* w = neg_world("n19");
    if (!w) return;
    arct_world_info before;
    CHECK_OK(world_info(w, &before));
    SchemaIn s;
    Batch b;
    /* component schema with a base column name */
    const char* base[] = {"tick", "entity_id", "world_id", "run_id", "is_active"};
    const char* base_fmt[] = {"i", "i", "u", "u", "b"};
    for (size_t k = 0; k < 5; k++) {
        struct ArrowSchema* f[2] = {fld("position__x", "g", 0), fld(base[k], base_fmt[k], 0)};
        schema_init(&s, 2, f);
        CHECKF(CHECK_ST(arct_world_register_table(w, "meta_t", &s.schema, 0), ARCT_ERR_METADATA_COLUMN) ==
                   ARCT_ERR_METADATA_COLUMN,
               "component schema with %s", base[k]);
        EXPECT_SCHEMA_CONSUMED(s);
    }
    /* full schemas */
    struct {
        const char* what;
        const char* fmt[6];
        int64_t flags[6];
        const char* names[6];
    } fulls[] = {
        {"entity_id int64", {"u", "u", "l", "i", "b", "g"}, {0, 0, 0, 0, 0, 0},
         {"world_id", "run_id", "entity_id", "tick", "is_active", "position__x"}},
        {"entity_id nullable", {"u", "u", "i", "i", "b", "g"}, {0, 0, ARROW_FLAG_NULLABLE, 0, 0, 0},
         {"world_id", "run_id", "entity_id", "tick", "is_active", "position__x"}},
        {"tick before entity_id", {"u", "u", "i", "i", "b", "g"}, {0, 0, 0, 0, 0, 0},
         {"world_id", "run_id", "tick", "entity_id", "is_active", "position__x"}},
        {"is_active missing", {"u", "u", "i", "i", "g", "g"}, {0, 0, 0, 0, 0, 0},
         {"world_id", "run_id", "entity_id", "tick", "position__x", "position__y"}},
        {"base name again", {"u", "u", "i", "i", "b", "i"}, {0, 0, 0, 0, 0, 0},
         {"world_id", "run_id", "entity_id", "tick", "is_active", "tick"}},
    };
    for (size_t k = 0; k < sizeof fulls / sizeof fulls[0]; k++) {
        struct ArrowSchema* f[6];
        for (int i = 0; i < 6; i++) f[i] = fld(fulls[k].names[i], fulls[k].fmt[i], fulls[k].flags[i]);
        schema_init(&s, 6, f);
        CHECKF(CHECK_ST(arct_world_register_table(w, "full_t", &s.schema, ARCT_REGISTER_FULL_SCHEMA),
                        ARCT_ERR_METADATA_COLUMN) == ARCT_ERR_METADATA_COLUMN,
               "full schema: %s", fulls[k].what);
        EXPECT_SCHEMA_CONSUMED(s);
    }
    /* a full schema given with the component flag: base names inside a component schema */
    {
        struct ArrowSchema* f[6] = {fld("world_id", "u", 0), fld("run_id", "u", 0), fld("entity_id", "i", 0),
                                    fld("tick", "i", 0),     fld("is_active", "b", 0), fld("position__x", "g", 0)};
        schema_init(&s, 6, f);
        CHECK_ST(arct_world_register_table(w, "full_t", &s.schema, ARCT_REGISTER_COMPONENT_SCHEMA), ARCT_ERR_METADATA_COLUMN);
        EXPECT_SCHEMA_CONSUMED(s);
    }
    double v[2] = {1, 2};
    uint8_t t[2] = {1, 1};
    int32_t e[2] = {1, 2};
    int32_t ids[4];
    int64_t n = -7;
    /* spawn batch containing is_active (all component columns present) */
    {
        Col c[5] = {col_f64("position__x", 0, 2, v, NULL), col_f64("position__y", 0, 2, v, NULL),
                    col_f64("velocity__dx", 0, 2, v, NULL), col_f64("velocity__dy", 0, 2, v, NULL),
                    col_bool("is_active", 0, 2, t, NULL)};
        batch_init(&b, 2, 5, c);
        CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 4, &n), ARCT_ERR_METADATA_COLUMN);
        EXPECT_CONSUMED(b);
        CHECK(n == -7);
    }
    /* spawn batch containing entity_id */
    {
        Col c[5] = {col_i32("entity_id", 0, 2, e, NULL), col_f64("position__x", 0, 2, v, NULL),
                    col_f64("position__y", 0, 2, v, NULL), col_f64("velocity__dx", 0, 2, v, NULL),
                    col_f64("velocity__dy", 0, 2, v, NULL)};
        batch_init(&b, 2, 5, c);
        CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 4, &n), ARCT_ERR_METADATA_COLUMN);
        EXPECT_CONSUMED(b);
    }
    /* update: no entity_id; entity_id int64; entity_id with nulls; another base column */
    {
        Col c1[1] = {col_f64("position__x", 0, 1, v, NULL)};
        batch_init(&b, 1, 1, c1);
        CHECK_ST(arct_world_update(w, &b.array, &b.schema), ARCT_ERR_METADATA_COLUMN);
        EXPECT_CONSUMED(b);
        Col c2[2] = {col_i64("entity_id", 0, 1, (const int64_t[]){1}, NULL), col_f64("position__x", 0, 1, v, NULL)};
        batch_init(&b, 1, 2, c2);
        CHECK_ST(arct_world_update(w, &b.array, &b.schema), ARCT_ERR_METADATA_COLUMN);
        EXPECT_CONSUMED(b);
        uint8_t nul[2] = {1, 0};
        Col c3[2] = {col_i32("entity_id", ARROW_FLAG_NULLABLE, 2, e, nul), col_f64("position__x", 0, 2, v, NULL)};
        batch_init(&b, 2, 2, c3);
        CHECK_ST(arct_world_update(w, &b.array, &b.schema), ARCT_ERR_METADATA_COLUMN);
        EXPECT_CONSUMED(b);
        int32_t tk[1] = {5};
        Col c4[2] = {col_i32("entity_id", 0, 1, e, NULL), col_i32("tick", 0, 1, tk, NULL)};
        batch_init(&b, 1, 2, c4);
        CHECK_ST(arct_world_update(w, &b.array, &b.schema), ARCT_ERR_METADATA_COLUMN);
        EXPECT_CONSUMED(b);
    }
    /* migrate values with a base column */
    {
        SchemaIn ts;
        pvs(&ts);
        CHECK_OK(arct_world_register_table(w, "pv2", &ts.schema, 0));
        Col c[1] = {col_bool("is_active", 0, 1, t, NULL)};
        batch_init(&b, 1, 1, c);
        CHECK_ST(arct_world_migrate(w, "pv2", NULL, &b.array, &b.schema, e, 1), ARCT_ERR_METADATA_COLUMN);
        EXPECT_CONSUMED(b);
    }
    arct_world_info after;
    CHECK_OK(world_info(w, &after));
    CHECK(after.n_entities == before.n_entities && after.n_tables == before.n_tables + 1 && after.tick == before.tick);
    CHECK(world_tick(w) == 1);
    CHECK_OK(arct_world_free(w));
}

void test_negative_entities(void) {
    size_t mark = tn_mark();
    n14_unknown_entities();
    n15_ids_already_registered();
    n16_id_overflow();
    n18_schema_mismatch();
    n19_metadata_columns();
    tn_check_since(mark, "N14-N19");
}
