/* Test framework, release-counting producers and export readers (see harness.h). */
#define _XOPEN_SOURCE 700

#include "harness.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- test framework ------------------------------------------------------------------------ */

_Thread_local const char* t_case = "-";
static long g_checks;
static long g_failures;

long test_checks(void) { return __atomic_load_n(&g_checks, __ATOMIC_SEQ_CST); }
long test_failures(void) { return __atomic_load_n(&g_failures, __ATOMIC_SEQ_CST); }

void check_impl(int ok, const char* file, int line, const char* expr) {
    __atomic_add_fetch(&g_checks, 1, __ATOMIC_SEQ_CST);
    if (!ok) {
        __atomic_add_fetch(&g_failures, 1, __ATOMIC_SEQ_CST);
        fprintf(stderr, "FAIL [%s] %s:%d: %s\n", t_case, file, line, expr);
    }
}

void check_msg_impl(int ok, const char* file, int line, const char* expr, const char* fmt, ...) {
    __atomic_add_fetch(&g_checks, 1, __ATOMIC_SEQ_CST);
    if (!ok) {
        __atomic_add_fetch(&g_failures, 1, __ATOMIC_SEQ_CST);
        char buf[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        fprintf(stderr, "FAIL [%s] %s:%d: %s (%s)\n", t_case, file, line, expr, buf);
    }
}

/* c-abi.md section 5 on the thread's message right after a direct call `arct_xxx(...)`. */
static void check_message_rules(int32_t actual, const char* m, const char* file, int line, const char* expr) {
    if (strncmp(expr, "arct_", 5) != 0) return;                 /* not a direct call */
    if (strncmp(expr, "arct_world_last_error(", 22) == 0) return; /* a diagnostic */
    if (strncmp(expr, "arct_debug_", 11) == 0) return;           /* test hooks */
    char fn[64];
    size_t n = strcspn(expr, "(");
    if (n >= sizeof fn) return;
    memcpy(fn, expr, n);
    fn[n] = 0;
    if (actual == ARCT_OK) {
        check_msg_impl(m == NULL, file, line, "success clears the thread's last error (5.1)", "%s left '%s'", fn,
                       m ? m : "");
        return;
    }
    int ok = m != NULL;
    char why[160] = "";
    if (!m) snprintf(why, sizeof why, "no message after status %d", actual);
    else if (strlen(m) > 4096) snprintf(why, sizeof why, "message of %zu bytes", strlen(m));
    else if (strchr(m, '\n') || strchr(m, '\r')) snprintf(why, sizeof why, "message of more than one line");
    else if (strcmp(fn, "arct_movement_process") != 0 && !(strncmp(m, fn, n) == 0 && strncmp(m + n, ": ", 2) == 0))
        snprintf(why, sizeof why, "message does not start with '%s: '", fn);
    ok = why[0] == 0;
    check_msg_impl(ok, file, line, "failure sets a one-line message '<function>: ...' of <= 4096 bytes (5.1, 5.3)",
                   "%s: %s: '%.200s'", fn, why, m ? m : "");
}

int32_t check_status_impl(int32_t actual, int32_t expected, const char* file, int line, const char* expr) {
    /* Read the thread's message first: nothing else may run on this thread before. */
    const char* m = arct_last_error_message();
    char msg[600];
    snprintf(msg, sizeof msg, "%s", m ? m : "(no message)");
    __atomic_add_fetch(&g_checks, 1, __ATOMIC_SEQ_CST);
    if (actual != expected) {
        __atomic_add_fetch(&g_failures, 1, __ATOMIC_SEQ_CST);
        fprintf(stderr, "FAIL [%s] %s:%d: %s\n      expected %d %s, got %d %s: %s\n", t_case, file, line, expr,
                expected, arct_status_name(expected), actual, arct_status_name(actual), msg);
    }
    check_message_rules(actual, m, file, line, expr);
    return actual;
}

/* ---- trackers ------------------------------------------------------------------------------ */

struct TNode {
    int is_schema;
    int release_calls;      /* atomic */
    void* owned[8];         /* freed at release */
    int n_owned;
    void* bufs[4];          /* data buffers (bufalloc), freed at release */
    int n_bufs;
    int64_t n_kids;
    void** kids;            /* heap child structs, freed at release */
    TNode** kid_t;          /* their trackers (kept) */
    void* dict;             /* heap dictionary struct */
    TNode* dict_t;
};

static pthread_mutex_t g_tn_lock = PTHREAD_MUTEX_INITIALIZER;
static TNode** g_tn;
static size_t g_tn_n, g_tn_cap;
static int64_t g_created, g_release_calls, g_live, g_double;

int64_t tn_created(void) { return __atomic_load_n(&g_created, __ATOMIC_SEQ_CST); }
int64_t tn_release_calls(void) { return __atomic_load_n(&g_release_calls, __ATOMIC_SEQ_CST); }
int64_t tn_live(void) { return __atomic_load_n(&g_live, __ATOMIC_SEQ_CST); }
int64_t tn_double(void) { return __atomic_load_n(&g_double, __ATOMIC_SEQ_CST); }
int tn_release_count(const TNode* t) { return __atomic_load_n(&t->release_calls, __ATOMIC_SEQ_CST); }

static void* xmalloc(size_t n) {
    void* p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    return p;
}

static void* xcalloc(size_t n, size_t size) {
    void* p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    return p;
}

/* Arrow data buffers of the producers: 16 bytes past a 64-byte boundary, the alignment a
 * plain malloc typically gives. Legal input (the C Data Interface does not require 64-byte
 * alignment), and deterministic, so that a library that passes caller buffers through into
 * its exports is caught by the 64-byte alignment check of c-abi.md 4.6 every time. */
#define BUF_SHIFT 16
static void* bufalloc(size_t n, int zero) {
    size_t total = ((n + BUF_SHIFT + 63) / 64) * 64;
    char* base = aligned_alloc(64, total ? total : 64);
    if (!base) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    if (zero) memset(base, 0, total ? total : 64);
    return base + BUF_SHIFT;
}
static void buffree(void* p) {
    if (p) free((char*)p - BUF_SHIFT);
}

static TNode* tn_new(int is_schema) {
    TNode* t = xcalloc(1, sizeof *t);
    t->is_schema = is_schema;
    pthread_mutex_lock(&g_tn_lock);
    if (g_tn_n == g_tn_cap) {
        g_tn_cap = g_tn_cap ? g_tn_cap * 2 : 1024;
        g_tn = realloc(g_tn, g_tn_cap * sizeof *g_tn);
        if (!g_tn) abort();
    }
    g_tn[g_tn_n++] = t;
    pthread_mutex_unlock(&g_tn_lock);
    __atomic_add_fetch(&g_created, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&g_live, 1, __ATOMIC_SEQ_CST);
    return t;
}

static void tn_own(TNode* t, void* p) {
    if (!p) return;
    if (t->n_owned == (int)(sizeof t->owned / sizeof t->owned[0])) abort();
    t->owned[t->n_owned++] = p;
}

size_t tn_mark(void) {
    pthread_mutex_lock(&g_tn_lock);
    size_t n = g_tn_n;
    pthread_mutex_unlock(&g_tn_lock);
    return n;
}

int tn_check_since(size_t mark, const char* what) {
    pthread_mutex_lock(&g_tn_lock);
    size_t end = g_tn_n;
    size_t never = 0, twice = 0;
    for (size_t i = mark; i < end; i++) {
        int c = tn_release_count(g_tn[i]);
        if (c == 0) never++;
        if (c > 1) twice++;
    }
    pthread_mutex_unlock(&g_tn_lock);
    CHECKF(never == 0 && twice == 0, "%s: %zu of %zu producer nodes never released, %zu released more than once",
           what, never, end - mark, twice);
    return never == 0 && twice == 0;
}

static void tn_free_all(void) __attribute__((destructor));
static void tn_free_all(void) {
    for (size_t i = 0; i < g_tn_n; i++) {
        free(g_tn[i]->kid_t);
        free(g_tn[i]->kids);
        free(g_tn[i]);
    }
    free(g_tn);
    g_tn = NULL;
    g_tn_n = g_tn_cap = 0;
}

static int tn_tree_once(const TNode* t) {
    if (!t) return 1;
    int ok = tn_release_count(t) == 1;
    for (int64_t i = 0; i < t->n_kids; i++) ok &= tn_tree_once(t->kid_t[i]);
    ok &= tn_tree_once(t->dict_t);
    return ok;
}

/* Marks a release call; returns 0 if the node was already released. */
static int tn_enter_release(TNode* t) {
    __atomic_add_fetch(&g_release_calls, 1, __ATOMIC_SEQ_CST);
    if (__atomic_add_fetch(&t->release_calls, 1, __ATOMIC_SEQ_CST) > 1) {
        __atomic_add_fetch(&g_double, 1, __ATOMIC_SEQ_CST);
        return 0;
    }
    return 1;
}

static void tn_leave_release(TNode* t) {
    for (int i = 0; i < t->n_owned; i++) free(t->owned[i]);
    t->n_owned = 0;
    for (int i = 0; i < t->n_bufs; i++) buffree(t->bufs[i]);
    t->n_bufs = 0;
    __atomic_sub_fetch(&g_live, 1, __ATOMIC_SEQ_CST);
}

static void rel_schema(struct ArrowSchema* s) {
    TNode* t = s->private_data;
    if (!tn_enter_release(t)) {
        s->release = NULL;
        return;
    }
    for (int64_t i = 0; i < t->n_kids; i++) {
        struct ArrowSchema* c = t->kids[i];
        if (!c) continue;
        if (c->release) c->release(c);
        free(c);
        t->kids[i] = NULL;
    }
    if (t->dict) {
        struct ArrowSchema* d = t->dict;
        if (d->release) d->release(d);
        free(d);
        t->dict = NULL;
    }
    tn_leave_release(t);
    s->release = NULL;
}

static void rel_array(struct ArrowArray* a) {
    TNode* t = a->private_data;
    if (!tn_enter_release(t)) {
        a->release = NULL;
        return;
    }
    for (int64_t i = 0; i < t->n_kids; i++) {
        struct ArrowArray* c = t->kids[i];
        if (!c) continue;
        if (c->release) c->release(c);
        free(c);
        t->kids[i] = NULL;
    }
    if (t->dict) {
        struct ArrowArray* d = t->dict;
        if (d->release) d->release(d);
        free(d);
        t->dict = NULL;
    }
    tn_leave_release(t);
    a->release = NULL;
}

/* A schema node written into dst (heap-allocated if dst is NULL). */
static struct ArrowSchema* sch_make(struct ArrowSchema* dst, const char* format, const char* name, int64_t flags,
                                    int64_t n, struct ArrowSchema* const* kids, TNode** out_t) {
    if (!dst) dst = xmalloc(sizeof *dst);
    TNode* t = tn_new(1);
    char* f = strdup(format);
    char* nm = name ? strdup(name) : NULL;
    tn_own(t, f);
    tn_own(t, nm);
    struct ArrowSchema** ch = NULL;
    t->n_kids = n;
    t->kids = xcalloc((size_t)n, sizeof(void*));
    t->kid_t = xcalloc((size_t)n, sizeof(TNode*));
    if (n > 0) {
        ch = xmalloc((size_t)n * sizeof *ch);
        tn_own(t, ch);
        for (int64_t i = 0; i < n; i++) {
            ch[i] = kids[i];
            t->kids[i] = kids[i];
            t->kid_t[i] = kids[i]->private_data;
        }
    }
    *dst = (struct ArrowSchema){
        .format = f, .name = nm, .metadata = NULL, .flags = flags, .n_children = n,
        .children = ch, .dictionary = NULL, .release = rel_schema, .private_data = t,
    };
    if (out_t) *out_t = t;
    return dst;
}

/* An array node; bufs are bufalloc'd buffers (or NULL) whose ownership passes. */
static struct ArrowArray* arr_make(struct ArrowArray* dst, int64_t length, int64_t null_count, int64_t n_buffers,
                                   void* const* bufs, int64_t n, struct ArrowArray* const* kids, TNode** out_t) {
    if (!dst) dst = xmalloc(sizeof *dst);
    TNode* t = tn_new(0);
    const void** b = xcalloc((size_t)(n_buffers > 0 ? n_buffers : 1), sizeof(void*));
    tn_own(t, (void*)b);
    for (int64_t i = 0; i < n_buffers; i++) {
        b[i] = bufs[i];
        if (bufs[i]) {
            if (t->n_bufs == 4) abort();
            t->bufs[t->n_bufs++] = bufs[i];
        }
    }
    struct ArrowArray** ch = NULL;
    t->n_kids = n;
    t->kids = xcalloc((size_t)n, sizeof(void*));
    t->kid_t = xcalloc((size_t)n, sizeof(TNode*));
    if (n > 0) {
        ch = xmalloc((size_t)n * sizeof *ch);
        tn_own(t, ch);
        for (int64_t i = 0; i < n; i++) {
            ch[i] = kids[i];
            t->kids[i] = kids[i];
            t->kid_t[i] = kids[i]->private_data;
        }
    }
    *dst = (struct ArrowArray){
        .length = length, .null_count = null_count, .offset = 0, .n_buffers = n_buffers,
        .buffers = b, .n_children = n, .children = ch, .dictionary = NULL,
        .release = rel_array, .private_data = t,
    };
    if (out_t) *out_t = t;
    return dst;
}

/* Validity bitmap from one byte per row; NULL when every row is valid. */
static void* make_bitmap(int64_t n, const uint8_t* valid, int64_t* null_count) {
    *null_count = 0;
    if (!valid) return NULL;
    int64_t nulls = 0;
    for (int64_t i = 0; i < n; i++) nulls += valid[i] ? 0 : 1;
    if (nulls == 0) return NULL;
    uint8_t* bm = bufalloc((size_t)((n + 7) / 8), 1);
    for (int64_t i = 0; i < n; i++)
        if (valid[i]) bm[i / 8] |= (uint8_t)(1u << (i % 8));
    *null_count = nulls;
    return bm;
}

static Col col_fixed(const char* name, const char* format, int64_t flags, int64_t n, const void* v, size_t width,
                     const uint8_t* valid) {
    int64_t nulls;
    void* bufs[2];
    bufs[0] = make_bitmap(n, valid, &nulls);
    bufs[1] = bufalloc((size_t)n * width, 1);
    if (v && n > 0) memcpy(bufs[1], v, (size_t)n * width);
    Col c;
    c.s = sch_make(NULL, format, name, flags, 0, NULL, NULL);
    c.a = arr_make(NULL, n, nulls, 2, bufs, 0, NULL, NULL);
    return c;
}

Col col_f64(const char* name, int64_t flags, int64_t n, const double* v, const uint8_t* valid) {
    return col_fixed(name, "g", flags, n, v, sizeof(double), valid);
}
Col col_f32(const char* name, int64_t flags, int64_t n, const float* v, const uint8_t* valid) {
    return col_fixed(name, "f", flags, n, v, sizeof(float), valid);
}
Col col_i32(const char* name, int64_t flags, int64_t n, const int32_t* v, const uint8_t* valid) {
    return col_fixed(name, "i", flags, n, v, sizeof(int32_t), valid);
}
Col col_i64(const char* name, int64_t flags, int64_t n, const int64_t* v, const uint8_t* valid) {
    return col_fixed(name, "l", flags, n, v, sizeof(int64_t), valid);
}
Col col_zero(const char* name, const char* format, int64_t flags, int64_t n, size_t width) {
    return col_fixed(name, format, flags, n, NULL, width, NULL);
}

Col col_bool(const char* name, int64_t flags, int64_t n, const uint8_t* v, const uint8_t* valid) {
    int64_t nulls;
    void* bufs[2];
    bufs[0] = make_bitmap(n, valid, &nulls);
    uint8_t* bits = bufalloc((size_t)((n + 7) / 8), 1);
    for (int64_t i = 0; i < n; i++)
        if (v[i]) bits[i / 8] |= (uint8_t)(1u << (i % 8));
    bufs[1] = bits;
    Col c;
    c.s = sch_make(NULL, "b", name, flags, 0, NULL, NULL);
    c.a = arr_make(NULL, n, nulls, 2, bufs, 0, NULL, NULL);
    return c;
}

Col col_utf8(const char* name, int64_t flags, int64_t n, const char* const* v) {
    uint8_t* valid = xmalloc((size_t)n);
    size_t total = 0;
    for (int64_t i = 0; i < n; i++) {
        valid[i] = v[i] != NULL;
        if (v[i]) total += strlen(v[i]);
    }
    int64_t nulls;
    void* bufs[3];
    bufs[0] = make_bitmap(n, valid, &nulls);
    free(valid);
    int32_t* off = bufalloc((size_t)(n + 1) * sizeof(int32_t), 0);
    char* data = bufalloc(total, 0);
    size_t pos = 0;
    off[0] = 0;
    for (int64_t i = 0; i < n; i++) {
        if (v[i]) {
            size_t l = strlen(v[i]);
            memcpy(data + pos, v[i], l);
            pos += l;
        }
        off[i + 1] = (int32_t)pos;
    }
    bufs[1] = off;
    bufs[2] = data;
    Col c;
    c.s = sch_make(NULL, "u", name, flags, 0, NULL, NULL);
    c.a = arr_make(NULL, n, nulls, 3, bufs, 0, NULL, NULL);
    return c;
}

Col col_utf8_raw(const char* name, int64_t flags, int64_t n, const int32_t* offsets, const char* bytes, size_t nbytes) {
    void* bufs[3];
    bufs[0] = NULL;
    bufs[1] = bufalloc((size_t)(n + 1) * sizeof(int32_t), 0);
    memcpy(bufs[1], offsets, (size_t)(n + 1) * sizeof(int32_t));
    bufs[2] = bufalloc(nbytes, 0);
    if (nbytes) memcpy(bufs[2], bytes, nbytes);
    Col c;
    c.s = sch_make(NULL, "u", name, flags, 0, NULL, NULL);
    c.a = arr_make(NULL, n, 0, 3, bufs, 0, NULL, NULL);
    return c;
}

Col col_list_i32(const char* name, int64_t flags, int64_t n, const int32_t* offsets, int64_t n_values,
                 const int32_t* values) {
    Col item = col_i32("item", ARROW_FLAG_NULLABLE, n_values, values, NULL);
    void* bufs[2];
    bufs[0] = NULL;
    bufs[1] = bufalloc((size_t)(n + 1) * sizeof(int32_t), 0);
    memcpy(bufs[1], offsets, (size_t)(n + 1) * sizeof(int32_t));
    Col c;
    c.s = sch_make(NULL, "+l", name, flags, 1, &item.s, NULL);
    c.a = arr_make(NULL, n, 0, 2, bufs, 1, &item.a, NULL);
    return c;
}

Col col_struct(const char* name, int64_t flags, int64_t n, int n_kids, const Col* kids) {
    struct ArrowSchema* ks[80];
    struct ArrowArray* ka[80];
    if (n_kids > 80) abort();
    for (int i = 0; i < n_kids; i++) {
        ks[i] = kids[i].s;
        ka[i] = kids[i].a;
    }
    void* bufs[1] = {NULL};
    Col c;
    c.s = sch_make(NULL, "+s", name, flags, n_kids, ks, NULL);
    c.a = arr_make(NULL, n, 0, 1, bufs, n_kids, ka, NULL);
    return c;
}

void batch_init(Batch* b, int64_t length, int n_cols, const Col* cols) {
    struct ArrowSchema** ks = xmalloc(sizeof(void*) * (size_t)(n_cols ? n_cols : 1));
    struct ArrowArray** ka = xmalloc(sizeof(void*) * (size_t)(n_cols ? n_cols : 1));
    for (int i = 0; i < n_cols; i++) {
        ks[i] = cols[i].s;
        ka[i] = cols[i].a;
    }
    void* bufs[1] = {NULL};
    sch_make(&b->schema, "+s", "", 0, n_cols, ks, &b->st);
    arr_make(&b->array, length, 0, 1, bufs, n_cols, ka, &b->at);
    free(ks);
    free(ka);
}

void schema_init(SchemaIn* s, int n_fields, struct ArrowSchema* const* fields) {
    sch_make(&s->schema, "+s", "", 0, n_fields, fields, &s->st);
}

struct ArrowSchema* fld(const char* name, const char* format, int64_t flags) {
    return sch_make(NULL, format, name, flags, 0, NULL, NULL);
}

static void put_i32(char* p, int32_t v) { memcpy(p, &v, 4); }

struct ArrowSchema* fld_meta(const char* name, const char* format, int64_t flags, const char* key, const char* value) {
    struct ArrowSchema* f = sch_make(NULL, format, name, flags, 0, NULL, NULL);
    int32_t kl = (int32_t)strlen(key), vl = (int32_t)strlen(value);
    char* m = xmalloc((size_t)(12 + kl + vl));
    put_i32(m, 1);
    put_i32(m + 4, kl);
    memcpy(m + 8, key, (size_t)kl);
    put_i32(m + 8 + kl, vl);
    memcpy(m + 12 + kl, value, (size_t)vl);
    tn_own(f->private_data, m);
    f->metadata = m;
    return f;
}

int meta_is(const char* m, const char* key, const char* value) {
    if (!m) return 0;
    int32_t n, kl, vl;
    memcpy(&n, m, 4);
    if (n != 1) return 0;
    memcpy(&kl, m + 4, 4);
    if (kl != (int32_t)strlen(key) || memcmp(m + 8, key, (size_t)kl) != 0) return 0;
    memcpy(&vl, m + 8 + kl, 4);
    return vl == (int32_t)strlen(value) && memcmp(m + 12 + kl, value, (size_t)vl) == 0;
}

void batch_release(Batch* b) {
    if (b->array.release) b->array.release(&b->array);
    if (b->schema.release) b->schema.release(&b->schema);
}

void schema_release(SchemaIn* s) {
    if (s->schema.release) s->schema.release(&s->schema);
}

int batch_released_once(const Batch* b) { return tn_tree_once(b->at) && tn_tree_once(b->st); }
int schema_released_once(const SchemaIn* s) { return tn_tree_once(s->st); }

void batch_null_array_child(Batch* b, int i) { b->array.children[i] = NULL; }

void batch_add_dictionary(Batch* b, int i) {
    struct ArrowSchema* cs = b->schema.children[i];
    struct ArrowArray* ca = b->array.children[i];
    TNode* ts = cs->private_data;
    TNode* ta = ca->private_data;
    /* dictionary: utf8 values; the child itself becomes int32 indices */
    const char* vals[2] = {"a", "b"};
    Col d = col_utf8("", ARROW_FLAG_NULLABLE, 2, vals);
    cs->dictionary = d.s;
    ca->dictionary = d.a;
    ts->dict = d.s;
    ts->dict_t = d.s->private_data;
    ta->dict = d.a;
    ta->dict_t = d.a->private_data;
}

void batch_replace_col(Batch* b, int i, Col c) {
    TNode* ts = b->st;
    TNode* ta = b->at;
    struct ArrowSchema* os = ts->kids[i];
    struct ArrowArray* oa = ta->kids[i];
    if (os->release) os->release(os);
    free(os);
    if (oa->release) oa->release(oa);
    free(oa);
    ts->kids[i] = c.s;
    ts->kid_t[i] = c.s->private_data;
    ta->kids[i] = c.a;
    ta->kid_t[i] = c.a->private_data;
    b->schema.children[i] = c.s;
    b->array.children[i] = c.a;
}

void batch_pv(Batch* b, int64_t n, const double* x, const double* y, const double* dx, const double* dy, int nullable) {
    int64_t f = nullable ? ARROW_FLAG_NULLABLE : 0;
    Col cols[4] = {
        col_f64("position__x", f, n, x, NULL),
        col_f64("position__y", f, n, y, NULL),
        col_f64("velocity__dx", f, n, dx, NULL),
        col_f64("velocity__dy", f, n, dy, NULL),
    };
    batch_init(b, n, 4, cols);
}

void schema_pv(SchemaIn* s, int nullable) {
    int64_t f = nullable ? ARROW_FLAG_NULLABLE : 0;
    struct ArrowSchema* fs[4] = {
        fld("position__x", "g", f), fld("position__y", "g", f),
        fld("velocity__dx", "g", f), fld("velocity__dy", "g", f),
    };
    schema_init(s, 4, fs);
}

/* ---- producer stream ----------------------------------------------------------------------- */

static void stream_batch(Batch* b, int64_t rows, int k) {
    double* v = xmalloc((size_t)rows * sizeof(double));
    int32_t* id = xmalloc((size_t)rows * sizeof(int32_t));
    for (int64_t i = 0; i < rows; i++) {
        v[i] = (double)k * 100.0 + (double)i + 0.5;
        id[i] = (int32_t)(k * 1000 + i);
    }
    Col cols[2] = {col_i32("id", 0, rows, id, NULL), col_f64("x", ARROW_FLAG_NULLABLE, rows, v, NULL)};
    batch_init(b, rows, 2, cols);
    free(v);
    free(id);
}

static int st_get_schema(struct ArrowArrayStream* st, struct ArrowSchema* out) {
    StreamState* s = st->private_data;
    s->schema_calls++;
    Batch b;
    stream_batch(&b, 0, 0);
    *out = b.schema;
    b.array.release(&b.array);
    return 0;
}

static int st_get_next(struct ArrowArrayStream* st, struct ArrowArray* out) {
    StreamState* s = st->private_data;
    if (s->next >= s->n_batches) {
        memset(out, 0, sizeof *out);
        out->release = NULL;
        return 0;
    }
    Batch b;
    stream_batch(&b, s->rows_per_batch, s->next++);
    *out = b.array;
    b.schema.release(&b.schema);
    return 0;
}

static const char* st_last_error(struct ArrowArrayStream* st) {
    (void)st;
    return NULL;
}

static void st_release(struct ArrowArrayStream* st) {
    StreamState* s = st->private_data;
    s->release_calls++;
    st->release = NULL;
}

void stream_init(struct ArrowArrayStream* st, StreamState* state, int n_batches, int64_t rows) {
    memset(state, 0, sizeof *state);
    state->n_batches = n_batches;
    state->rows_per_batch = rows;
    st->get_schema = st_get_schema;
    st->get_next = st_get_next;
    st->get_last_error = st_last_error;
    st->release = st_release;
    st->private_data = state;
}

/* ---- outputs ------------------------------------------------------------------------------- */

void out_fill(Out* o) {
    memset(o, 0x5A, sizeof *o);
    o->a.release = NULL;
    o->s.release = NULL;
}

int out_untouched(const Out* o) {
    Out ref;
    out_fill(&ref);
    return memcmp(o, &ref, sizeof ref) == 0;
}

void out_release(Out* o) {
    if (o->a.release) o->a.release(&o->a);
    if (o->s.release) o->s.release(&o->s);
}

static int64_t g_fake_release;
static void fake_rel_array(struct ArrowArray* a) {
    (void)a;
    __atomic_add_fetch(&g_fake_release, 1, __ATOMIC_SEQ_CST);
}
static void fake_rel_schema(struct ArrowSchema* s) {
    (void)s;
    __atomic_add_fetch(&g_fake_release, 1, __ATOMIC_SEQ_CST);
}
static void fake_rel_stream(struct ArrowArrayStream* s) {
    (void)s;
    __atomic_add_fetch(&g_fake_release, 1, __ATOMIC_SEQ_CST);
}
int64_t fake_release_calls(void) { return __atomic_load_n(&g_fake_release, __ATOMIC_SEQ_CST); }

void out_fake_nonempty(Out* o) {
    out_fill(o);
    o->a.release = fake_rel_array;
    o->s.release = fake_rel_schema;
}

void stream_fake_nonempty(struct ArrowArrayStream* st) {
    memset(st, 0x5A, sizeof *st);
    st->release = fake_rel_stream;
}

/* ---- readers ------------------------------------------------------------------------------- */

int ex_find(const struct ArrowSchema* s, const char* name) {
    for (int64_t i = 0; i < s->n_children; i++)
        if (s->children[i]->name && strcmp(s->children[i]->name, name) == 0) return (int)i;
    return -1;
}

int64_t ex_len(const struct ArrowArray* a) { return a->length; }

static int64_t ex_index(const struct ArrowArray* top, int col, int64_t row, const struct ArrowArray** child) {
    *child = top->children[col];
    return top->offset + row + (*child)->offset;
}

int ex_valid(const struct ArrowArray* top, int col, int64_t row) {
    const struct ArrowArray* c;
    int64_t i = ex_index(top, col, row, &c);
    if (c->n_buffers < 1 || !c->buffers[0]) return 1;
    const uint8_t* bm = c->buffers[0];
    return (bm[i / 8] >> (i % 8)) & 1;
}

double ex_f64(const struct ArrowArray* top, int col, int64_t row) {
    const struct ArrowArray* c;
    int64_t i = ex_index(top, col, row, &c);
    return ((const double*)c->buffers[1])[i];
}

float ex_f32(const struct ArrowArray* top, int col, int64_t row) {
    const struct ArrowArray* c;
    int64_t i = ex_index(top, col, row, &c);
    return ((const float*)c->buffers[1])[i];
}

int32_t ex_i32(const struct ArrowArray* top, int col, int64_t row) {
    const struct ArrowArray* c;
    int64_t i = ex_index(top, col, row, &c);
    return ((const int32_t*)c->buffers[1])[i];
}

int64_t ex_i64(const struct ArrowArray* top, int col, int64_t row) {
    const struct ArrowArray* c;
    int64_t i = ex_index(top, col, row, &c);
    return ((const int64_t*)c->buffers[1])[i];
}

int ex_bool(const struct ArrowArray* top, int col, int64_t row) {
    const struct ArrowArray* c;
    int64_t i = ex_index(top, col, row, &c);
    const uint8_t* bits = c->buffers[1];
    return (bits[i / 8] >> (i % 8)) & 1;
}

int64_t ex_str(const struct ArrowArray* top, int col, int64_t row, char* buf, size_t cap) {
    const struct ArrowArray* c;
    int64_t i = ex_index(top, col, row, &c);
    const int32_t* off = c->buffers[1];
    const char* data = c->buffers[2];
    int64_t len = off[i + 1] - off[i];
    if (cap > 0) {
        size_t n = (size_t)len < cap - 1 ? (size_t)len : cap - 1;
        if (n) memcpy(buf, data + off[i], n);
        buf[n] = 0;
    }
    return len;
}

int ex_str_eq(const struct ArrowArray* top, int col, int64_t row, const char* s) {
    char buf[512];
    int64_t len = ex_str(top, col, row, buf, sizeof buf);
    return len == (int64_t)strlen(s) && strcmp(buf, s) == 0;
}

static int64_t count_nulls(const uint8_t* bm, int64_t offset, int64_t length) {
    int64_t n = 0;
    for (int64_t i = offset; i < offset + length; i++) n += ((bm[i / 8] >> (i % 8)) & 1) ? 0 : 1;
    return n;
}

/* Misaligned buffers of the export being checked ("column[buffer], ..."). */
static _Thread_local char g_misaligned[1024];

static int props_node(const struct ArrowArray* a, const struct ArrowSchema* s, const char* what, int depth) {
    int bad = 0;
    const char* name = s->name ? s->name : "?";
    if (a->null_count < 0) {
        fprintf(stderr, "      %s: column %s: null_count %lld is not exact\n", what, name, (long long)a->null_count);
        bad++;
    }
    if (a->dictionary || s->dictionary) {
        fprintf(stderr, "      %s: column %s has a dictionary\n", what, name);
        bad++;
    }
    if (a->n_buffers > 0 && a->buffers) {
        if (a->buffers[0] && a->null_count >= 0 && count_nulls(a->buffers[0], a->offset, a->length) != a->null_count) {
            fprintf(stderr, "      %s: column %s: null_count %lld differs from the bitmap\n", what, name, (long long)a->null_count);
            bad++;
        }
        if (!a->buffers[0] && a->null_count > 0) {
            fprintf(stderr, "      %s: column %s: nulls without a bitmap\n", what, name);
            bad++;
        }
        for (int64_t i = 0; i < a->n_buffers; i++) {
            if (a->buffers[i] && ((uintptr_t)a->buffers[i] % 64) != 0) {
                char item[128];
                snprintf(item, sizeof item, "%s%s[%lld]", g_misaligned[0] ? ", " : "", name, (long long)i);
                strncat(g_misaligned, item, sizeof g_misaligned - strlen(g_misaligned) - 1);
            }
        }
    }
    if (a->n_children != s->n_children) {
        fprintf(stderr, "      %s: column %s: n_children %lld vs schema %lld\n", what, name, (long long)a->n_children,
                (long long)s->n_children);
        return bad + 1;
    }
    for (int64_t i = 0; i < a->n_children; i++) bad += props_node(a->children[i], s->children[i], what, depth + 1);
    return bad;
}

/* Counts 4.6 problems (printed) and collects misaligned buffers into g_misaligned. */
static int export_props(const struct ArrowArray* a, const struct ArrowSchema* s, const char* what);

int check_export_props(const struct ArrowArray* a, const struct ArrowSchema* s, const char* what) {
    g_misaligned[0] = 0;
    int bad = export_props(a, s, what);
    CHECKF(bad == 0, "%s: %d export property problem(s) (c-abi.md 4.6)", what, bad);
    /* 4.6: "buffers 64-byte aligned" (checked separately: it fails when a library passes the
     * caller's buffers through without copying) */
    CHECKF(g_misaligned[0] == 0, "4.6 alignment: %s: buffers not 64-byte aligned: %s", what, g_misaligned);
    return bad + (g_misaligned[0] != 0);
}

int check_stream_props(const Coll* c, const char* what) {
    g_misaligned[0] = 0;
    int bad = 0;
    for (int i = 0; i < c->n; i++) {
        bad += export_props(&c->batches[i], &c->schema, what);
        if (c->batches[i].length == 0) {
            fprintf(stderr, "      %s: batch %d has zero rows (8.8: zero-row batches are not emitted)\n", what, i);
            bad++;
        }
    }
    CHECKF(bad == 0, "%s: %d export property problem(s) in %d batches (c-abi.md 4.6, 8.8)", what, bad, c->n);
    CHECKF(g_misaligned[0] == 0, "4.6 alignment: %s: buffers not 64-byte aligned: %s", what, g_misaligned);
    return bad + (g_misaligned[0] != 0);
}

static int export_props(const struct ArrowArray* a, const struct ArrowSchema* s, const char* what) {
    int bad = 0;
    if (!a->release || !s->release) {
        fprintf(stderr, "      %s: export not written\n", what);
        return 1;
    }
    if (strcmp(s->format, "+s") != 0) {
        fprintf(stderr, "      %s: top-level format %s\n", what, s->format);
        bad++;
    }
    if (a->offset != 0) {
        fprintf(stderr, "      %s: top-level offset %lld\n", what, (long long)a->offset);
        bad++;
    }
    if (a->n_buffers != 1 || (a->buffers && a->buffers[0])) {
        fprintf(stderr, "      %s: top-level validity buffer present or n_buffers %lld\n", what, (long long)a->n_buffers);
        bad++;
    }
    if (a->null_count != 0) {
        fprintf(stderr, "      %s: top-level null_count %lld\n", what, (long long)a->null_count);
        bad++;
    }
    if (s->metadata) {
        fprintf(stderr, "      %s: top-level schema metadata present\n", what);
        bad++;
    }
    bad += props_node(a, s, what, 0);
    return bad;
}

int ex_field_is(const struct ArrowSchema* s, int i, const char* name, const char* format, int nullable) {
    if (i < 0 || i >= s->n_children) return 0;
    const struct ArrowSchema* c = s->children[i];
    int ok = c->name && strcmp(c->name, name) == 0 && strcmp(c->format, format) == 0 &&
             (((c->flags & ARROW_FLAG_NULLABLE) != 0) == (nullable != 0));
    if (!ok)
        fprintf(stderr, "      field %d: got %s:%s%s, expected %s:%s%s\n", i, c->name ? c->name : "(null)", c->format,
                (c->flags & ARROW_FLAG_NULLABLE) ? "?" : "", name, format, nullable ? "?" : "");
    return ok;
}

int check_table_schema(const struct ArrowSchema* s, int n, const FieldSpec* comps, const char* what) {
    int ok = s->n_children == 5 + n;
    CHECKF(ok, "%s: %lld fields, expected %d", what, (long long)s->n_children, 5 + n);
    if (!ok) return 0;
    ok &= ex_field_is(s, 0, "world_id", "u", 0);
    ok &= ex_field_is(s, 1, "run_id", "u", 0);
    ok &= ex_field_is(s, 2, "entity_id", "i", 0);
    ok &= ex_field_is(s, 3, "tick", "i", 0);
    ok &= ex_field_is(s, 4, "is_active", "b", 0);
    for (int i = 0; i < n; i++) ok &= ex_field_is(s, 5 + i, comps[i].name, comps[i].format, comps[i].nullable);
    CHECKF(ok, "%s: table schema", what);
    return ok;
}

void batch_from_export(Batch* out, const struct ArrowArray* a, const struct ArrowSchema* s, const CopyMods* mods) {
    int64_t n = a->length;
    if (mods && mods->drop_last_row && n > 0) n--;
    int nc = (int)s->n_children;
    Col* cols = xcalloc((size_t)(nc ? nc : 1), sizeof(Col));
    uint8_t* valid = xmalloc((size_t)(n ? n : 1));
    for (int i = 0; i < nc; i++) {
        const struct ArrowSchema* cs = s->children[i];
        const char* name = cs->name;
        if (mods && mods->rename_col == i) name = mods->rename_to;
        for (int64_t r = 0; r < n; r++) valid[r] = (uint8_t)ex_valid(a, i, r);
        const char* f = cs->format;
        if (strcmp(f, "u") == 0) {
            char** v = xcalloc((size_t)(n ? n : 1), sizeof(char*));
            for (int64_t r = 0; r < n; r++) {
                if (!valid[r]) continue;
                char buf[512];
                ex_str(a, i, r, buf, sizeof buf);
                v[r] = strdup(buf);
            }
            cols[i] = col_utf8(name, cs->flags, n, (const char* const*)v);
            for (int64_t r = 0; r < n; r++) free(v[r]);
            free(v);
        } else if (strcmp(f, "i") == 0) {
            int32_t* v = xcalloc((size_t)(n ? n : 1), sizeof(int32_t));
            for (int64_t r = 0; r < n; r++) v[r] = ex_i32(a, i, r);
            cols[i] = col_i32(name, cs->flags, n, v, valid);
            free(v);
        } else if (strcmp(f, "l") == 0) {
            int64_t* v = xcalloc((size_t)(n ? n : 1), sizeof(int64_t));
            for (int64_t r = 0; r < n; r++) v[r] = ex_i64(a, i, r);
            cols[i] = col_i64(name, cs->flags, n, v, valid);
            free(v);
        } else if (strcmp(f, "b") == 0) {
            uint8_t* v = xcalloc((size_t)(n ? n : 1), 1);
            for (int64_t r = 0; r < n; r++) v[r] = (uint8_t)ex_bool(a, i, r);
            cols[i] = col_bool(name, cs->flags, n, v, valid);
            free(v);
        } else if (strcmp(f, "g") == 0 && !(mods && mods->cast_col == i)) {
            double* v = xcalloc((size_t)(n ? n : 1), sizeof(double));
            for (int64_t r = 0; r < n; r++) v[r] = ex_f64(a, i, r);
            cols[i] = col_f64(name, cs->flags, n, v, valid);
            free(v);
        } else if (strcmp(f, "g") == 0 || strcmp(f, "f") == 0) {
            float* v = xcalloc((size_t)(n ? n : 1), sizeof(float));
            for (int64_t r = 0; r < n; r++) v[r] = strcmp(f, "g") == 0 ? (float)ex_f64(a, i, r) : ex_f32(a, i, r);
            cols[i] = col_f32(name, cs->flags, n, v, valid);
            free(v);
        } else {
            fprintf(stderr, "batch_from_export: unsupported format %s\n", f);
            abort();
        }
    }
    batch_init(out, n, nc, cols);
    free(valid);
    free(cols);
}

void* batch_buf(Batch* b, int col, int buf) { return (void*)b->array.children[col]->buffers[buf]; }

/* ---- query streams ------------------------------------------------------------------------- */

int coll_read(struct ArrowArrayStream* st, Coll* c) {
    memset(c, 0, sizeof *c);
    /* get_schema may be called more than once */
    struct ArrowSchema extra;
    memset(&extra, 0, sizeof extra);
    if (st->get_schema(st, &extra) == 0 && extra.release) extra.release(&extra);
    int rc = st->get_schema(st, &c->schema);
    if (rc != 0) {
        c->err = rc;
        st->release(st);
        return rc;
    }
    for (;;) {
        struct ArrowArray arr;
        memset(&arr, 0, sizeof arr);
        rc = st->get_next(st, &arr);
        if (rc != 0) {
            c->err = rc;
            const char* e = st->get_last_error ? st->get_last_error(st) : NULL;
            snprintf(c->last_error, sizeof c->last_error, "%s", e ? e : "");
            break;
        }
        if (!arr.release) break;
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 16;
            c->batches = realloc(c->batches, (size_t)c->cap * sizeof *c->batches);
            if (!c->batches) abort();
        }
        c->batches[c->n++] = arr;
        c->rows += arr.length;
    }
    st->release(st);
    return c->err;
}

