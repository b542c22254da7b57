/* Archetype native library: the C ABI (version 2).
 *
 * The normative contract is c-abi.md; docs/c-abi.md is the user guide. Every function that can
 * fail returns an int32_t status (ARCT_OK or ARCT_ERR_*); Arrow inputs are moved into the
 * library whatever the status, Arrow outputs are written only on success.
 *
 * It declares exactly the functions that the library exports: the complete list of c-abi.md
 * section 7, plus the additions at the end (docs/decisions.md). */
#ifndef ARCHETYPE_H
#define ARCHETYPE_H

#include <stddef.h>
#include <stdint.h>

#include "arrow_c_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ARCT_ABI_VERSION 2u
#define ARCT_NAME_MAX    255   /* bytes, excluding the terminating NUL */

/* status codes */
#define ARCT_OK                          0
#define ARCT_ERR_ARROW                   1
#define ARCT_ERR_INTERNAL                2
#define ARCT_ERR_NULL_POINTER            3
#define ARCT_ERR_OUTPUT_NOT_EMPTY        4
#define ARCT_ERR_INVALID_UTF8            5
#define ARCT_ERR_BAD_HANDLE              6
#define ARCT_ERR_ABI_VERSION             7
#define ARCT_ERR_INVALID_ARGUMENT        8
#define ARCT_ERR_STEP_ALREADY_IN_FLIGHT  100
#define ARCT_ERR_NO_STEP_IN_FLIGHT       101
#define ARCT_ERR_STEP_TABLE_MISMATCH     102
#define ARCT_ERR_PARTIAL_TICK            103
#define ARCT_ERR_MUTATION_DURING_STEP    104
#define ARCT_ERR_UNKNOWN_TABLE           150
#define ARCT_ERR_TABLE_NOT_ACTIVE        151
#define ARCT_ERR_UNKNOWN_ENTITY          152
#define ARCT_ERR_ID_ALREADY_REGISTERED   153
#define ARCT_ERR_INVALID_NAME            154
#define ARCT_ERR_ID_OVERFLOW             155
#define ARCT_ERR_RUN_EXISTS              156
#define ARCT_ERR_STORE_READ              200
#define ARCT_ERR_STORE_APPEND            201
#define ARCT_ERR_BUFFER_STATE            250
#define ARCT_ERR_SCHEMA_MISMATCH         300
#define ARCT_ERR_METADATA_COLUMN         301
#define ARCT_ERR_PROCESSOR_CONTRACT      302
#define ARCT_ERR_WORLD_BUSY              351

typedef struct arct_world arct_world;       /* opaque token */

/* Parquet codec and durability (world options) */
#define ARCT_CODEC_SNAPPY         0         /* default */
#define ARCT_CODEC_NONE           1
#define ARCT_CODEC_ZSTD           2
#define ARCT_CODEC_GZIP           3
#define ARCT_DURABILITY_FSYNC     0         /* default: fsync file, rename, fsync directory */
#define ARCT_DURABILITY_NO_FSYNC  1         /* rename still atomic, no fsync */

typedef struct arct_world_options {         /* 56 bytes */
    uint32_t    struct_size;                /* sizeof(arct_world_options) */
    uint32_t    abi_version;                /* ARCT_ABI_VERSION */
    const char* world_id;                   /* required */
    const char* run_id;                     /* required */
    const char* store_root;                 /* NULL: in-memory store */
    const char* store_namespace;            /* NULL: "default" */
    int32_t     codec;                      /* ARCT_CODEC_* */
    int32_t     codec_level;                /* 0: codec default; zstd 1..22, gzip 1..9 */
    int32_t     durability;                 /* ARCT_DURABILITY_* */
    uint32_t    flags;                      /* must be 0 */
} arct_world_options;

/* table registration flags */
#define ARCT_REGISTER_COMPONENT_SCHEMA  0u  /* schema = component fields only */
#define ARCT_REGISTER_FULL_SCHEMA       1u  /* schema = 5 base fields, then component fields */

/* native processor kinds */
#define ARCT_PROCESSOR_MOVEMENT  1

typedef struct arct_processor_spec {        /* 32 bytes */
    uint32_t    struct_size;
    int32_t     kind;                       /* ARCT_PROCESSOR_* */
    int32_t     priority;                   /* ascending order; movement's customary value is 10 */
    uint32_t    flags;                      /* must be 0 */
    double      dt;                         /* movement: finite */
    const char* label;                      /* optional, for messages; NULL: kind name */
} arct_processor_spec;

typedef struct arct_table_profile {         /* 320 bytes */
    char    table_name[ARCT_NAME_MAX + 1];  /* NUL-terminated */
    double  read_prior_sec;
    double  materialize_sec;
    double  process_sec;
    double  append_sec;
    double  live_snapshot_sec;
    double  table_sec;
    int64_t rows_prior;                     /* rows handed to processors */
    int64_t rows_appended;                  /* rows published for this table (0: nothing appended) */
} arct_table_profile;

