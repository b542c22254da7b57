/* The C example of docs/c-abi.md: a world with one table of movers, two native steps with the
 * movement processor, and a query of the ledger. Built and run by `make c-test`.
 *
 *   cc -std=c11 -I Sources/CArrowABI/include docs/examples/quickstart.c \
 *      -L .build/release -lArchetypeFFI -Wl,-rpath,$PWD/.build/release -o quickstart
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archetype.h"

/* ---- a minimal producer of Arrow structs (what nanoarrow or pyarrow would do for you) ---- */

static void release_schema(struct ArrowSchema* s) {
    for (int64_t i = 0; i < s->n_children; i++) {
        struct ArrowSchema* c = s->children[i];
        if (c->release) c->release(c);
        free(c);
    }
    free(s->children);
    s->release = NULL;
}

/* A "+s" schema whose children are non-nullable float64 fields named `names`. */
static void make_schema(struct ArrowSchema* out, const char* const* names, int n) {
    memset(out, 0, sizeof *out);
    out->format = "+s";
    out->name = "";
    out->n_children = n;
    out->children = calloc((size_t)n, sizeof(struct ArrowSchema*));
    for (int i = 0; i < n; i++) {
        struct ArrowSchema* c = calloc(1, sizeof *c);
        c->format = "g";                  /* float64 */
        c->name = names[i];
        c->flags = 0;                     /* not nullable */
        c->release = release_schema;
        out->children[i] = c;
    }
    out->release = release_schema;
}

static void release_array(struct ArrowArray* a) {
    for (int64_t i = 0; i < a->n_children; i++) {
        struct ArrowArray* c = a->children[i];
        if (c->release) c->release(c);
        free(c);
    }
    if (a->n_children == 0) free((void*)a->buffers[1]);   /* a float64 column's values */
    free(a->children);
    free(a->buffers);
    a->release = NULL;
}

/* A struct array of `n` float64 columns with `rows` rows; column k holds values[k][0..rows). */
static void make_batch(struct ArrowArray* out, const double* const* values, int n, int64_t rows) {
    memset(out, 0, sizeof *out);
    out->length = rows;
    out->n_buffers = 1;
    out->buffers = calloc(1, sizeof(void*));          /* no validity bitmap */
    out->n_children = n;
    out->children = calloc((size_t)n, sizeof(struct ArrowArray*));
    for (int k = 0; k < n; k++) {
        struct ArrowArray* c = calloc(1, sizeof *c);
        double* data = malloc((size_t)rows * sizeof(double));
        memcpy(data, values[k], (size_t)rows * sizeof(double));
        c->length = rows;
        c->n_buffers = 2;
        c->buffers = calloc(2, sizeof(void*));
        c->buffers[1] = data;
        c->release = release_array;
        out->children[k] = c;
    }
    out->release = release_array;
}

/* ---- the example -------------------------------------------------------------------------- */

static int check(int32_t status, const char* what) {
    if (status == ARCT_OK) return 0;
    fprintf(stderr, "%s: %s: %s\n", what, arct_status_name(status), arct_last_error_message());
    return 1;
}

int main(void) {
    static const char* const columns[] = {"position__x", "position__y", "velocity__dx", "velocity__dy"};

    arct_world_options options;
    arct_world_options_init(&options);          /* in-memory store, snappy, fsync */
    options.world_id = "example";
    options.run_id = "run-1";

    arct_world* world = NULL;
    if (check(arct_world_new(&options, &world), "arct_world_new")) return 1;

    /* Register the table with its component fields; the library owns `schema` afterwards. */
    struct ArrowSchema schema;
    make_schema(&schema, columns, 4);
    if (check(arct_world_register_table(world, "movers", &schema, ARCT_REGISTER_COMPONENT_SCHEMA), "register")) return 1;

    /* Spawn three movers. The batch is moved into the library whatever the status. */
    const double x[] = {0, 10, 20}, y[] = {0, 0, 0}, dx[] = {1, 2, 3}, dy[] = {0.5, 0.5, 0.5};
    const double* const values[] = {x, y, dx, dy};
    struct ArrowArray batch;
    struct ArrowSchema batch_schema;
    make_batch(&batch, values, 4, 3);
    make_schema(&batch_schema, columns, 4);
    int32_t ids[3];
    int64_t n_ids = 0;
    if (check(arct_world_spawn(world, "movers", &batch, &batch_schema, ids, 3, &n_ids), "spawn")) return 1;

    arct_processor_spec movement = {
        .struct_size = sizeof movement, .kind = ARCT_PROCESSOR_MOVEMENT, .priority = 10, .dt = 0.5,
    };
    uint64_t processor = 0;
    if (check(arct_world_add_processor(world, &movement, &processor), "add_processor")) return 1;

    /* Tick 0 writes the spawned rows raw; tick 1 moves them. */
    for (int t = 0; t < 2; t++)
        if (check(arct_world_step(world, NULL), "step")) return 1;

    /* Read back the ledger: one stream, owned by the caller, valid after the world is freed. */
    const char* const projection[] = {"entity_id", "tick", "position__x"};
    arct_query query = {
        .struct_size = sizeof query, .flags = ARCT_QUERY_PROJECT, .columns = projection, .n_columns = 3,
    };
    struct ArrowArrayStream stream = {0};
    if (check(arct_world_query(world, "movers", &query, &stream), "query")) return 1;
    if (check(arct_world_free(world), "free")) return 1;

    struct ArrowArray chunk;
    while (stream.get_next(&stream, &chunk) == 0 && chunk.release != NULL) {
        /* Columns may be slices: add each child's own offset. */
        const int32_t* entity = (const int32_t*)chunk.children[0]->buffers[1] + chunk.children[0]->offset;
        const int32_t* tick = (const int32_t*)chunk.children[1]->buffers[1] + chunk.children[1]->offset;
        const double* px = (const double*)chunk.children[2]->buffers[1] + chunk.children[2]->offset;
        for (int64_t i = 0; i < chunk.length; i++)
            printf("entity %d tick %d position__x %g\n", entity[i], tick[i], px[i]);
        chunk.release(&chunk);
    }
    stream.release(&stream);
    return 0;
}
