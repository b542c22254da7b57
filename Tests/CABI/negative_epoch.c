/* c-abi.md section 11, N8-N13 and N20: the split-step epoch state machine. */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "negative.h"

/* World with active tables a_t (ids 1, 2) and b_t (ids 3, 4) committed at tick 0, and a
 * registered, inactive table c_t. Tick is 1. */
static arct_world* epoch_world(const char* run, uint64_t* pid) {
    arct_world* w = world_make("w1", run, NULL, NULL);
    if (!w) return NULL;
    CHECK_OK(register_pv(w, "a_t", 0));
    CHECK_OK(register_pv(w, "b_t", 0));
    CHECK_OK(register_pv(w, "c_t", 0));
    CHECK_OK(spawn_pv(w, "a_t", 2, 1.0, NULL));
    CHECK_OK(spawn_pv(w, "b_t", 2, 10.0, NULL));
    CHECK_OK(add_movement(w, 0.1, 10, pid));
    CHECK_OK(arct_world_step(w, NULL));
    return w;
}

static uint32_t state_of(arct_world* w) {
    arct_world_info info;
    if (world_info(w, &info) != ARCT_OK) return 99;
    return info.state;
}

static int32_t begin_release(arct_world* w, const char* table) {
    Out o;
    out_fill(&o);
    int32_t st = arct_step_begin(w, table, &o.a, &o.s);
    out_release(&o);
    return st;
}

static void n8_to_n11(void) {
    uint64_t pid = 0;
    arct_world* w = epoch_world("n8", &pid);
    if (!w) return;
    Out o;
    Batch b;

    CASE("N8");
    CHECK_OK(begin_release(w, "a_t"));
    out_fill(&o);
    CHECK_ST(arct_step_begin(w, "a_t", &o.a, &o.s), ARCT_ERR_STEP_ALREADY_IN_FLIGHT);
    CHECK(out_untouched(&o));
    CHECK(state_of(w) == ARCT_WORLD_EPOCH_OPEN); /* protocol errors leave the epoch open */
    CHECK(world_tick(w) == 1);

    CASE("N9");
    arct_step_profile prof;
    memset(&prof, 0, sizeof prof);
    prof.struct_size = sizeof prof;
    CHECK_ST(arct_world_step(w, &prof), ARCT_ERR_STEP_ALREADY_IN_FLIGHT);
    CHECK_ST(arct_world_step(w, NULL), ARCT_ERR_STEP_ALREADY_IN_FLIGHT);
    CHECK(prof.tick == 0 && prof.n_tables == 0);
    CHECK(state_of(w) == ARCT_WORLD_EPOCH_OPEN);

    CASE("N11");
    out_fill(&o);
    CHECK_ST(arct_step_begin(w, "c_t", &o.a, &o.s), ARCT_ERR_STEP_TABLE_MISMATCH); /* registered, not in S */
    CHECK_ST(arct_step_begin(w, "zzz", &o.a, &o.s), ARCT_ERR_STEP_TABLE_MISMATCH); /* unregistered */
    CHECK(out_untouched(&o));
    pvb(&b, 2);
    CHECK_ST(arct_step_commit(w, "c_t", &b.array, &b.schema, NULL), ARCT_ERR_STEP_TABLE_MISMATCH);
    EXPECT_CONSUMED(b);
    pvb(&b, 2);
    CHECK_ST(arct_step_commit(w, "zzz", &b.array, &b.schema, NULL), ARCT_ERR_STEP_TABLE_MISMATCH);
    EXPECT_CONSUMED(b);
    CHECK_ST(arct_step_abort(w, "c_t"), ARCT_ERR_STEP_TABLE_MISMATCH);
    CHECK_ST(arct_step_abort(w, "zzz"), ARCT_ERR_STEP_TABLE_MISMATCH);
    CHECK(state_of(w) == ARCT_WORLD_EPOCH_OPEN);

    CASE("N10");
    /* commit of a pending table (b_t not begun) */
    int32_t done = -7;
    pvb(&b, 2);
    CHECK_ST(arct_step_commit(w, "b_t", &b.array, &b.schema, &done), ARCT_ERR_NO_STEP_IN_FLIGHT);
    EXPECT_CONSUMED(b);
    CHECK(done == -7);
    CHECK(state_of(w) == ARCT_WORLD_EPOCH_OPEN);
    /* the epoch is still usable: begin b_t, commit a_t, then a second commit of a_t */
    Out ea;
    CHECK_OK(arct_step_abort(w, NULL));
    out_fill(&ea);
    CHECK_OK(arct_step_begin(w, "a_t", &ea.a, &ea.s));
    CHECK_OK(arct_step_commit(w, "a_t", &ea.a, &ea.s, &done));
    CHECK(done == 0);
    pvb(&b, 2);
    CHECK_ST(arct_step_commit(w, "a_t", &b.array, &b.schema, &done), ARCT_ERR_NO_STEP_IN_FLIGHT); /* committed */
    EXPECT_CONSUMED(b);
    out_fill(&o);
    CHECK_ST(arct_step_begin(w, "a_t", &o.a, &o.s), ARCT_ERR_STEP_ALREADY_IN_FLIGHT); /* committed: 100 */
    CHECK(out_untouched(&o));
    CHECK(state_of(w) == ARCT_WORLD_EPOCH_OPEN && world_tick(w) == 1);
    CHECK_OK(arct_step_abort(w, "a_t")); /* abort of a committed table's epoch */
    CHECK(state_of(w) == ARCT_WORLD_READY && world_tick(w) == 1);
    /* no epoch: commit and abort give 101 */
    pvb(&b, 2);
    CHECK_ST(arct_step_commit(w, "a_t", &b.array, &b.schema, &done), ARCT_ERR_NO_STEP_IN_FLIGHT);
    EXPECT_CONSUMED(b);
    CHECK_ST(arct_step_abort(w, NULL), ARCT_ERR_NO_STEP_IN_FLIGHT);
    CHECK_ST(arct_step_abort(w, "a_t"), ARCT_ERR_NO_STEP_IN_FLIGHT);
    /* nothing of the aborted epochs was published */
    Coll c;
    CHECK_OK(query_collect(w, "a_t", NULL, &c));
    CHECK(c.rows == 2);
    coll_free(&c);

    CASE("N13");
    out_fill(&o);
    CHECK_ST(arct_step_begin(w, "nope", &o.a, &o.s), ARCT_ERR_UNKNOWN_TABLE);
    CHECK_ST(arct_step_begin(w, "c_t", &o.a, &o.s), ARCT_ERR_TABLE_NOT_ACTIVE);
    CHECK(out_untouched(&o));
    CHECK(state_of(w) == ARCT_WORLD_READY); /* a failed first begin opens no epoch */
    CHECK_OK(arct_world_step(w, NULL));
    CHECK(world_tick(w) == 2);
    CHECK_OK(arct_world_free(w));

    /* a world without active tables cannot begin */
    arct_world* e = world_make("w1", "n13-empty", NULL, NULL);
    if (e) {
        CHECK_OK(register_pv(e, "pv", 0));
        out_fill(&o);
        CHECK_ST(arct_step_begin(e, "pv", &o.a, &o.s), ARCT_ERR_TABLE_NOT_ACTIVE);
        CHECK(out_untouched(&o));
        CHECK_OK(arct_world_step(e, NULL));
        CHECK(world_tick(e) == 1);
        CHECK_OK(arct_world_free(e));
    }
}