void coll_free(Coll* c) {
    for (int i = 0; i < c->n; i++)
        if (c->batches[i].release) c->batches[i].release(&c->batches[i]);
    free(c->batches);
    if (c->schema.release) c->schema.release(&c->schema);
    memset(c, 0, sizeof *c);
}

const struct ArrowArray* coll_at(const Coll* c, int64_t row, int64_t* r) {
    for (int i = 0; i < c->n; i++) {
        if (row < c->batches[i].length) {
            *r = row;
            return &c->batches[i];
        }
        row -= c->batches[i].length;
    }
    return NULL;
}

int coll_col(const Coll* c, const char* name) { return c->schema.release ? ex_find(&c->schema, name) : -1; }

#define COLL_GET(T, fn, zero)                                    \
    int64_t r;                                                   \
    int k = coll_col(c, name);                                   \
    const struct ArrowArray* b = coll_at(c, row, &r);            \
    if (k < 0 || !b) {                                           \
        CHECKF(0, "no column %s or row %lld", name, (long long)row); \
        return zero;                                             \
    }                                                            \
    return fn(b, k, r)

double coll_f64(const Coll* c, const char* name, int64_t row) { COLL_GET(double, ex_f64, 0.0); }
int32_t coll_i32(const Coll* c, const char* name, int64_t row) { COLL_GET(int32_t, ex_i32, 0); }
int coll_bool(const Coll* c, const char* name, int64_t row) { COLL_GET(int, ex_bool, 0); }
int coll_valid(const Coll* c, const char* name, int64_t row) { COLL_GET(int, ex_valid, 0); }