typedef struct arct_step_profile {          /* 40 bytes */
    uint32_t            struct_size;
    int32_t             tick;               /* out: the tick produced */
    double              tick_sec;           /* out: whole tick */
    int64_t             n_tables;           /* out: tables stepped (may exceed tables_cap) */
    int64_t             tables_cap;         /* in: entries available at tables */
    arct_table_profile* tables;             /* in: caller array; NULL allowed when tables_cap == 0 */
} arct_step_profile;

/* query flags */
#define ARCT_QUERY_FILTER_TICKS       (1u << 0)
#define ARCT_QUERY_FILTER_ENTITY_IDS  (1u << 1)
#define ARCT_QUERY_ACTIVE_ONLY        (1u << 2)
#define ARCT_QUERY_PROJECT            (1u << 3)

typedef struct arct_query {                 /* 72 bytes */
    uint32_t           struct_size;
    uint32_t           flags;               /* ARCT_QUERY_*; other bits must be 0 */
    const char*        world_id;            /* NULL: this world's world id */
    const char*        run_id;              /* NULL: this world's run id */
    const int32_t*     ticks;               /* read iff FILTER_TICKS; NULL allowed when n_ticks == 0 */
    int64_t            n_ticks;
    const int32_t*     entity_ids;          /* read iff FILTER_ENTITY_IDS */
    int64_t            n_entity_ids;
    const char* const* columns;             /* read iff PROJECT */
    int64_t            n_columns;
} arct_query;

/* world states */
#define ARCT_WORLD_READY       0u
#define ARCT_WORLD_EPOCH_OPEN  1u
#define ARCT_WORLD_POISONED    2u

typedef struct arct_world_info {            /* 304 bytes */
    uint32_t struct_size;
    uint32_t state;                          /* ARCT_WORLD_* */
    int32_t  tick;                           /* next tick to produce */
    int32_t  poisoned_tick;                  /* valid iff state == POISONED */
    int64_t  next_entity_id;                 /* next auto id; INT32_MAX + 1 when exhausted */
    int64_t  n_entities;                     /* registered entities */
    int64_t  n_tables;                       /* registered tables */
    int64_t  poisoned_committed_tables;      /* valid iff state == POISONED */
    char     last_failed_table[ARCT_NAME_MAX + 1]; /* table of the last failed step/commit, "" if none */
} arct_world_info;

/* ---- library and diagnostics ------------------------------------------------------------ */

/* Returns ARCT_ABI_VERSION. Never fails; does not touch the last error. */
uint32_t    arct_ffi_version(void);
/* The constant name of a status ("ARCT_ERR_UNKNOWN_STATUS" for unknown codes). Static. */
const char* arct_status_name(int32_t status);
/* The calling thread's last error message, or NULL. Borrowed until the next call on this thread. */
const char* arct_last_error_message(void);
/* Clears the calling thread's last error. */
void        arct_clear_last_error(void);
/* Zero-fills *options and sets struct_size and abi_version. NULL is ignored. */
void        arct_world_options_init(arct_world_options* options);

/* ---- world lifecycle and inspection ------------------------------------------------------ */

/* Creates a world for a new run (RUN_EXISTS if the store holds rows of this world and run). */
int32_t arct_world_new(const arct_world_options* options, arct_world** out_world);
/* Creates or resumes a run from the store (store_root required). */
int32_t arct_world_open(const arct_world_options* options, arct_world** out_world);
/* Destroys the world; WORLD_BUSY while another call on it runs. Exports and streams stay valid. */
int32_t arct_world_free(arct_world* world);
/* Copies the world's most recent failure (status 0 and "" if none). A diagnostic. */
int32_t arct_world_last_error(arct_world* world, int32_t* out_status,
                              char* buf, size_t buf_len, size_t* out_len);
int32_t arct_world_get_info(arct_world* world, arct_world_info* out_info);
int32_t arct_world_tick(arct_world* world, int32_t* out_tick);
/* One batch: table_name utf8 not null (the active tables of the current tick, sorted). */
int32_t arct_world_active_tables(arct_world* world,
                                 struct ArrowArray* out_array, struct ArrowSchema* out_schema);
/* One batch: table_name, active, committed, n_entities (every registered table, sorted). */
int32_t arct_world_tables(arct_world* world,
                          struct ArrowArray* out_array, struct ArrowSchema* out_schema);
/* One batch: entity_id int32, table_name utf8 (every registered entity, sorted by id). */
int32_t arct_world_entities(arct_world* world,
                            struct ArrowArray* out_array, struct ArrowSchema* out_schema);

/* ---- tables -------------------------------------------------------------------------------- */

int32_t arct_world_register_table(arct_world* world, const char* table,
                                  struct ArrowSchema* schema, uint32_t flags);

/* ---- mutations (staged; applied at the next step) ------------------------------------------ */

int32_t arct_world_spawn(arct_world* world, const char* table,
                         struct ArrowArray* batch, struct ArrowSchema* batch_schema,
                         int32_t* out_ids, int64_t out_ids_cap, int64_t* out_n_ids);
