/* c-abi.md section 11, N21-N29: malformed Arrow inputs. Every case goes through
 * arct_record_batch_roundtrip, arct_world_spawn (Arrow validation comes before the schema
 * checks, 4.7), arct_movement_process and arct_step_commit (in an open epoch: a data-path
 * failure, which closes it). */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "negative.h"

/* id int32 | x float64? (one null) | name utf8? (one null) | l list<int32>?; 4 rows */
static void rich(Batch* b) {
    int32_t id[4] = {1, 2, 3, 4};
    double x[4] = {0.5, 0, 2.5, -1};
    uint8_t xv[4] = {1, 0, 1, 1};
    const char* name[4] = {"a", NULL, "ccc", "d\xc3\xa9"};
    int32_t loff[5] = {0, 1, 1, 3, 4};
    int32_t lval[4] = {10, 11, 12, 13};
    Col c[4] = {
        col_i32("id", 0, 4, id, NULL),
        col_f64("x", ARROW_FLAG_NULLABLE, 4, x, xv),
        col_utf8("name", ARROW_FLAG_NULLABLE, 4, name),
        col_list_i32("l", ARROW_FLAG_NULLABLE, 4, loff, 4, lval),
    };
    batch_init(b, 4, 4, c);
}

static uint8_t g_top_bitmap[1] = {0x0D}; /* rows 0, 2, 3 valid; row 1 null */

