/* C ABI conformance test (c-abi.md): test framework, release-counting Arrow producers, and
 * readers for the library's exports.
 *
 * Every Arrow node (schema or array, at any depth) built here carries a tracker in its
 * private_data. Its release callback counts the calls per node, releases the node's children
 * (those still unreleased), frees the node's own memory and marks the struct released. A second
 * call on a node is counted as a double release. Trackers are never freed, so a late or double
 * release can always be detected. */
#ifndef ARCT_ABI_TEST_HARNESS_H
#define ARCT_ABI_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "archetype.h"

/* ---- test framework ------------------------------------------------------------------------ */

extern _Thread_local const char* t_case;   /* label of the running case, e.g. "N18" */

void check_impl(int ok, const char* file, int line, const char* expr);
/* Compares a status; on mismatch prints both names and the thread's last error message. */
int32_t check_status_impl(int32_t actual, int32_t expected, const char* file, int line, const char* expr);
void check_msg_impl(int ok, const char* file, int line, const char* expr, const char* fmt, ...)
    __attribute__((format(printf, 5, 6)));

#define CHECK(expr) check_impl(!!(expr), __FILE__, __LINE__, #expr)
#define CHECKF(expr, ...) check_msg_impl(!!(expr), __FILE__, __LINE__, #expr, __VA_ARGS__)
/* CHECK_ST(call, status): runs call once, checks its status, evaluates to the actual status. */
#define CHECK_ST(call, expected) check_status_impl((call), (expected), __FILE__, __LINE__, #call)
#define CHECK_OK(call) CHECK_ST(call, ARCT_OK)
#define CASE(label) (t_case = (label))

long test_checks(void);
long test_failures(void);

/* ---- release-tracked producers ------------------------------------------------------------- */

typedef struct TNode TNode;

/* Global producer counters (atomic). */
int64_t tn_created(void);        /* nodes created */
int64_t tn_release_calls(void);  /* release calls (all, including double ones) */
int64_t tn_live(void);           /* nodes not yet released */
int64_t tn_double(void);         /* release calls on an already released node */
int tn_release_count(const TNode* t);
/* Index into the global list of trackers; tn_check_since(mark) checks that every node created
 * since the mark was released exactly once, and reports the bad ones. */
size_t tn_mark(void);
int tn_check_since(size_t mark, const char* what);

/* One column under construction: heap schema and array nodes. */
typedef struct {
    struct ArrowSchema* s;
    struct ArrowArray* a;
} Col;

/* A record batch input: caller-memory top-level structs, heap children. */
typedef struct {
    struct ArrowArray array;
    struct ArrowSchema schema;
    TNode* at;   /* tracker of the top-level array */
    TNode* st;   /* tracker of the top-level schema */
} Batch;

/* A lone schema input (registration, migration target). */
typedef struct {
    struct ArrowSchema schema;
    TNode* st;
} SchemaIn;

/* Column builders. valid: one byte per row (0 = null) or NULL for all valid; the validity
 * bitmap is built only when a null is present. flags: ARROW_FLAG_NULLABLE or 0. */
Col col_f64(const char* name, int64_t flags, int64_t n, const double* v, const uint8_t* valid);
Col col_f32(const char* name, int64_t flags, int64_t n, const float* v, const uint8_t* valid);
Col col_i32(const char* name, int64_t flags, int64_t n, const int32_t* v, const uint8_t* valid);
Col col_i64(const char* name, int64_t flags, int64_t n, const int64_t* v, const uint8_t* valid);
Col col_bool(const char* name, int64_t flags, int64_t n, const uint8_t* v, const uint8_t* valid);
/* v[i] == NULL is a null. */
Col col_utf8(const char* name, int64_t flags, int64_t n, const char* const* v);
/* utf8 column from raw offsets and bytes (for malformed cases). */
Col col_utf8_raw(const char* name, int64_t flags, int64_t n, const int32_t* offsets, const char* bytes, size_t nbytes);
/* list<item: int32> with n lists, offsets[n+1], over child values. */
Col col_list_i32(const char* name, int64_t flags, int64_t n, const int32_t* offsets,
                 int64_t n_values, const int32_t* values);
