/* Shared helpers of the negative cases (c-abi.md section 11). */
#ifndef ARCT_ABI_TEST_NEGATIVE_H
#define ARCT_ABI_TEST_NEGATIVE_H

#include "harness.h"

/* An input pair that must have been moved (release NULL) and released exactly once per node. */
#define EXPECT_CONSUMED(b)                                                      \
    do {                                                                        \
        CHECK((b).array.release == NULL && (b).schema.release == NULL);         \
        CHECK(batch_released_once(&(b)));                                       \
        batch_release(&(b));                                                    \
    } while (0)
/* A lone schema input that must have been moved and released once. */
#define EXPECT_SCHEMA_CONSUMED(s)                                               \
    do {                                                                        \
        CHECK((s).schema.release == NULL);                                      \
        CHECK(schema_released_once(&(s)));                                      \
        schema_release(&(s));                                                   \
    } while (0)
/* A half-NULL pair: nothing moved; the test releases it itself. */
#define EXPECT_NOT_MOVED(b)                                                     \
    do {                                                                        \
        CHECK((b).array.release != NULL && (b).schema.release != NULL);         \
        batch_release(&(b));                                                    \
        CHECK(batch_released_once(&(b)));                                       \
    } while (0)

/* 1-based movement batch of n rows (float64, non-nullable). */
void pvb(Batch* b, int64_t n);
void pvs(SchemaIn* s);
/* In-memory world with table "pv", entities 1 and 2 committed at tick 0 (tick is then 1). */
arct_world* neg_world(const char* run);
/* 1 if state, tick, next id and counts are as in *before. */
int info_unchanged(arct_world* w, const arct_world_info* before);

#endif
