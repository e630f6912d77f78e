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
static inline hid_t vitc_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t vitc_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t vitc_h5s_all(void) { return H5S_ALL; }
static inline unsigned vitc_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned vitc_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned vitc_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline size_t vitc_h5t_variable(void) { return H5T_VARIABLE; }
#endif