/* struct column with no nulls. */
Col col_struct(const char* name, int64_t flags, int64_t n, int n_kids, const Col* kids);
/* A column of the given (fixed-width) format filled with zeros; for wrong-format cases. */
Col col_zero(const char* name, const char* format, int64_t flags, int64_t n, size_t width);

/* Top-level "+s" batch of length rows over the columns (ownership of the columns passes). */
void batch_init(Batch* b, int64_t length, int n_cols, const Col* cols);
/* Top-level "+s" lone schema over fields (schema nodes; ownership passes). */
void schema_init(SchemaIn* s, int n_fields, struct ArrowSchema* const* fields);
/* A heap schema field node. */
struct ArrowSchema* fld(const char* name, const char* format, int64_t flags);
/* A field with one metadata pair. */
struct ArrowSchema* fld_meta(const char* name, const char* format, int64_t flags, const char* key, const char* value);
/* 1 if Arrow metadata m holds exactly the one pair key=value. */
int meta_is(const char* m, const char* key, const char* value);
/* Releases whatever of the batch is still unreleased (caller still owns it). */
void batch_release(Batch* b);
void schema_release(SchemaIn* s);
/* 1 if every node of the batch tree (array and schema) saw exactly one release call. */
int batch_released_once(const Batch* b);
int schema_released_once(const SchemaIn* s);
/* Replaces the child struct pointer in the batch's array children with NULL (N25) while
 * keeping it released by the parent. */
void batch_null_array_child(Batch* b, int i);
/* Attaches a dictionary to a child (N23): schema and array dictionary nodes. */
void batch_add_dictionary(Batch* b, int i);
/* Swaps in a new heap column at position i (the old one is released now). */
void batch_replace_col(Batch* b, int i, Col c);

/* Convenience: the standard movement columns, n rows (float64, non-nullable flags unless
 * nullable is set). */
void batch_pv(Batch* b, int64_t n, const double* x, const double* y, const double* dx, const double* dy, int nullable);
void schema_pv(SchemaIn* s, int nullable);

/* A producer stream over copies of batches (for arct_stream_roundtrip). */
typedef struct {
    int n_batches;
    int next;
    int64_t rows_per_batch;
    int release_calls;
    int schema_calls;
} StreamState;
void stream_init(struct ArrowArrayStream* st, StreamState* state, int n_batches, int64_t rows);

/* ---- library outputs ----------------------------------------------------------------------- */

typedef struct {
    struct ArrowArray a;
    struct ArrowSchema s;
} Out;

/* Fills an output shell with a recognisable pattern (release NULL) to check "untouched". */
void out_fill(Out* o);
int out_untouched(const Out* o);
void out_release(Out* o);   /* releases both if non-NULL (exactly once) */

/* A non-empty shell whose release must never be called (N2). */
void out_fake_nonempty(Out* o);
void stream_fake_nonempty(struct ArrowArrayStream* st);
int64_t fake_release_calls(void);

int ex_find(const struct ArrowSchema* s, const char* name);
int64_t ex_len(const struct ArrowArray* a);
int ex_valid(const struct ArrowArray* top, int col, int64_t row);
double ex_f64(const struct ArrowArray* top, int col, int64_t row);
float ex_f32(const struct ArrowArray* top, int col, int64_t row);
int32_t ex_i32(const struct ArrowArray* top, int col, int64_t row);
int64_t ex_i64(const struct ArrowArray* top, int col, int64_t row);
int ex_bool(const struct ArrowArray* top, int col, int64_t row);
/* Copies the utf8 value into buf (NUL-terminated, truncated) and returns its length. */
int64_t ex_str(const struct ArrowArray* top, int col, int64_t row, char* buf, size_t cap);
int ex_str_eq(const struct ArrowArray* top, int col, int64_t row, const char* s);
/* c-abi.md §4.6 properties of an exported batch; returns the number of problems (printed). */
int check_export_props(const struct ArrowArray* a, const struct ArrowSchema* s, const char* what);
/* Checks a schema child: name, format and nullability. */
int ex_field_is(const struct ArrowSchema* s, int i, const char* name, const char* format, int nullable);
/* The table schema: 5 base fields then the given component fields (name, format, nullable). */
typedef struct {
    const char* name;
    const char* format;
    int nullable;
} FieldSpec;
int check_table_schema(const struct ArrowSchema* s, int n, const FieldSpec* comps, const char* what);