/* N21 */
static void m_int32_one_buffer(Batch* b) { rich(b); b->array.children[0]->n_buffers = 1; }
static void m_utf8_two_buffers(Batch* b) { rich(b); b->array.children[2]->n_buffers = 2; }
static void m_struct_two_buffers(Batch* b) { rich(b); b->array.n_buffers = 2; }
/* N22 */
static void m_neg_length(Batch* b) { rich(b); b->array.length = -1; }
static void m_neg_offset(Batch* b) { rich(b); b->array.offset = -1; }
static void m_child_neg_length(Batch* b) { rich(b); b->array.children[1]->length = -3; }
static void m_child_neg_offset(Batch* b) { rich(b); b->array.children[0]->offset = -1; }
static void m_offset_overflow(Batch* b) { rich(b); b->array.children[0]->offset = INT64_MAX - 1; }
static void m_top_offset_overflow(Batch* b) { rich(b); b->array.offset = INT64_MAX - 1; }
static void m_top_too_long(Batch* b) { rich(b); b->array.length = (int64_t)INT32_MAX + 1; }
static void m_null_count_gt_length(Batch* b) { rich(b); b->array.children[1]->null_count = 5; }
static void m_null_count_lt_minus1(Batch* b) { rich(b); b->array.children[1]->null_count = -2; }
/* N23 */
static void set_fmt(Batch* b, const char* f) { rich(b); b->schema.children[1]->format = f; }
static void m_fmt_empty(Batch* b) { set_fmt(b, ""); }
static void m_fmt_zz(Batch* b) { set_fmt(b, "zz"); }
static void m_fmt_w(Batch* b) { set_fmt(b, "w:"); }
static void m_fmt_wabc(Batch* b) { set_fmt(b, "w:abc"); }
static void m_fmt_tsx(Batch* b) { set_fmt(b, "tsx:"); }
static void m_fmt_fsl(Batch* b) { set_fmt(b, "+w:3"); }
static void m_fmt_list0(Batch* b) { set_fmt(b, "+l"); }
static void m_fmt_null(Batch* b) { set_fmt(b, NULL); }
static void m_fmt_gg(Batch* b) { set_fmt(b, "gg"); }
static void m_fmt_top(Batch* b) { rich(b); b->schema.format = "+w:4"; }
static void m_dictionary(Batch* b) { rich(b); batch_add_dictionary(b, 0); }
/* N24 */
static void m_utf8_decreasing(Batch* b) {
    int32_t off[3] = {0, 3, 1};
    Col c = col_utf8_raw("s", 0, 2, off, "abc", 3);
    batch_init(b, 2, 1, &c);
}
static void m_utf8_negative_first(Batch* b) {
    int32_t off[2] = {-1, 2};
    Col c = col_utf8_raw("s", 0, 1, off, "abc", 3);
    batch_init(b, 1, 1, &c);
}
static void m_list_past_child(Batch* b) {
    int32_t off[3] = {0, 1, 3};
    int32_t v[2] = {1, 2};
    Col c = col_list_i32("l", 0, 2, off, 2, v);
    batch_init(b, 2, 1, &c);
}
/* N25 */
static void m_null_data(Batch* b) { rich(b); b->array.children[1]->buffers[1] = NULL; }
static void m_null_buffers(Batch* b) { rich(b); b->array.children[1]->buffers = NULL; }
static void m_null_utf8_offsets(Batch* b) { rich(b); b->array.children[2]->buffers[1] = NULL; }
static void m_short_child(Batch* b) { rich(b); b->array.children[0]->length = 2; }
static void m_short_child_offset(Batch* b) { rich(b); b->array.offset = 1; } /* children have 4 rows, 1 + 4 > 4 */
static void m_null_child(Batch* b) { rich(b); batch_null_array_child(b, 0); }
static void m_null_schema_child(Batch* b) { rich(b); b->schema.children[0] = NULL; }
static void m_null_children_array(Batch* b) { rich(b); b->array.children = NULL; }
static void m_n_children(Batch* b) { rich(b); b->array.n_children = 2; }
static void m_nulls_no_bitmap(Batch* b) { rich(b); b->array.children[1]->buffers[0] = NULL; }
/* N26 */
static void m_top_float64(Batch* b) {
    double v[2] = {1, 2};
    Col c = col_f64("x", 0, 2, v, NULL);
    b->array = *c.a;
    b->schema = *c.s;
    b->at = (TNode*)c.a->private_data;
    b->st = (TNode*)c.s->private_data;
    free(c.a);
    free(c.s);
}
/* N27 */
static void m_top_bitmap_minus1(Batch* b) {
    rich(b);
    b->array.buffers[0] = g_top_bitmap;
    b->array.null_count = -1;
}
static void m_top_bitmap_1(Batch* b) {
    rich(b);
    b->array.buffers[0] = g_top_bitmap;
    b->array.null_count = 1;
}
static void m_top_null_count_no_bitmap(Batch* b) { rich(b); b->array.null_count = 1; }
/* N29 */
static void utf8_bad(Batch* b, const char* bytes, size_t n) {
    int32_t off[3] = {0, 1, 1 + (int32_t)n};
    char buf[16];
    buf[0] = 'a';
    memcpy(buf + 1, bytes, n);
    Col c = col_utf8_raw("s", ARROW_FLAG_NULLABLE, 2, off, buf, n + 1);
    batch_init(b, 2, 1, &c);
}
static void m_utf8_ff(Batch* b) { utf8_bad(b, "\xff", 1); }
static void m_utf8_truncated(Batch* b) { utf8_bad(b, "\xe2\x82", 2); }
static void m_utf8_overlong(Batch* b) { utf8_bad(b, "\xc0\xaf", 2); }
static void m_utf8_surrogate(Batch* b) { utf8_bad(b, "\xed\xa0\x80", 3); }
static void m_utf8_nested(Batch* b) {
    /* invalid UTF-8 inside a struct field */
    int32_t off[2] = {0, 1};
    Col s = col_utf8_raw("s", 0, 1, off, "\xff", 1);
    Col st = col_struct("st", 0, 1, 1, &s);
    batch_init(b, 1, 1, &st);
}
static void m_bad_child_name(Batch* b) { rich(b); b->schema.children[1]->name = "x\xff"; }
static void m_null_child_name(Batch* b) { rich(b); b->schema.children[1]->name = NULL; }
static void m_empty_top_name(Batch* b) { rich(b); b->schema.children[1]->name = ""; }
static void m_deep(Batch* b) {
    /* the batch (level 1) holds 64 nested structs around an int32: 65 struct levels, 66 with
     * the leaf, so depth > 64 however the levels are counted */
    int32_t v[1] = {1};
    Col c = col_i32("leaf", 0, 1, v, NULL);
    for (int d = 0; d < 64; d++) c = col_struct("n", ARROW_FLAG_NULLABLE, 1, 1, &c);
    batch_init(b, 1, 1, &c);
}
static void m_non_nullable_with_nulls(Batch* b) { rich(b); b->schema.children[1]->flags = 0; } /* A11 */

typedef struct {
    const char* n;   /* case number */
    const char* what;
    void (*build)(Batch*);
} ArrowCase;