int32_t arct_world_reserve_ids(arct_world* world, int64_t n, int32_t* out_first_id);
int32_t arct_world_spawn_with_ids(arct_world* world, const char* table,
                                  struct ArrowArray* batch, struct ArrowSchema* batch_schema,
                                  const int32_t* ids, int64_t n_ids);
int32_t arct_world_despawn(arct_world* world, const int32_t* ids, int64_t n_ids);
int32_t arct_world_update(arct_world* world,
                          struct ArrowArray* patch, struct ArrowSchema* patch_schema);
int32_t arct_world_migrate(arct_world* world, const char* to_table, struct ArrowSchema* to_schema,
                           struct ArrowArray* values, struct ArrowSchema* values_schema,
                           const int32_t* ids, int64_t n_ids);
int32_t arct_world_migrate_rows(arct_world* world, const char* to_table, struct ArrowSchema* to_schema,
                                struct ArrowArray* rows, struct ArrowSchema* rows_schema,
                                const int32_t* ids, int64_t n_ids);

/* ---- native processors --------------------------------------------------------------------- */

int32_t arct_world_add_processor(arct_world* world, const arct_processor_spec* spec,
                                 uint64_t* out_processor_id);
int32_t arct_world_remove_processor(arct_world* world, uint64_t processor_id);
/* Runs one native processor on one batch, with no world (strict: missing column -> 300). */
int32_t arct_processor_apply(const arct_processor_spec* spec,
                             struct ArrowArray* in_array, struct ArrowSchema* in_schema,
                             struct ArrowArray* out_array, struct ArrowSchema* out_schema,
                             int32_t tick);

/* ---- stepping ------------------------------------------------------------------------------ */

/* One complete tick with the world's native processors; profile may be NULL. */
int32_t arct_world_step(arct_world* world, arct_step_profile* profile);
/* Split step: exports the table's prior batch for the open tick (despawns applied). */
int32_t arct_step_begin(arct_world* world, const char* table,
                        struct ArrowArray* out_array, struct ArrowSchema* out_schema);
/* Split step: takes the processed batch (moved); *out_tick_done = 1 when the tick completed. */
int32_t arct_step_commit(arct_world* world, const char* table,
                         struct ArrowArray* processed_array, struct ArrowSchema* processed_schema,
                         int32_t* out_tick_done);
/* Split step: abandons the open epoch (table may be NULL). */
int32_t arct_step_abort(arct_world* world, const char* table);

/* ---- reads --------------------------------------------------------------------------------- */

/* Committed rows of one table as a stream (query may be NULL: all rows of this run). */
int32_t arct_world_query(arct_world* world, const char* table, const arct_query* query,
                         struct ArrowArrayStream* out_stream);

/* ---- version-1 compatibility --------------------------------------------------------------- */

/* Validates and imports a record batch (top-level "+s", moved), and exports the same batch. */
int32_t arct_record_batch_roundtrip(struct ArrowArray* in_array, struct ArrowSchema* in_schema,
                                    struct ArrowArray* out_array, struct ArrowSchema* out_schema);
/* Applies the movement kernel once (position += velocity * dt). `tick` is ignored. */
int32_t arct_movement_process(struct ArrowArray* in_array, struct ArrowSchema* in_schema,
                              struct ArrowArray* out_array, struct ArrowSchema* out_schema,
                              double dt, int32_t tick);

/* ---- additions (non-breaking, c-abi.md section 2 item 3; see docs/decisions.md) ------------ */

/* Consumes a stream of record batches completely (moved in) and returns a stream of the same
 * batches, validated and re-exported by the library. */
int32_t arct_stream_roundtrip(struct ArrowArrayStream* in_stream,
                              struct ArrowArrayStream* out_stream);

/* Counts of what the library holds right now: buffers it allocated, exported structs whose
 * release has not run, imported structs it still references. Any pointer may be NULL.
 * A diagnostic: never fails, does not touch the last error. */
void arct_debug_counters(int64_t* out_live_buffers, int64_t* out_live_exports,
                         int64_t* out_live_imports);

/* Empties the library's process-wide caches (parsed imported schemas, encoded Arrow IPC
 * schemas, pooled freed buffers), so that a leak checker run at exit sees only what is really
 * held. Safe at any time and from any thread; later calls refill the caches. Never fails, does
 * not touch the last error. */
void arct_debug_release_caches(void);

/* Test hook (c-abi.md section 11, N31): enters `world` as any call does (its lock held, the
 * call counted), stores 1 to *inside, then waits until *release is non-zero (read atomically,
 * polled every millisecond, at most `timeout_ms`), and leaves. Lets a test free a world
 * deterministically while a call on it is running. Returns 0, 3, 6, 8 (timeout_ms < 0) or 351. */
int32_t arct_debug_world_hold(arct_world* world, int32_t* inside, const int32_t* release,
                              int32_t timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* ARCHETYPE_H */