/* Copies an exported table batch into a hand-built batch (formats u, i, l, b, g, f). */
typedef struct {
    int drop_last_row;
    int cast_col;            /* -1: none; else that float64 column becomes float32 */
    int rename_col;          /* -1: none */
    const char* rename_to;
} CopyMods;
void batch_from_export(Batch* out, const struct ArrowArray* a, const struct ArrowSchema* s, const CopyMods* mods);
/* Mutable access to a hand-built batch's child buffers. */
void* batch_buf(Batch* b, int col, int buf);

/* ---- query streams ------------------------------------------------------------------------- */

typedef struct {
    struct ArrowSchema schema;
    struct ArrowArray* batches;
    int n;
    int cap;
    int64_t rows;
    int err;        /* get_schema / get_next error code, 0 if none */
    char last_error[512];  /* the stream's get_last_error after an error */
} Coll;

/* Reads a whole stream (schema, all batches); the stream is then released. Returns errno. */
int coll_read(struct ArrowArrayStream* st, Coll* c);
void coll_free(Coll* c);
/* Locates global row `row`; returns the batch and sets *r to the row inside it. */
const struct ArrowArray* coll_at(const Coll* c, int64_t row, int64_t* r);
int coll_col(const Coll* c, const char* name);
double coll_f64(const Coll* c, const char* name, int64_t row);
int32_t coll_i32(const Coll* c, const char* name, int64_t row);
int coll_bool(const Coll* c, const char* name, int64_t row);
int coll_valid(const Coll* c, const char* name, int64_t row);
int coll_str_eq(const Coll* c, const char* name, int64_t row, const char* s);
/* 4.6 (and 8.8: no zero-row batches) on every batch of a collected stream. */
int check_stream_props(const Coll* c, const char* what);
/* arct_world_query + coll_read + check_stream_props; returns the status (the stream is consumed and released). */
int32_t query_collect(arct_world* w, const char* table, const arct_query* q, Coll* c);

/* ---- worlds -------------------------------------------------------------------------------- */

void opts_init(arct_world_options* o, const char* world_id, const char* run_id, const char* root, const char* ns);
/* arct_world_new with the given ids (store root may be NULL); NULL on failure (a check fails). */
arct_world* world_make(const char* world_id, const char* run_id, const char* root, const char* ns);
int32_t world_tick(arct_world* w);   /* -1 on failure */
/* arct_world_get_info into *info; returns the status. */
int32_t world_info(arct_world* w, arct_world_info* info);
/* Registers the standard movement table (component form). */
int32_t register_pv(arct_world* w, const char* table, int nullable);
/* Spawns n movement rows (x = base + i, y = 2*base + i, dx = 0.5 + i, dy = -0.25 * i). */
int32_t spawn_pv(arct_world* w, const char* table, int64_t n, double base, int32_t* ids);
int32_t add_movement(arct_world* w, double dt, int32_t priority, uint64_t* id);
/* x + dx * dt in double precision, multiply then add, no FMA. */
double move1(double x, double dx, double dt);
/* Exact bitwise equality of doubles. */
int same_f64(double a, double b);

/* Temporary directories. */
char* temp_dir(const char* tag);      /* malloc'd path; mkdtemp under /tmp */
void remove_tree(const char* path);

/* Runs fn(arg) in a forked child (for calls that may trap the process). Returns its status;
 * *sig is the signal that killed the child, 0 if none. */
int32_t isolated_call(int32_t (*fn)(void*), void* arg, int* sig);

/* Sleeping without usleep (not in strict C11 + POSIX 2008). */
void sleep_ms(int ms);

/* ---- test groups --------------------------------------------------------------------------- */

void test_diagnostics(void);
void test_roundtrips(void);
void test_world_basics(void);
void test_split_step(void);
void test_store_and_resume(void);
void test_negative_arguments(void);   /* N1-N7 */
void test_negative_epoch(void);       /* N8-N13, N20 */
void test_negative_entities(void);    /* N14-N19 */
void test_negative_arrow(void);       /* N21-N29 */
void test_negative_world(void);       /* N30-N37 */
void test_threads(void);

#endif