static void n12_mutations_during_epoch(void) {
    CASE("N12");
    uint64_t pid = 0;
    arct_world* w = epoch_world("n12", &pid);
    if (!w) return;
    arct_world_info before;
    CHECK_OK(world_info(w, &before));
    CHECK_OK(begin_release(w, "a_t"));
    Batch b;
    SchemaIn s;
    int32_t ids[4] = {-7, -7, -7, -7};
    int64_t n = -7;
    int32_t one[1] = {1};

    pvs(&s);
    CHECK_ST(arct_world_register_table(w, "d_t", &s.schema, 0), ARCT_ERR_MUTATION_DURING_STEP);
    EXPECT_SCHEMA_CONSUMED(s);
    pvb(&b, 2);
    CHECK_ST(arct_world_spawn(w, "a_t", &b.array, &b.schema, ids, 4, &n), ARCT_ERR_MUTATION_DURING_STEP);
    EXPECT_CONSUMED(b);
    CHECK(ids[0] == -7 && n == -7);
    int32_t want[1] = {50};
    pvb(&b, 1);
    CHECK_ST(arct_world_spawn_with_ids(w, "a_t", &b.array, &b.schema, want, 1), ARCT_ERR_MUTATION_DURING_STEP);
    EXPECT_CONSUMED(b);
    CHECK_ST(arct_world_despawn(w, one, 1), ARCT_ERR_MUTATION_DURING_STEP);
    {
        double x[1] = {5};
        Col pc[2] = {col_i32("entity_id", 0, 1, one, NULL), col_f64("position__x", 0, 1, x, NULL)};
        batch_init(&b, 1, 2, pc);
        CHECK_ST(arct_world_update(w, &b.array, &b.schema), ARCT_ERR_MUTATION_DURING_STEP);
        EXPECT_CONSUMED(b);
    }
    pvs(&s);
    pvb(&b, 1);
    CHECK_ST(arct_world_migrate(w, "d_t", &s.schema, &b.array, &b.schema, one, 1), ARCT_ERR_MUTATION_DURING_STEP);
    EXPECT_SCHEMA_CONSUMED(s);
    EXPECT_CONSUMED(b);
    CHECK_ST(arct_world_migrate(w, "b_t", NULL, NULL, NULL, one, 1), ARCT_ERR_MUTATION_DURING_STEP);
    pvb(&b, 1);
    CHECK_ST(arct_world_migrate_rows(w, "b_t", NULL, &b.array, &b.schema, one, 1), ARCT_ERR_MUTATION_DURING_STEP);
    EXPECT_CONSUMED(b);
    uint64_t pid2 = 0;
    CHECK_ST(add_movement(w, 0.2, 5, &pid2), ARCT_ERR_MUTATION_DURING_STEP);
    CHECK(pid2 == 0);
    CHECK_ST(arct_world_remove_processor(w, pid), ARCT_ERR_MUTATION_DURING_STEP);
    /* reserve ids is allowed during an epoch */
    int32_t first = -7;
    CHECK_OK(arct_world_reserve_ids(w, 3, &first));
    CHECK(first == 5);
    CHECK(state_of(w) == ARCT_WORLD_EPOCH_OPEN);
    CHECK(world_tick(w) == 1);
    CHECK_OK(arct_step_abort(w, NULL));

    /* nothing staged by the refused calls; mutations work again */
    arct_world_info after;
    CHECK_OK(world_info(w, &after));
    CHECK(after.n_entities == before.n_entities && after.n_tables == before.n_tables && after.next_entity_id == 8);
    CHECK_OK(arct_world_remove_processor(w, pid));
    CHECK_OK(spawn_pv(w, "a_t", 1, 0.0, ids));
    CHECK(ids[0] == 8);
    CHECK_OK(arct_world_step(w, NULL));
    Coll c;
    CHECK_OK(query_collect(w, "a_t", NULL, &c));
    CHECK(c.rows == 2 + 3);
    coll_free(&c);
    CHECK_OK(arct_world_free(w));
}