int coll_str_eq(const Coll* c, const char* name, int64_t row, const char* s) {
    int64_t r;
    int k = coll_col(c, name);
    const struct ArrowArray* b = coll_at(c, row, &r);
    if (k < 0 || !b) return 0;
    return ex_str_eq(b, k, r, s);
}

int32_t query_collect(arct_world* w, const char* table, const arct_query* q, Coll* c) {
    memset(c, 0, sizeof *c);
    struct ArrowArrayStream st;
    memset(&st, 0, sizeof st);
    int32_t status = arct_world_query(w, table, q, &st);
    if (status != ARCT_OK) return status;
    CHECKF(st.release != NULL, "query stream for %s written", table);
    if (!st.release) return status;
    int rc = coll_read(&st, c);
    CHECKF(rc == 0, "query stream of %s: get_schema/get_next error %d", table, rc);
    CHECK(st.release == NULL);
    char what[300];
    snprintf(what, sizeof what, "query stream of %s", table);
    if (rc == 0) check_stream_props(c, what);
    return status;
}

/* ---- worlds -------------------------------------------------------------------------------- */

void opts_init(arct_world_options* o, const char* world_id, const char* run_id, const char* root, const char* ns) {
    arct_world_options_init(o);
    o->world_id = world_id;
    o->run_id = run_id;
    o->store_root = root;
    o->store_namespace = ns;
    o->durability = ARCT_DURABILITY_NO_FSYNC;
}

