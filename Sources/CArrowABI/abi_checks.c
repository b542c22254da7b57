/* Compile-time checks of the LP64 layouts that c-abi.md section 6 fixes. */
#include "archetype.h"

_Static_assert(sizeof(struct ArrowSchema) == 72, "ArrowSchema layout");
_Static_assert(sizeof(struct ArrowArray) == 80, "ArrowArray layout");
_Static_assert(sizeof(struct ArrowArrayStream) == 40, "ArrowArrayStream layout");
_Static_assert(sizeof(arct_world_options) == 56, "arct_world_options is 56 bytes");
_Static_assert(sizeof(arct_processor_spec) == 32, "arct_processor_spec is 32 bytes");
_Static_assert(sizeof(arct_table_profile) == 320, "arct_table_profile is 320 bytes");
_Static_assert(sizeof(arct_step_profile) == 40, "arct_step_profile is 40 bytes");
_Static_assert(sizeof(arct_query) == 72, "arct_query is 72 bytes");
_Static_assert(sizeof(arct_world_info) == 304, "arct_world_info is 304 bytes");