static void n20_contract(void) {
    CASE("N20");
    arct_world* w = world_make("w1", "n20", NULL, NULL);
    if (!w) return;
    CHECK_OK(register_pv(w, "a_t", 0));
    CHECK_OK(spawn_pv(w, "a_t", 3, 1.0, NULL));
    CHECK_OK(arct_world_step(w, NULL));
    enum { DROP, ENTITY, ACTIVE, CAST, RENAME, ARROW_ERROR, N_VARIANTS };
    static const char* const names[N_VARIANTS] = {"row dropped", "entity_id changed", "is_active flipped",
                                                  "position__x cast to float32", "position__x renamed",
                                                  "malformed batch (Arrow error)"};
    for (int v = 0; v < N_VARIANTS; v++) {
        Out ex;
        out_fill(&ex);
        if (CHECK_OK(arct_step_begin(w, "a_t", &ex.a, &ex.s)) != ARCT_OK) continue;
        CopyMods m = {0, -1, -1, NULL};
        if (v == DROP) m.drop_last_row = 1;
        if (v == CAST) m.cast_col = 5;
        if (v == RENAME) {
            m.rename_col = 5;
            m.rename_to = "position__z";
        }
        Batch b;
        batch_from_export(&b, &ex.a, &ex.s, &m);
        out_release(&ex);
        if (v == ENTITY) ((int32_t*)batch_buf(&b, 2, 1))[1] += 100;
        if (v == ACTIVE) ((uint8_t*)batch_buf(&b, 4, 1))[0] ^= 1;
        if (v == ARROW_ERROR) b.array.length = -1;
        int32_t done = -7;
        int32_t want = v == ARROW_ERROR ? ARCT_ERR_ARROW : ARCT_ERR_PROCESSOR_CONTRACT;
        CHECKF(CHECK_ST(arct_step_commit(w, "a_t", &b.array, &b.schema, &done), want) == want, "variant: %s", names[v]);
        EXPECT_CONSUMED(b);
        CHECK(done == -7);
        /* the data-path failure closed the epoch; the tick did not advance */
        CHECKF(state_of(w) == ARCT_WORLD_READY, "variant %s: epoch closed", names[v]);
        CHECK(world_tick(w) == 1);
        arct_world_info info;
        CHECK_OK(world_info(w, &info));
        CHECKF(strcmp(info.last_failed_table, "a_t") == 0, "last_failed_table '%s'", info.last_failed_table);
        int32_t lst = 0;
        size_t len = 0;
        char msg[512];
        CHECK_OK(arct_world_last_error(w, &lst, msg, sizeof msg, &len));
        CHECK(lst == want && len > 0);
        CHECKF(strncmp(msg, "arct_step_commit: ", 18) == 0, "world message '%s'", msg);
        CHECK_ST(arct_step_abort(w, NULL), ARCT_ERR_NO_STEP_IN_FLIGHT); /* the epoch is closed */
    }
    /* a new epoch can begin and complete */
    Out ex;
    out_fill(&ex);
    CHECK_OK(arct_step_begin(w, "a_t", &ex.a, &ex.s));
    Batch good;
    if (ex.a.release) {
        batch_from_export(&good, &ex.a, &ex.s, NULL);
        out_release(&ex);
        int32_t done = -7;
        CHECK_OK(arct_step_commit(w, "a_t", &good.array, &good.schema, &done));
        CHECK(done == 1);
    }
    CHECK(world_tick(w) == 2);
    Coll c;
    CHECK_OK(query_collect(w, "a_t", NULL, &c));
    CHECK(c.rows == 6);
    coll_free(&c);
    CHECK_OK(arct_world_free(w));
}

void test_negative_epoch(void) {
    size_t mark = tn_mark();
    n8_to_n11();
    n12_mutations_during_epoch();
    n20_contract();
    tn_check_since(mark, "N8-N13, N20");
}