arct_world* world_make(const char* world_id, const char* run_id, const char* root, const char* ns) {
    arct_world_options o;
    opts_init(&o, world_id, run_id, root, ns);
    arct_world* w = NULL;
    if (CHECK_OK(arct_world_new(&o, &w)) != ARCT_OK) return NULL;
    CHECK(w != NULL);
    return w;
}

int32_t world_tick(arct_world* w) {
    int32_t t = -1;
    if (arct_world_tick(w, &t) != ARCT_OK) return -1;
    return t;
}

int32_t world_info(arct_world* w, arct_world_info* info) {
    memset(info, 0, sizeof *info);
    info->struct_size = sizeof *info;
    return arct_world_get_info(w, info);
}

int32_t register_pv(arct_world* w, const char* table, int nullable) {
    SchemaIn s;
    schema_pv(&s, nullable);
    int32_t st = arct_world_register_table(w, table, &s.schema, ARCT_REGISTER_COMPONENT_SCHEMA);
    CHECK(s.schema.release == NULL);
    return st;
}

int32_t spawn_pv(arct_world* w, const char* table, int64_t n, double base, int32_t* ids) {
    double* x = xmalloc((size_t)(n ? n : 1) * sizeof(double) * 4);
    double *y = x + n, *dx = x + 2 * n, *dy = x + 3 * n;
    for (int64_t i = 0; i < n; i++) {
        x[i] = base + (double)i;
        y[i] = 2.0 * base + (double)i;
        dx[i] = 0.5 + (double)i;
        dy[i] = -0.25 * (double)i;
    }
    Batch b;
    batch_pv(&b, n, x, y, dx, dy, 0);
    free(x);
    int32_t local[64];
    int32_t* out = ids ? ids : (n <= 64 ? local : NULL);
    int32_t* heap = NULL;
    if (!out) out = heap = xmalloc((size_t)n * sizeof(int32_t));
    int64_t got = -1;
    int32_t st = arct_world_spawn(w, table, &b.array, &b.schema, out, n, &got);
    CHECK(b.array.release == NULL && b.schema.release == NULL);
    if (st == ARCT_OK) CHECK(got == n);
    free(heap);
    return st;
}

