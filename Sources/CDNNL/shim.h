#ifndef VITC_CDNNL_SHIM_H
#define VITC_CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>

// Macros that do not import into Swift.
static inline int64_t vitc_dnnl_runtime_dim(void) { return DNNL_RUNTIME_DIM_VAL; }
static inline int vitc_dnnl_arg_src(void) { return DNNL_ARG_SRC; }
static inline int vitc_dnnl_arg_weights(void) { return DNNL_ARG_WEIGHTS; }
static inline int vitc_dnnl_arg_bias(void) { return DNNL_ARG_BIAS; }
static inline int vitc_dnnl_arg_dst(void) { return DNNL_ARG_DST; }
static inline int vitc_dnnl_arg_scratchpad(void) { return DNNL_ARG_SCRATCHPAD; }
static inline int vitc_dnnl_arg_from(void) { return DNNL_ARG_FROM; }
static inline int vitc_dnnl_arg_to(void) { return DNNL_ARG_TO; }
static inline int vitc_dnnl_arg_attr_output_scales(void) { return DNNL_ARG_ATTR_OUTPUT_SCALES; }
static inline int vitc_dnnl_arg_attr_zero_points_src(void) { return DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC; }
static inline int32_t vitc_dnnl_runtime_s32(void) { return DNNL_RUNTIME_S32_VAL; }
static inline int vitc_dnnl_arg_post_op_src1(int index) { return DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1; }
static inline void *vitc_dnnl_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }
static inline void *vitc_dnnl_memory_none(void) { return DNNL_MEMORY_NONE; }
static inline int vitc_dnnl_arg_diff_src(void) { return DNNL_ARG_DIFF_SRC; }
static inline int vitc_dnnl_arg_diff_dst(void) { return DNNL_ARG_DIFF_DST; }
static inline int vitc_dnnl_arg_diff_weights(void) { return DNNL_ARG_DIFF_WEIGHTS; }
static inline int vitc_dnnl_arg_workspace(void) { return DNNL_ARG_WORKSPACE; }
#endif