static const ArrowCase CASES[] = {
    {"N21", "int32 child with 1 buffer", m_int32_one_buffer},
    {"N21", "utf8 child with 2 buffers", m_utf8_two_buffers},
    {"N21", "struct with 2 buffers", m_struct_two_buffers},
    {"N22", "negative length", m_neg_length},
    {"N22", "negative offset", m_neg_offset},
    {"N22", "child negative length", m_child_neg_length},
    {"N22", "child negative offset", m_child_neg_offset},
    {"N22", "child offset + length overflows", m_offset_overflow},
    {"N22", "top offset + length overflows", m_top_offset_overflow},
    {"N22", "top length > INT32_MAX", m_top_too_long},
    {"N22", "null_count > length", m_null_count_gt_length},
    {"N22", "null_count < -1", m_null_count_lt_minus1},
    {"N23", "format \"\"", m_fmt_empty},
    {"N23", "format zz", m_fmt_zz},
    {"N23", "format w:", m_fmt_w},
    {"N23", "format w:abc", m_fmt_wabc},
    {"N23", "format tsx:", m_fmt_tsx},
    {"N23", "format +w:3 without child", m_fmt_fsl},
    {"N23", "format +l with 0 children", m_fmt_list0},
    {"N23", "format NULL", m_fmt_null},
    {"N23", "format gg", m_fmt_gg},
    {"N23", "top-level format +w:4", m_fmt_top},
    {"N23", "dictionary-encoded child", m_dictionary},
    {"N24", "decreasing utf8 offsets", m_utf8_decreasing},
    {"N24", "negative first utf8 offset", m_utf8_negative_first},
    {"N24", "list last offset > child length", m_list_past_child},
    {"N25", "NULL float64 data buffer", m_null_data},
    {"N25", "NULL buffers array", m_null_buffers},
    {"N25", "NULL utf8 offsets buffer", m_null_utf8_offsets},
    {"N25", "struct child shorter than parent", m_short_child},
    {"N25", "struct child shorter than parent offset + length", m_short_child_offset},
    {"N25", "NULL child array pointer", m_null_child},
    {"N25", "NULL child schema pointer", m_null_schema_child},
    {"N25", "NULL children array", m_null_children_array},
    {"N25", "n_children differs from the schema", m_n_children},
    {"N25", "nulls without a validity buffer", m_nulls_no_bitmap},
    {"N26", "top-level float64 array", m_top_float64},
    {"N27", "top-level bitmap with a zero bit, null_count -1", m_top_bitmap_minus1},
    {"N27", "top-level bitmap with a zero bit, null_count 1", m_top_bitmap_1},
    {"N27", "top-level null_count 1 without bitmap", m_top_null_count_no_bitmap},
    {"N29", "invalid UTF-8 \\xff", m_utf8_ff},
    {"N29", "truncated multibyte", m_utf8_truncated},
    {"N29", "overlong encoding", m_utf8_overlong},
    {"N29", "surrogate", m_utf8_surrogate},
    {"N29", "invalid UTF-8 in a struct field", m_utf8_nested},
    {"N29", "nesting depth 65", m_deep},
    {"N29", "invalid UTF-8 column name", m_bad_child_name},
    {"N29", "NULL column name", m_null_child_name},
    {"N29", "empty column name", m_empty_top_name},
    {"N29", "nulls in a non-nullable field", m_non_nullable_with_nulls},
};

static void run_case(const ArrowCase* k, arct_world* w, arct_world* ew) {
    CASE(k->n);
    Batch b;
    Out out;
    char ctx[200];
    snprintf(ctx, sizeof ctx, "%s %s", k->n, k->what);

    /* arct_record_batch_roundtrip */
    k->build(&b);
    out_fill(&out);
    int32_t st = CHECK_ST(arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, &out.s), ARCT_ERR_ARROW);
    const char* m = arct_last_error_message();
    CHECKF(st == ARCT_ERR_ARROW, "%s: roundtrip", ctx);
    if (k->build == m_top_float64)
        CHECKF(m && strstr(m, "record batches must be top-level struct arrays"), "%s: message '%s'", ctx, m ? m : "");
    EXPECT_CONSUMED(b);
    CHECK(out_untouched(&out));
    out_release(&out);

    /* arct_world_spawn into the movement table (1 before 300) */
    k->build(&b);
    int32_t ids[8] = {-7};
    int64_t n = -7;
    st = CHECK_ST(arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 8, &n), ARCT_ERR_ARROW);
    CHECKF(st == ARCT_ERR_ARROW, "%s: spawn", ctx);
    EXPECT_CONSUMED(b);
    CHECK(n == -7 && ids[0] == -7);

    /* arct_movement_process */
    k->build(&b);
    out_fill(&out);
    st = CHECK_ST(arct_movement_process(&b.array, &b.schema, &out.a, &out.s, 0.1, 0), ARCT_ERR_ARROW);
    CHECKF(st == ARCT_ERR_ARROW, "%s: movement_process", ctx);
    EXPECT_CONSUMED(b);
    CHECK(out_untouched(&out));
    out_release(&out);

    /* arct_step_commit in an open epoch: the failure closes it */
    Out ex;
    out_fill(&ex);
    if (CHECK_OK(arct_step_begin(ew, "pv", &ex.a, &ex.s)) == ARCT_OK) {
        out_release(&ex);
        k->build(&b);
        int32_t done = -7;
        st = CHECK_ST(arct_step_commit(ew, "pv", &b.array, &b.schema, &done), ARCT_ERR_ARROW);
        CHECKF(st == ARCT_ERR_ARROW, "%s: commit", ctx);
        EXPECT_CONSUMED(b);
        CHECK(done == -7);
        arct_world_info info;
        CHECK_OK(world_info(ew, &info));
        CHECKF(info.state == ARCT_WORLD_READY && info.tick == 1, "%s: epoch closed by the Arrow error", ctx);
        if (info.state != ARCT_WORLD_READY) arct_step_abort(ew, NULL);
    }
}