int32_t add_movement(arct_world* w, double dt, int32_t priority, uint64_t* id) {
    arct_processor_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.struct_size = sizeof spec;
    spec.kind = ARCT_PROCESSOR_MOVEMENT;
    spec.priority = priority;
    spec.dt = dt;
    spec.label = "movement";
    uint64_t local = 0;
    return arct_world_add_processor(w, &spec, id ? id : &local);
}

double move1(double x, double dx, double dt) {
    volatile double p = dx * dt;
    volatile double r = x + p;
    return r;
}

int same_f64(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

char* temp_dir(const char* tag) {
    char tmpl[256];
    snprintf(tmpl, sizeof tmpl, "/tmp/arct-cabi-%s-XXXXXX", tag);
    char* p = mkdtemp(tmpl);
    if (!p) {
        perror("mkdtemp");
        abort();
    }
    return strdup(p);
}

static int rm_one(const char* path, const struct stat* sb, int flag, struct FTW* ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void remove_tree(const char* path) {
    if (path) nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int32_t isolated_call(int32_t (*fn)(void*), void* arg, int* sig) {
    *sig = 0;
    int fds[2];
    if (pipe(fds) != 0) return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(fds[0]);
        int32_t st = fn(arg);
        if (write(fds[1], &st, sizeof st) != (ssize_t)sizeof st) _exit(3);
        _exit(0);
    }
    close(fds[1]);
    int32_t st = -1;
    if (read(fds[0], &st, sizeof st) != (ssize_t)sizeof st) st = -1;
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) *sig = WTERMSIG(status);
    return st;
}
