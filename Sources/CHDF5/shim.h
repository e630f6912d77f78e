#ifndef VITC_CHDF5_SHIM_H
#define VITC_CHDF5_SHIM_H
#include <hdf5.h>

// HDF5's type and flag macros expand to globals behind H5open(); Swift cannot import them.
static inline hid_t vitc_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t vitc_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t vitc_h5t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t vitc_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t vitc_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t vitc_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t vitc_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t vitc_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t vitc_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t vitc_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t vitc_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t vitc_h5s_all(void) { return H5S_ALL; }
static inline unsigned vitc_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned vitc_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned vitc_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline size_t vitc_h5t_variable(void) { return H5T_VARIABLE; }
static inline hid_t vitc_h5e_default(void) { return H5E_DEFAULT; }

// H5Lvisit's callback takes H5L_info_t in 1.10 and H5L_info2_t from 1.12 on; visiting from C,
// where the API-version macros pick the matching pair, keeps the Swift side on one signature.
typedef void (*vitc_link_name_fn)(const char *name, void *context);
struct vitc_link_visit { vitc_link_name_fn fn; void *context; };

static herr_t vitc_link_visit_step(hid_t group, const char *name, const H5L_info_t *info, void *data) {
    (void)group;
    struct vitc_link_visit *visit = (struct vitc_link_visit *)data;
    if (info->type == H5L_TYPE_HARD) visit->fn(name, visit->context);
    return 0;
}

// Calls fn with the path (relative to group) of every hard link below group, recursively.
static inline herr_t vitc_h5l_visit_hard_links(hid_t group, vitc_link_name_fn fn, void *context) {
    struct vitc_link_visit visit = { fn, context };
    return H5Lvisit(group, H5_INDEX_NAME, H5_ITER_INC, vitc_link_visit_step, &visit);
}
#endif