/* N28: a struct whose release is already NULL is not moved; the other half still is. */
static void n28_released_inputs(arct_world* w) {
    CASE("N28");
    for (int which = 0; which < 3; which++) { /* 0: array released, 1: schema released, 2: both */
        for (int entry = 0; entry < 3; entry++) {
            Batch b;
            rich(&b);
            void (*ra)(struct ArrowArray*) = b.array.release;
            void (*rs)(struct ArrowSchema*) = b.schema.release;
            if (which != 1) b.array.release = NULL;
            if (which != 0) b.schema.release = NULL;
            Out out;
            out_fill(&out);
            int32_t st;
            int32_t ids[8];
            int64_t n = -7;
            if (entry == 0) st = arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, &out.s);
            else if (entry == 1) st = arct_world_spawn(w, "pv", &b.array, &b.schema, ids, 8, &n);
            else st = arct_movement_process(&b.array, &b.schema, &out.a, &out.s, 0.1, 0);
            CHECKF(CHECK_ST(st, ARCT_ERR_ARROW) == ARCT_ERR_ARROW, "released %s, entry %d",
                   which == 0 ? "array" : which == 1 ? "schema" : "both", entry);
            CHECK(out_untouched(&out));
            /* the unreleased half was moved (release NULL now); the released half untouched */
            CHECK(b.array.release == NULL && b.schema.release == NULL);
            /* release the released halves ourselves (they were never the library's) */
            if (which != 1) {
                b.array.release = ra;
                b.array.release(&b.array);
            }
            if (which != 0) {
                b.schema.release = rs;
                b.schema.release(&b.schema);
            }
            CHECK(batch_released_once(&b));
        }
    }
    /* a lone schema already released */
    SchemaIn s;
    pvs(&s);
    void (*rs)(struct ArrowSchema*) = s.schema.release;
    s.schema.release = NULL;
    CHECK_ST(arct_world_register_table(w, "rel_t", &s.schema, 0), ARCT_ERR_ARROW);
    s.schema.release = rs;
    schema_release(&s);
    CHECK(schema_released_once(&s));
    /* a released input stream */
    struct ArrowArrayStream in, out;
    StreamState ss;
    stream_init(&in, &ss, 1, 1);
    in.release = NULL;
    memset(&out, 0, sizeof out);
    CHECK_ST(arct_stream_roundtrip(&in, &out), ARCT_ERR_ARROW);
    CHECK(ss.release_calls == 0 && out.release == NULL);
}

/* Schema-only malformations through registration (a lone schema is validated too). */
static void lone_schema_cases(arct_world* w) {
    CASE("N23");
    const char* fmts[] = {"", "zz", "w:", "w:abc", "tsx:", "+w:3", "+l", "e", NULL};
    for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
        SchemaIn s;
        struct ArrowSchema* f[2] = {fld("position__x", "g", 0), fld("bad__col", "g", ARROW_FLAG_NULLABLE)};
        f[1]->format = fmts[k];
        schema_init(&s, 2, f);
        CHECKF(CHECK_ST(arct_world_register_table(w, "fmt_t", &s.schema, 0), ARCT_ERR_ARROW) == ARCT_ERR_ARROW,
               "register with format '%s'", fmts[k] ? fmts[k] : "(NULL)");
        EXPECT_SCHEMA_CONSUMED(s);
    }
    /* a registration target given as a non-struct schema */
    SchemaIn s;
    struct ArrowSchema* f[1] = {fld("position__x", "g", 0)};
    schema_init(&s, 1, f);
    s.schema.format = "g";
    CHECK_ST(arct_world_register_table(w, "fmt_t", &s.schema, 0), ARCT_ERR_ARROW);
    EXPECT_SCHEMA_CONSUMED(s);
    CASE("N29");
    /* depth 65 in a lone schema */
    struct ArrowSchema* leaf = fld("leaf", "i", 0);
    for (int d = 0; d < 64; d++) {
        SchemaIn tmp;
        schema_init(&tmp, 1, &leaf);
        leaf = malloc(sizeof *leaf);
        *leaf = tmp.schema;
        leaf->name = "n__n"; /* the node owns its format copy; the name literal is not freed */
    }
    schema_init(&s, 1, &leaf);
    CHECK_ST(arct_world_register_table(w, "deep_t", &s.schema, 0), ARCT_ERR_ARROW);
    EXPECT_SCHEMA_CONSUMED(s);
}

/* Positive controls for the boundaries of the checks above. */
static void arrow_controls(void) {
    CASE("N29 controls");
    /* invalid bytes outside the visible range of a sliced utf8 column are fine */
    int32_t off[3] = {0, 1, 3};
    Col c = col_utf8_raw("s", 0, 2, off, "\xffok", 3);
    Batch b;
    batch_init(&b, 1, 1, &c);
    b.array.children[0]->offset = 1;
    b.array.children[0]->length = 1;
    Out out;
    out_fill(&out);
    CHECK_OK(arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, &out.s));
    if (out.a.release) CHECK(out.a.length == 1 && ex_str_eq(&out.a, 0, 0, "ok"));
    out_release(&out);
    CHECK(batch_released_once(&b));
    /* depth 64 counting every level (the batch, 62 nested structs, the int32 leaf) is accepted */
    int32_t v[1] = {1};
    Col leaf = col_i32("leaf", 0, 1, v, NULL);
    for (int d = 0; d < 62; d++) leaf = col_struct("n", 0, 1, 1, &leaf);
    batch_init(&b, 1, 1, &leaf);
    out_fill(&out);
    CHECK_OK(arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, &out.s));
    out_release(&out);
    CHECK(batch_released_once(&b));
    /* null_count -1 with a NULL validity buffer (unknown count, no nulls) */
    rich(&b);
    b.array.children[0]->null_count = -1;
    out_fill(&out);
    CHECK_OK(arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, &out.s));
    if (out.a.release) CHECK(out.a.children[0]->null_count == 0);
    out_release(&out);
    CHECK(batch_released_once(&b));
    /* a top-level bitmap with every bit set */
    static uint8_t all[1] = {0x0F};
    rich(&b);
    b.array.buffers[0] = all;
    b.array.null_count = -1;
    out_fill(&out);
    CHECK_OK(arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, &out.s));
    if (out.a.release) check_export_props(&out.a, &out.s, "roundtrip of a struct with an all-set bitmap");
    out_release(&out);
    CHECK(batch_released_once(&b));
    /* an empty utf8 column whose data buffer is NULL */
    int32_t zoff[3] = {0, 0, 0};
    Col e = col_utf8_raw("s", 0, 2, zoff, "", 0);
    batch_init(&b, 2, 1, &e);
    b.array.children[0]->buffers[2] = NULL;
    out_fill(&out);
    CHECK_OK(arct_record_batch_roundtrip(&b.array, &b.schema, &out.a, &out.s));
    out_release(&out);
    CHECK(batch_released_once(&b));
}

void test_negative_arrow(void) {
    size_t mark = tn_mark();
    arct_world* w = neg_world("n21");
    arct_world* ew = neg_world("n21-epoch");
    if (!w || !ew) return;
    arct_world_info before;
    CHECK_OK(world_info(w, &before));
    for (size_t k = 0; k < sizeof CASES / sizeof CASES[0]; k++) run_case(&CASES[k], w, ew);
    n28_released_inputs(w);
    lone_schema_cases(w);
    arrow_controls();
    CASE("N21-N29");
    CHECK(info_unchanged(w, &before));
    CHECK_OK(arct_world_step(w, NULL));
    CHECK_OK(arct_world_step(ew, NULL));
    Coll c;
    CHECK_OK(query_collect(w, "pv", NULL, &c));
    CHECK(c.rows == 4);
    coll_free(&c);
    CHECK_OK(arct_world_free(w));
    CHECK_OK(arct_world_free(ew));
    tn_check_since(mark, "N21-N29");
}
